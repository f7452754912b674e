// Which responses on a connection answer a HEAD, and so have no body whatever their headers say.

import type { ConnectionPlan } from './connection-plan.ts';
import { header, type ResponseHead } from './response-parser.ts';

/** Reasons of the answers Sightline writes straight to the socket when Node's parser refuses bytes: they always carry their body. */
const PARSER_REFUSALS = new Set(['bad_request', 'request_header_too_large', 'request_timeout', 'http_version_not_supported']);

/** For an all-valid plan: final response i answers request i, unless it is a refusal of bytes that came later. */
export function answersHead(plan: ConnectionPlan): (finalIndex: number, head: ResponseHead) => boolean {
  return (i, head) => plan.requests[i]?.method === 'HEAD' && !PARSER_REFUSALS.has(header(head, 'x-sightline-reason') ?? '');
}

/** How many HEAD requests may have been sent: the most responses that can lack their body. */
export function headCount(sent: Buffer): number {
  let n = 0;
  for (let i = sent.indexOf('HEAD'); i >= 0; i = sent.indexOf('HEAD', i + 1)) n++;
  return n;
}

export function isParserRefusal(head: ResponseHead): boolean {
  return PARSER_REFUSALS.has(header(head, 'x-sightline-reason') ?? '');
}
