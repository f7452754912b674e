// Checks of a request head Node's parser lets through but a proxy must not forward (RFC 9112): an HTTP
// version other than 1.x, a Host missing, repeated or malformed, and message framing the app could read
// differently from this hop (Transfer-Encoding in HTTP/1.0, a transfer coding other than chunked).

import type { Reason } from './reasons.ts';

/** The fields the checks read, as upstreamRequestHeaders collects them. */
export interface RequestHeadFields {
  readonly host: string | undefined;
  readonly hostCount: number;
  readonly transferEncoding: string | undefined;
}

/** uri-host [":" port] (RFC 3986 §3.2.2): reg-name, IPv4 or an IP literal in brackets; empty is allowed. */
const HOST_VALUE = /^[A-Za-z0-9\-._~%!$&'()*+,;=]*(?::\d*)?$|^\[[0-9A-Fa-f:.vV\-._~!$&'()*+,;=]+\](?::\d*)?$/;

/** Why the request must be refused before anything else looks at it; undefined when it may go on. */
export function requestHeadProblem(versionMajor: number, versionMinor: number, head: RequestHeadFields): Reason | undefined {
  // llhttp accepts HTTP/0.9 (`GET /`) and HTTP/2.0 request lines; Sightline serves HTTP/1.x only.
  if (versionMajor !== 1) return 'http_version_not_supported';
  if (head.hostCount > 1) return 'invalid_request';
  if (head.hostCount === 0) {
    if (versionMinor >= 1) return 'invalid_request';
  } else if (!HOST_VALUE.test(head.host as string)) {
    return 'invalid_request';
  }
  const te = head.transferEncoding;
  if (te !== undefined) {
    // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
    if (versionMinor === 0) return 'invalid_request';
    // The parser has made sure chunked comes last; any coding before it Sightline cannot decode.
    if (!isChunkedOnly(te)) return 'unsupported_transfer_coding';
  }
  return undefined;
}

/** The fields the checks read, from a raw header list (for requests that skip upstreamRequestHeaders: upgrades). */
export function headFieldsOf(raw: readonly string[]): RequestHeadFields {
  let host: string | undefined;
  let hostCount = 0;
  let transferEncoding: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (name === 'host') {
      host = raw[i + 1];
      hostCount++;
    } else if (name === 'transfer-encoding') {
      transferEncoding = transferEncoding === undefined ? raw[i + 1] : `${transferEncoding}, ${raw[i + 1] as string}`;
    }
  }
  return { host, hostCount, transferEncoding };
}

function isChunkedOnly(value: string): boolean {
  return value.trim().toLowerCase() === 'chunked';
}
