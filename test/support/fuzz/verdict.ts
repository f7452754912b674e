// Judges one fuzzed connection by what came back:
//  - the bytes parse as well-formed HTTP/1.1 responses with nothing left over (response-parser.ts), or
//    nothing came back and the connection was closed;
//  - no response stopped halfway, whether the server closed or went quiet;
//  - never more answers than request lines sent (plus one 4xx for the bytes that broke the parser);
//  - every 4xx/5xx the app did not make carries x-sightline-reason, with a known reason, its status
//    and its JSON body;
//  - for all-valid plans: one answer per request, in order, each the one its request asked for.

import { REASONS } from '../../../src/core/http/reasons.ts';
import type { ConnectionPlan } from './connection-plan.ts';
import { answersHead, headCount } from './head-requests.ts';
import type { ConnectionResult } from './raw-connection.ts';
import { finalResponses, header, parseResponses, type ParsedResponse } from './response-parser.ts';
import type { PlannedRequest } from './request-generator.ts';

export interface Verdict {
  readonly problems: readonly string[];
  /** Departures from the rules that are known and tracked (the *_GAP constants below), not counted as failures. */
  readonly known: readonly string[];
  readonly responses: readonly ParsedResponse[];
  readonly upgraded: boolean;
}

/**
 * Sightline closes connections that still hold unread client bytes: a refused request's body (and it
 * closes after every refusal at admission, body or not, because it reads req.complete too early).
 * Linux answers the close with a reset, and a reset throws away what the client had not read yet: the
 * end of a response, or the refusal itself. Pinned in test/hardening/fuzz-findings.test.ts.
 */
export const RESET_GAP = 'reset while answers were unread (Sightline closed with unread request bytes)';

/**
 * Node 24's http server, when shouldUpgradeCallback says no to a request with `Connection: upgrade`
 * (Sightline serves non-WebSocket upgrades as plain requests), drops the rest of the bytes it read in
 * the same chunk: pipelined requests after it get no answer, and a request cut by the chunk boundary is
 * parsed from its middle (a desync). Pinned in test/hardening/fuzz-findings.test.ts.
 */
export const UPGRADE_GAP = 'Node drops pipelined bytes after an Upgrade request it does not upgrade';

function asksNonWebSocketUpgrade(bytes: Buffer): boolean {
  const head = bytes.toString('latin1', 0, Math.max(0, bytes.indexOf('\r\n\r\n')));
  return /\r\nupgrade:/i.test(head) && /\r\nconnection:[^\r]*upgrade/i.test(head) && !/\r\nupgrade:[ \t]*websocket/i.test(head);
}

function count(haystack: Buffer, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

/** Checks a response that carries (or should carry) Sightline's reason. */
function checkOwnResponse(r: ParsedResponse, problems: string[]): void {
  const reason = header(r, 'x-sightline-reason');
  if (reason === undefined) {
    if (r.status >= 400 && header(r, 'x-app') === undefined) problems.push(`${r.status} response made by Sightline without x-sightline-reason`);
    return;
  }
  const entry = (REASONS as Record<string, { status: number } | undefined>)[reason];
  if (entry === undefined) {
    problems.push(`unknown x-sightline-reason ${JSON.stringify(reason)}`);
    return;
  }
  if (reason !== 'fault' && entry.status !== r.status) problems.push(`x-sightline-reason ${reason} on a ${r.status} (expected ${entry.status})`);
  if (r.body.length > 0) {
    let error: unknown;
    try {
      error = (JSON.parse(r.body.toString('utf8')) as { error?: unknown }).error;
    } catch {
      error = undefined;
    }
    if (error !== reason) problems.push(`${reason} response whose JSON body does not name it: ${JSON.stringify(r.body.toString('latin1').slice(0, 100))}`);
  }
}

/** Reasons that blame the app: its connection failed, it reset, it answered garbage or too late. */
const APP_FAILURES = new Set(['upstream_connect_failure', 'upstream_reset', 'upstream_protocol_error', 'upstream_timeout']);

/** The answer a valid request must get, by what it asked the app for. */
function checkAnswer(req: PlannedRequest, r: ParsedResponse, i: number, problems: string[], appMayFail: boolean): void {
  const where = `request ${i} (${req.method} ${JSON.stringify(req.target.slice(0, 80))})`;
  const reason = header(r, 'x-sightline-reason');
  // Whatever was asked, Sightline may refuse it for the app's sake (its breaker, its limits), or report an app that failed.
  if (reason === 'circuit_open' || reason === 'overloaded') return;
  if (appMayFail && reason !== undefined && APP_FAILURES.has(reason)) return;
  const head = req.method === 'HEAD';
  const e = req.expect;
  switch (e.type) {
    case 'echo': {
      const guarded = r.status === 400 && header(r, 'x-app') === 'guard';
      if (r.status !== 200 && !guarded) {
        problems.push(`${where}: expected the app's 200 echo, got ${r.status} ${reason ?? ''}`);
        return;
      }
      if (head) return;
      // The echo, or the guard's refusal in front of it (same fields), names the request it answers.
      let echo: { method?: string; url?: string } = {};
      try {
        echo = JSON.parse(r.body.toString('utf8')) as typeof echo;
      } catch {
        problems.push(`${where}: echo body is not JSON`);
        return;
      }
      // The app reads the target as latin1, as it was sent; its JSON comes back as UTF-8.
      if (echo.method !== req.method || echo.url !== req.target) problems.push(`${where}: answered with the echo of ${echo.method} ${JSON.stringify(echo.url?.slice(0, 80))}`);
      return;
    }
    case 'status':
      if (r.status !== e.code) problems.push(`${where}: expected status ${e.code}, got ${r.status} ${reason ?? ''}`);
      return;
    case 'bytes':
      if (r.status !== 200) problems.push(`${where}: expected 200, got ${r.status} ${reason ?? ''}`);
      else if (!head && r.body.length !== e.length) problems.push(`${where}: expected ${e.length} body bytes, got ${r.body.length}`);
      return;
    case 'status-only':
      if (r.status !== 200) problems.push(`${where}: expected 200, got ${r.status} ${reason ?? ''}`);
      return;
    case 'sightline':
      if (reason !== e.reason) problems.push(`${where}: expected Sightline's ${e.reason}, got ${r.status} ${reason ?? ''}`);
      return;
    case 'upgrade':
      if (r.status !== 101) problems.push(`${where}: expected 101 Switching Protocols, got ${r.status}`);
      return;
  }
}

export interface JudgeOptions {
  /**
   * The app may fail (the soak's faulty app). When false (the fuzz test's app never resets, stalls or
   * answers garbage), an answer blaming the app means Sightline took a request it could not send for
   * the app's failure: it would be retried and counted against the circuit breaker.
   */
  readonly appMayFail?: boolean;
}

export function judge(result: ConnectionResult, options: JudgeOptions = {}): Verdict {
  const { plan, received, sent } = result;
  const problems: string[] = [];
  const known: string[] = [];
  const allValid = plan.kind === 'valid';
  const isHead = answersHead(plan);
  const parsed = parseResponses(received, allValid ? { closed: result.closedByServer, isHead } : { closed: result.closedByServer, headBudget: headCount(sent) });
  const responses = parsed.responses;
  // A reset (our write failing counts: the server's reset made it fail) can throw away bytes the server had written.
  const reset = result.error === 'ECONNRESET' || result.error === 'EPIPE';
  if (!parsed.ok) {
    // Stopped inside a response: only fine when the client itself hung up before it could finish,
    // and the server had not stopped sending (the client waits stallMs before it gives up).
    const cutByClient = parsed.incomplete && !result.closedByServer && !result.stalled;
    if (parsed.incomplete && result.closedByServer && reset) known.push(RESET_GAP);
    else if (!cutByClient) {
      const how = parsed.incomplete ? (result.closedByServer ? `truncated, then closed by the server (${result.error ?? 'FIN'})` : 'stalled') : 'malformed';
      problems.push(`${how} at byte ${parsed.at} of ${received.length}: ${parsed.error}`);
    }
  }
  if (result.stalled && parsed.ok) problems.push('client gave up waiting');
  const finals = finalResponses(responses);
  const requestLines = count(sent, 'HTTP/');
  if (finals.length > requestLines + 1) problems.push(`${finals.length} responses to ${requestLines} request lines`);
  for (const r of responses) {
    checkOwnResponse(r, problems);
    const reason = header(r, 'x-sightline-reason');
    if (options.appMayFail !== true && reason !== undefined && APP_FAILURES.has(reason)) problems.push(`${r.status} ${reason}, but this app never fails: Sightline blamed it for a request it could not send`);
  }

  const upgraded = parsed.ok && parsed.upgraded;
  if (allValid) {
    const expected = plan.requests.length;
    const answerProblems: string[] = [];
    for (let i = 0; i < Math.min(finals.length, expected); i++) checkAnswer(plan.requests[i] as PlannedRequest, finals[i] as ParsedResponse, i, answerProblems, options.appMayFail === true);
    const last = finals[finals.length - 1];
    // Fewer answers than requests is right only when the last answer closed the connection, as its
    // request asked or as Sightline does after refusing a request whose body it did not read.
    const closedOnPurpose = last !== undefined && /\bclose\b/i.test(header(last, 'connection') ?? '') && (plan.requests[finals.length - 1]?.closes === true || header(last, 'x-sightline-reason') !== undefined);
    if (finals.length < expected && !upgraded && !closedOnPurpose) {
      if (reset) known.push(RESET_GAP);
      else answerProblems.push(`${finals.length} answers to ${expected} valid requests (${result.closedByServer ? 'closed by the server' : 'the server went quiet'})`);
    }
    // Once a request with a non-WebSocket Upgrade is followed by others, Node may lose or misparse them (UPGRADE_GAP).
    const gap = plan.requests.some((r, i) => i < expected - 1 && asksNonWebSocketUpgrade(r.bytes));
    if (gap) known.push(...answerProblems.map(() => UPGRADE_GAP));
    else problems.push(...answerProblems);
  }
  return { problems, known, responses, upgraded };
}

/** A failing connection, written out so that it can be replayed by hand. */
export function reproducer(plan: ConnectionPlan, result: ConnectionResult, verdict: Verdict): string {
  const lines = [
    `connection ${plan.index} of seed ${plan.seed} (${plan.kind}, ${plan.mode}, ${plan.pacing}): ${verdict.problems.join('; ')}`,
    ...plan.requests.map((r, i) => `  request ${i} [${r.kind}${r.mutations.length > 0 ? `: ${r.mutations.join(', ')}` : ''}] ${JSON.stringify(r.bytes.toString('latin1').slice(0, 600))}${r.bytes.length > 600 ? ` … (${r.bytes.length} bytes)` : ''}`),
    `  received ${result.received.length} bytes${result.closedByServer ? `, closed by the server${result.error === undefined ? '' : ` (${result.error})`}` : ''}: ${JSON.stringify(result.received.toString('latin1').slice(0, 1500))}`,
    `  replay: SIGHTLINE_FUZZ_SEED=${plan.seed} SIGHTLINE_FUZZ_ONLY=${plan.index} vitest run test/hardening/fuzz.test.ts`,
  ];
  return lines.join('\n');
}
