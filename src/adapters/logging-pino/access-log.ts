// One JSON line per request (OpenTelemetry attribute names), built by hand and handed to the shared
// asynchronous destination: no object per request for a logger to serialise. Strings from the client
// (path, user agent) are quoted directly when they need no escaping, as pino does, and through
// JSON.stringify otherwise; the timestamp is formatted once per millisecond.

import { errorType, type AttemptOutcome } from '../../core/resilience/outcome.ts';
import type { ExchangeObserver, ExchangeRecord } from '../../ports/exchange-observer.ts';

export interface AccessLogSettings {
  readonly enabled: boolean;
  /** Share of requests logged, 0..1. */
  readonly sampleRatio: number;
  /** Paths (without query) never logged, e.g. the app's own health checks. */
  readonly skipPaths: readonly string[];
}

export class AccessLog implements ExchangeObserver {
  readonly #destination: { write(line: string): unknown };
  readonly #sampleRatio: number;
  readonly #skip: ReadonlySet<string>;
  readonly #random: () => number;
  #timeMs = 0;
  #time = '';

  constructor(settings: AccessLogSettings, destination: { write(line: string): unknown }, random: () => number) {
    this.#destination = destination;
    this.#sampleRatio = settings.sampleRatio;
    this.#skip = new Set(settings.skipPaths);
    this.#random = random;
  }

  exchangeStarted(): void {}

  attemptEnded(): void {}

  exchangeEnded(x: ExchangeRecord, durationMs: number): void {
    if (this.#sampleRatio < 1 && this.#random() >= this.#sampleRatio) return;
    const target = x.target;
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    if (this.#skip.size > 0 && this.#skip.has(path)) return;
    const now = Date.now();
    if (now !== this.#timeMs) {
      this.#timeMs = now;
      this.#time = new Date(now).toISOString();
    }
    let line = `{"level":30,"time":"${this.#time}","msg":"request","http.request.method":${quote(x.method)},"url.path":${quote(path)},"http.route":${quote(x.route)},"http.response.status_code":${x.status},"duration_ms":${Math.round(durationMs * 1000) / 1000},"attempts":${x.attempts}`;
    line += upstream(x.upstreamOutcome);
    // A response cut mid-body: its attempt answered (upstream.status_code), then failed.
    if (x.responseCut !== undefined) line += `,"error.type":"${errorType(x.responseCut)}"`;
    if (x.reason !== undefined) line += `,"sightline.reason":"${x.reason}"`;
    // An injected fault, so a rehearsal's errors and delays are never taken for the app's.
    if (x.fault !== undefined) line += `,"sightline.fault":"${x.fault}"`;
    if (x.bytesIn >= 0) line += `,"http.request.body.size":${x.bytesIn}`;
    line += `,"http.response.body.size":${x.bytesOut}`;
    if (x.clientAddress !== undefined) line += `,"client.address":${quote(x.clientAddress)}`;
    const agent = x.userAgent;
    if (agent !== undefined) line += `,"user_agent.original":${quote(agent)}`;
    if (x.requestId !== undefined) line += `,"request_id":${quote(x.requestId)}`;
    // Both ids are hex made or checked here (never raw client text): no escaping needed.
    if (x.traceId !== undefined) line += `,"trace_id":"${x.traceId}"`;
    if (x.spanId !== undefined) line += `,"span_id":"${x.spanId}"`;
    this.#destination.write(`${line}}\n`);
  }
}

function upstream(outcome: AttemptOutcome | undefined): string {
  if (outcome === undefined) return '';
  return typeof outcome === 'number' ? `,"upstream.status_code":${outcome}` : `,"error.type":"${errorType(outcome)}"`;
}

/** A JSON string literal: printable ASCII without `"` or `\\` is quoted as it is, anything else escaped. */
export function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(text);
  }
  return `"${text}"`;
}
