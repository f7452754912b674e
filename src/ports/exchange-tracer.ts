// How an exchange is traced. The exchange asks for a trace when it knows its route, asks it for the
// `traceparent` of each upstream attempt (so the app's own spans nest under Sightline's), tells it the
// policy decisions worth seeing on a timeline, and ends it with the response. Unsampled requests get a
// trace that records nothing.

import type { AttemptOutcome } from '../core/resilience/outcome.ts';
import type { ExchangeRecord } from './exchange-observer.ts';

/** Decisions shown as span events on the SERVER span (`fault`: an injected delay or abort). */
export type TraceDecision = 'retry' | 'retry_denied' | 'rejected' | 'fault';

export interface ExchangeTrace {
  /** The trace this request belongs to (the caller's, or a new one); undefined when tracing is off. */
  readonly traceId: string | undefined;
  /** Sightline's SERVER span, when the request is sampled. */
  readonly spanId: string | undefined;
  readonly sampled: boolean;
  /** The `tracestate` to send on, or undefined for none. */
  readonly tracestate: string | undefined;
  /** Attempt `attempt` is about to be sent: its `traceparent`, or undefined to forward the caller's unchanged. */
  attemptStarted(exchange: ExchangeRecord, attempt: number, now: number): string | undefined;
  /** The attempt ended: the app's status or what went wrong. */
  attemptEnded(outcome: AttemptOutcome, now: number): void;
  /** `detail` is the decision's reason (a RetryDenial, a Rejection), the retry's cause or the fault's kind; `delayMs` a retry's backoff or an injected delay. */
  decision(kind: TraceDecision, attempt: number, detail: string, delayMs: number, now: number): void;
  /** The client's response is done or the client left. */
  end(exchange: ExchangeRecord, now: number): void;
}

export interface ExchangeTracer {
  /** Starts the trace of an exchange whose route is known, from the caller's trace headers. */
  begin(exchange: ExchangeRecord, traceparent: string | undefined, tracestate: string | undefined): ExchangeTrace;
}

/** Tracing off: nothing recorded, and the caller's trace headers are forwarded as they came. */
export const NO_TRACE: ExchangeTrace = {
  traceId: undefined,
  spanId: undefined,
  sampled: false,
  tracestate: undefined,
  attemptStarted: () => undefined,
  attemptEnded() {},
  decision() {},
  end() {},
};

export const NO_TRACING: ExchangeTracer = { begin: () => NO_TRACE };

/** Counts from the span export pipeline, for /metrics. */
export interface TraceExportEvents {
  spansExported(count: number): void;
  /** `reason`: `queue_full` when the export queue was full, else the export error's name. */
  spansDropped(count: number, reason: string): void;
}
