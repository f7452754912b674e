// Runs fuzzing connections against a proxy port, a fixed number of them at once, until the requested
// number of requests has been sent, and adds up what came back. Used by test/hardening/fuzz.test.ts
// and by scripts/soak.mjs.

import { planConnection, type ConnectionPlan } from './connection-plan.ts';
import { DEFAULT_TIMING, runConnection, type ConnectionResult, type Timing } from './raw-connection.ts';
import { isParserRefusal } from './head-requests.ts';
import { finalResponses } from './response-parser.ts';
import { judge, reproducer, type JudgeOptions } from './verdict.ts';

export interface FuzzOptions {
  readonly seed: number;
  /** Requests to send (valid, mutated and garbage together); whole connections, so a few more. */
  readonly requests: number;
  readonly concurrency: number;
  /** Connection indexes to start from (a soak continues where its last batch stopped). */
  readonly firstIndex?: number;
  /** Only this connection (replaying one from a report). */
  readonly only?: number;
  readonly timing?: Timing;
  /** Passed to the verdict (the soak's app fails on purpose). */
  readonly judge?: JudgeOptions;
  /** Called with each connection as it ends (e.g. to keep the sent bytes). */
  readonly onConnection?: (result: ConnectionResult) => void;
}

export interface FuzzSummary {
  readonly seed: number;
  connections: number;
  requests: { valid: number; mutated: number; garbage: number };
  /** Final responses by status class ('2xx'...), and 1xx interim ones. */
  readonly responses: Record<string, number>;
  /** Responses that carried x-sightline-reason, by reason. */
  readonly reasons: Record<string, number>;
  closedWithoutBytes: number;
  closedByServer: number;
  upgraded: number;
  /** Failing connections, each written as a reproducer. */
  readonly failures: string[];
  /** Known gaps seen (see verdict.ts), by description. */
  readonly known: Record<string, number>;
  /** Connections whose first answer was Sightline refusing bytes its parser could not read (see PREEMPTED_GAP). */
  readonly refusedFirst: Set<number>;
  bytesSent: number;
  bytesReceived: number;
  durationMs: number;
  nextIndex: number;
}

export function emptySummary(seed: number): FuzzSummary {
  return {
    seed,
    connections: 0,
    requests: { valid: 0, mutated: 0, garbage: 0 },
    responses: {},
    reasons: {},
    closedWithoutBytes: 0,
    closedByServer: 0,
    upgraded: 0,
    failures: [],
    known: {},
    refusedFirst: new Set(),
    bytesSent: 0,
    bytesReceived: 0,
    durationMs: 0,
    nextIndex: 0,
  };
}

const add = (record: Record<string, number>, key: string): void => {
  record[key] = (record[key] ?? 0) + 1;
};

/** Adds one connection's result and verdict to the summary. */
export function record(summary: FuzzSummary, plan: ConnectionPlan, result: ConnectionResult, options: JudgeOptions = {}): void {
  const verdict = judge(result, options);
  summary.connections++;
  for (const r of plan.requests) summary.requests[r.kind]++;
  for (const r of verdict.responses) {
    add(summary.responses, r.status < 200 ? `${r.status}` : `${Math.floor(r.status / 100)}xx`);
    const reason = r.headers.find(([n]) => n.toLowerCase() === 'x-sightline-reason')?.[1];
    if (reason !== undefined) add(summary.reasons, reason);
  }
  if (result.received.length === 0 && result.closedByServer) summary.closedWithoutBytes++;
  if (result.closedByServer) summary.closedByServer++;
  if (verdict.upgraded) summary.upgraded++;
  for (const k of verdict.known) add(summary.known, k);
  summary.bytesSent += result.sent.length;
  summary.bytesReceived += result.received.length;
  const first = finalResponses(verdict.responses)[0];
  if (first !== undefined && isParserRefusal(first)) summary.refusedFirst.add(plan.index);
  if (verdict.problems.length > 0) summary.failures.push(reproducer(plan, result, verdict));
}

export async function fuzz(port: number, options: FuzzOptions): Promise<FuzzSummary> {
  const started = Date.now();
  const summary = emptySummary(options.seed);
  let next = options.only ?? options.firstIndex ?? 0;
  let planned = 0;
  const take = (): ConnectionPlan | null => {
    if (options.only !== undefined ? next > options.only : planned >= options.requests) return null;
    const plan = planConnection(options.seed, next++);
    planned += plan.requests.length;
    return plan;
  };
  const worker = async (): Promise<void> => {
    for (let plan = take(); plan !== null; plan = take()) {
      const result = await runConnection(port, plan, options.timing ?? DEFAULT_TIMING);
      record(summary, plan, result, options.judge);
      options.onConnection?.(result);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  summary.durationMs = Date.now() - started;
  summary.nextIndex = next;
  return summary;
}

/** One line of figures. */
export function describeSummary(s: FuzzSummary): string {
  const total = s.requests.valid + s.requests.mutated + s.requests.garbage;
  const classes = Object.entries(s.responses).sort().map(([k, v]) => `${v} ${k}`).join(', ');
  const reasons = Object.entries(s.reasons).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  return (
    `seed ${s.seed}: ${total} requests (${s.requests.valid} valid, ${s.requests.mutated} mutated, ${s.requests.garbage} garbage) ` +
    `on ${s.connections} connections in ${(s.durationMs / 1000).toFixed(1)}s; responses: ${classes || 'none'}; ` +
    `Sightline's own: ${reasons || 'none'}; ${s.closedByServer} closed by the server (${s.closedWithoutBytes} without a byte), ` +
    `${s.upgraded} upgraded; ${(s.bytesSent / 1e6).toFixed(1)} MB sent, ${(s.bytesReceived / 1e6).toFixed(1)} MB received; ` +
    `${s.failures.length} failing connection(s)`
  );
}
