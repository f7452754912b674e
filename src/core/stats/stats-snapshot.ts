// What the live-stats collector hands out: raw counts, per route and per second, that add up across
// worker processes (the primary merges them, stats-merge.ts) before anything is derived from them
// (rates, ratios, quantiles: stats-view.ts). Plain data, so it crosses cluster IPC and JSON unchanged.

import type { BreakerState } from '../resilience/circuit-breaker.ts';

/** One route's counts over the window: index 0 is second `endSecond - seconds + 1`, the last is `endSecond`. */
export interface RouteSeries {
  readonly name: string;
  /** Requests answered (or abandoned by the client) in each second. */
  readonly requests: readonly number[];
  /** Of those, answered 5xx (the app's, or Sightline's own 502/503/504). */
  readonly errors: readonly number[];
  readonly retries: readonly number[];
  /** Retries not sent because the route's retry budget was spent. */
  readonly retryBudgetDenied: readonly number[];
  /** Requests Sightline answered without the app: circuit open, or overloaded. */
  readonly rejected: readonly number[];
  readonly durationSumMs: readonly number[];
  readonly maxMs: readonly number[];
  /** Latency bucket counts, `LATENCY_BUCKETS` per second, second after second. */
  readonly histogram: readonly number[];
}

export interface BreakerTransitionRecord {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** With workers: the worker whose breaker moved (each worker has its own breakers). */
  readonly worker?: number;
}

export interface BreakerRecord {
  /** The breaker's name: its route's, or its group's. */
  readonly name: string;
  readonly routes: readonly string[];
  readonly state: BreakerState;
  /** Epoch milliseconds of the last transition; null while it never moved. */
  readonly since: number | null;
  /** Newest first. */
  readonly transitions: readonly BreakerTransitionRecord[];
  /** With workers: each worker's own state. */
  readonly workers?: readonly { readonly worker: number; readonly state: BreakerState }[];
}

/** One request of the slowest or failed lists. */
export interface RequestSample {
  /** Epoch milliseconds when the response ended. */
  readonly at: number;
  readonly route: string;
  readonly method: string;
  /** The request target without its query (which may carry secrets), as the access log writes it. */
  readonly path: string;
  readonly status: number;
  /** Sightline's reason code when it answered itself. */
  readonly reason: string | null;
  readonly attempts: number;
  /** How the last attempt ended: the app's status or an error kind (`connect-failure`, ...). */
  readonly upstream: string | null;
  readonly durationMs: number;
  readonly traceId: string | null;
  /** The trace was recorded: /debug/traces has its spans (while it is among the last kept). */
  readonly sampled: boolean;
  readonly worker?: number;
}

export interface StatsSnapshot {
  /** Epoch milliseconds. */
  readonly takenAt: number;
  /** The newest second of the series (epoch seconds); it is still being counted. */
  readonly endSecond: number;
  /** Seconds in every series. */
  readonly seconds: number;
  /** The latency buckets' upper bounds (ms): snapshots merge only when they agree. */
  readonly boundsMs: readonly number[];
  /** Processes whose counts are in here. */
  readonly processes: number;
  readonly routes: readonly RouteSeries[];
  readonly breakers: readonly BreakerRecord[];
  /** Slowest first. */
  readonly slowest: readonly RequestSample[];
  /** Newest first. */
  readonly failed: readonly RequestSample[];
}

/** How bad a breaker state is, to show the worst of several workers' breakers. */
export const BREAKER_SEVERITY: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };
