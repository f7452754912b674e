// What the telemetry adapters (metrics, access log, traces) learn about each proxied request. The
// exchange passes itself as an ExchangeRecord, read-only, so reporting a request allocates nothing.

import type { FaultKind } from '../core/operations/fault-injector.ts';
import type { AttemptError, AttemptOutcome } from '../core/resilience/outcome.ts';

/** nginx's status for a client that left before any response; no such status is ever sent. */
export const CLIENT_CLOSED = 499;

export interface ExchangeRecord {
  readonly method: string;
  /** The route's name (a template): never a raw path. */
  readonly route: string;
  /** The request target as received (path and query). */
  readonly target: string;
  /** The status sent to the client; 499 when the client left before any response. */
  readonly status: number;
  /** Sightline's reason code when it answered itself (x-sightline-reason), else undefined. */
  readonly reason: string | undefined;
  /** The fault injected into this request (fault injection), if any: never a real failure. */
  readonly fault?: FaultKind | undefined;
  /** Upstream attempts made (0 when Sightline answered without the app). */
  readonly attempts: number;
  /** How the last attempt ended: the app's status or an AttemptError; undefined without attempts. */
  readonly upstreamOutcome: AttemptOutcome | undefined;
  /**
   * Set when the response was cut after its head had gone to the client (the app reset, closed or went
   * silent past upstream.idleTimeout mid-body, or broke the body's framing): how. The client's connection
   * was destroyed, so `status` is what it was told, not what it got.
   */
  readonly responseCut?: AttemptError | undefined;
  /** Request body bytes, when known (Content-Length or held for replay); -1 for a streamed body of unknown length. */
  readonly bytesIn: number;
  /** Response body bytes sent to the client. */
  readonly bytesOut: number;
  /** Monotonic milliseconds when the request arrived. */
  readonly startedAt: number;
  readonly requestId: string | undefined;
  readonly clientAddress: string | undefined;
  readonly userAgent: string | undefined;
  /** The Host header, as sent. */
  readonly host: string | undefined;
  /** `1.1`, `1.0`. */
  readonly httpVersion: string;
  /** The trace the request belongs to (the caller's or a new one); undefined when tracing is off. */
  readonly traceId: string | undefined;
  /** Sightline's SERVER span, when the request is sampled. */
  readonly spanId: string | undefined;
  /** The request's trace is recorded (sampled). */
  readonly sampled: boolean;
}

export interface ExchangeObserver {
  exchangeStarted(exchange: ExchangeRecord): void;
  /** One upstream attempt ended: `outcome` is the app's status or what went wrong. */
  attemptEnded(exchange: ExchangeRecord, attempt: number, outcome: AttemptOutcome, durationMs: number): void;
  /** The client's response is done (or the client left); `durationMs` from arrival. */
  exchangeEnded(exchange: ExchangeRecord, durationMs: number): void;
}

export const IGNORE_EXCHANGES: ExchangeObserver = {
  exchangeStarted() {},
  attemptEnded() {},
  exchangeEnded() {},
};

/** One observer that tells each of `observers`, in order. */
export function everyObserver(...observers: readonly ExchangeObserver[]): ExchangeObserver {
  if (observers.length === 1) return observers[0] as ExchangeObserver;
  return {
    exchangeStarted: (x) => { for (const o of observers) o.exchangeStarted(x); },
    attemptEnded: (x, attempt, outcome, durationMs) => { for (const o of observers) o.attemptEnded(x, attempt, outcome, durationMs); },
    exchangeEnded: (x, durationMs) => { for (const o of observers) o.exchangeEnded(x, durationMs); },
  };
}
