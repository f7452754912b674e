// /debug/stats: a snapshot (one process's, or the workers' merged) turned into what a person or the
// dashboard reads: per route and per second, the request rate, error ratio and p50/p99 latency, with
// totals over the window; breakers with their recent transitions; the slowest and failed requests.

import type { Config } from '../config/model.ts';
import type { PolicyConfig } from '../config/policy.ts';
import type { BreakerState } from '../resilience/circuit-breaker.ts';
import type { HealthChangeRecord } from './health-history.ts';
import { estimateQuantile, LATENCY_BUCKETS } from './latency-buckets.ts';
import type { BreakerRecord, RequestSample, RouteSeries, StatsSnapshot } from './stats-snapshot.ts';

/** How the quantiles are estimated, said in the answer itself. */
export const QUANTILE_METHOD =
  'per second, from a fixed-bucket histogram (bounds in boundsMs): linear interpolation inside the bucket holding the rank, capped at the slowest request seen; the error is at most one bucket width';

/** Seconds, before the one being counted, that `ratePerSecond` averages over. */
const RATE_SECONDS = 10;

export interface UpstreamInput {
  readonly origin: string;
  readonly healthy: boolean;
  readonly detail: string;
  readonly since: number | null;
  readonly changes: readonly HealthChangeRecord[];
}

export interface ViewOptions {
  /** Seconds of series to show, counted back from now (default: the whole window). */
  readonly seconds?: number;
  /** Gives the routes' order, their policies and the breakers that never moved. */
  readonly config?: Config;
  readonly upstream?: UpstreamInput;
}

type Ratio = number | null;

export interface RouteView {
  readonly name: string;
  readonly policy: {
    readonly timeoutMs: number;
    readonly retryAttempts: number;
    readonly retryBudget: { readonly ratio: number; readonly minPerSecond: number };
    /** The breaker guarding the route (its own or its group's); null without one. */
    readonly circuitBreaker: string | null;
  } | null;
  readonly totals: {
    readonly requests: number;
    readonly errors: number;
    readonly errorRatio: Ratio;
    /** Requests per second over the last 10 complete seconds. */
    readonly ratePerSecond: number;
    readonly retries: number;
    /** Retries per request: what the retry budget's ratio bounds (beyond its floor of minPerSecond). */
    readonly retryRatio: Ratio;
    readonly retryBudgetDenied: number;
    readonly rejected: number;
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
    readonly meanMs: number | null;
    readonly maxMs: number | null;
  };
  /** One value per second, oldest first; the last second is still being counted. Latency null without requests. */
  readonly series: {
    readonly requests: readonly number[];
    readonly errors: readonly number[];
    readonly errorRatio: readonly Ratio[];
    readonly p50Ms: readonly (number | null)[];
    readonly p99Ms: readonly (number | null)[];
    readonly retries: readonly number[];
    readonly retryBudgetDenied: readonly number[];
    readonly rejected: readonly number[];
  };
}

export interface SampleView extends Omit<RequestSample, 'at'> {
  readonly at: string;
}

export interface BreakerView {
  readonly name: string;
  readonly routes: readonly string[];
  readonly state: BreakerState;
  readonly since: string | null;
  readonly transitions: readonly { readonly at: string; readonly from: BreakerState; readonly to: BreakerState; readonly worker?: number }[];
  readonly workers?: readonly { readonly worker: number; readonly state: BreakerState }[];
}

export interface StatsView {
  readonly generatedAt: string;
  readonly window: { readonly seconds: number; readonly resolutionSeconds: 1; readonly start: string; readonly end: string };
  readonly latency: { readonly method: string; readonly boundsMs: readonly number[] };
  readonly processes: number;
  readonly upstream: {
    readonly origin: string;
    readonly healthy: boolean;
    readonly detail: string;
    readonly since: string | null;
    readonly changes: readonly { readonly at: string; readonly healthy: boolean; readonly detail: string }[];
  } | null;
  readonly routes: readonly RouteView[];
  readonly breakers: readonly BreakerView[];
  readonly slowest: readonly SampleView[];
  readonly failed: readonly SampleView[];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const round = (n: number): number => Math.round(n * 1000) / 1000;
const roundOrNull = (n: number | null): number | null => (n === null ? null : round(n));
const ratio = (part: number, whole: number): Ratio => (whole === 0 ? null : round(part / whole));

export function statsView(snapshot: StatsSnapshot, options: ViewOptions = {}): StatsView {
  const seconds = Math.max(1, Math.min(snapshot.seconds, Math.floor(options.seconds ?? snapshot.seconds)));
  const from = snapshot.seconds - seconds;
  const startSecond = snapshot.endSecond - seconds + 1;
  const config = options.config;
  const policies = config === undefined ? new Map<string, PolicyConfig & { name: string }>() : new Map([...config.routes, config.defaultRoute].map((r) => [r.name, r]));
  const order = [...policies.keys()];
  const routes = [...snapshot.routes].sort((a, b) => rank(order, a.name) - rank(order, b.name) || (a.name < b.name ? -1 : 1));
  const upstream = options.upstream;
  return {
    generatedAt: iso(snapshot.takenAt),
    window: { seconds, resolutionSeconds: 1, start: iso(startSecond * 1000), end: iso((snapshot.endSecond + 1) * 1000) },
    latency: { method: QUANTILE_METHOD, boundsMs: snapshot.boundsMs },
    processes: snapshot.processes,
    upstream: upstream === undefined ? null : {
      origin: upstream.origin,
      healthy: upstream.healthy,
      detail: upstream.detail,
      since: upstream.since === null ? null : iso(upstream.since),
      changes: upstream.changes.map((c) => ({ at: iso(c.at), healthy: c.healthy, detail: c.detail })),
    },
    routes: routes.map((r) => routeView(r, from, policies.get(r.name))),
    breakers: breakerViews(snapshot.breakers, config),
    slowest: snapshot.slowest.map(sampleView),
    failed: snapshot.failed.map(sampleView),
  };
}

function rank(order: readonly string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}

function breakerName(name: string, policy: PolicyConfig): string | null {
  const b = policy.circuitBreaker;
  if (b.consecutiveFailures === 0 && b.failureRate === 0) return null;
  return b.group === '' ? name : b.group;
}

function routeView(r: RouteSeries, from: number, policy: (PolicyConfig & { name: string }) | undefined): RouteView {
  const n = r.requests.length;
  const slice = (column: readonly number[]): number[] => column.slice(from);
  const requests = slice(r.requests);
  const errors = slice(r.errors);
  const sum = (column: readonly number[]): number => column.reduce((a, b) => a + b, 0);
  const p50: (number | null)[] = [];
  const p99: (number | null)[] = [];
  const whole = new Array<number>(LATENCY_BUCKETS).fill(0);
  let maxMs = 0;
  for (let i = from; i < n; i++) {
    const max = r.maxMs[i] ?? 0;
    p50.push(roundOrNull(estimateQuantile(r.histogram, i * LATENCY_BUCKETS, 0.5, max)));
    p99.push(roundOrNull(estimateQuantile(r.histogram, i * LATENCY_BUCKETS, 0.99, max)));
    for (let k = 0; k < LATENCY_BUCKETS; k++) whole[k] = (whole[k] as number) + (r.histogram[i * LATENCY_BUCKETS + k] ?? 0);
    if (max > maxMs) maxMs = max;
  }
  const total = sum(requests);
  const retries = sum(slice(r.retries));
  // The second being counted is partial: the rate averages the complete seconds before it.
  const rateSeconds = Math.min(RATE_SECONDS, requests.length - 1);
  const recent = rateSeconds <= 0 ? 0 : sum(requests.slice(-1 - rateSeconds, -1)) / rateSeconds;
  return {
    name: r.name,
    policy: policy === undefined ? null : {
      timeoutMs: policy.timeoutMs,
      retryAttempts: policy.retry.attempts,
      retryBudget: { ratio: policy.retry.budget.ratio, minPerSecond: policy.retry.budget.minPerSecond },
      circuitBreaker: breakerName(policy.name, policy),
    },
    totals: {
      requests: total,
      errors: sum(errors),
      errorRatio: ratio(sum(errors), total),
      ratePerSecond: round(recent),
      retries,
      retryRatio: ratio(retries, total),
      retryBudgetDenied: sum(slice(r.retryBudgetDenied)),
      rejected: sum(slice(r.rejected)),
      p50Ms: roundOrNull(estimateQuantile(whole, 0, 0.5, maxMs)),
      p99Ms: roundOrNull(estimateQuantile(whole, 0, 0.99, maxMs)),
      meanMs: total === 0 ? null : round(sum(slice(r.durationSumMs)) / total),
      maxMs: total === 0 ? null : round(maxMs),
    },
    series: {
      requests,
      errors,
      errorRatio: requests.map((q, i) => ratio(errors[i] as number, q)),
      p50Ms: p50,
      p99Ms: p99,
      retries: slice(r.retries),
      retryBudgetDenied: slice(r.retryBudgetDenied),
      rejected: slice(r.rejected),
    },
  };
}

/** The breakers that moved, and (closed) those the config has that never did. */
function breakerViews(records: readonly BreakerRecord[], config: Config | undefined): BreakerView[] {
  const byName = new Map<string, BreakerView>();
  if (config !== undefined) {
    for (const r of [...config.routes, config.defaultRoute]) {
      const name = breakerName(r.name, r);
      if (name === null) continue;
      const known = byName.get(name);
      byName.set(name, { name, routes: [...(known?.routes ?? []), r.name], state: 'closed', since: null, transitions: [] });
    }
  }
  for (const b of records) {
    byName.set(b.name, {
      name: b.name,
      routes: b.routes,
      state: b.state,
      since: b.since === null ? null : iso(b.since),
      transitions: b.transitions.map((t) => ({ ...t, at: iso(t.at) })),
      ...(b.workers === undefined ? {} : { workers: b.workers }),
    });
  }
  return [...byName.values()];
}

function sampleView(s: RequestSample): SampleView {
  return { ...s, at: iso(s.at) };
}
