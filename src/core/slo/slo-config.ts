// A route's `slo`: what it promises its clients, from which `sightline slo-rules` writes Prometheus rules.
// An SLO is a promise about one route, so unlike the policy keys it is never inherited from defaultRoute,
// and a route without `slo` has none.

import type { Section } from '../config/reader.ts';
import { FAST_BURN } from './burn-rate-windows.ts';
import { formatPercent } from './promql.ts';
import { DURATION_BUCKETS_SECONDS, durationBucketAt, formatBucketBound, REQUEST_DURATION_METRIC } from './request-duration-metric.ts';

export interface LatencyObjective {
  /** A bucket bound of the request duration histogram, in seconds. */
  readonly thresholdSeconds: number;
  /** Share of requests answered within the threshold, e.g. 0.99. */
  readonly target: number;
}

export interface SloConfig {
  /** Share of requests not answered 5xx, e.g. 0.999; absent: no availability objective. */
  readonly availability?: number;
  readonly latency?: LatencyObjective;
  /** The window the error budget is counted over. */
  readonly windowMs: number;
}

const HOUR = 3_600_000;
const DEFAULT_WINDOW = 30 * 24 * HOUR;

/**
 * Below this target a fast burn cannot happen: 14.4 × the allowed share of bad requests would be more
 * than every request. Refused rather than written as an alert that can never fire.
 */
const LOWEST_TARGET = 1 - 1 / FAST_BURN.factor;

function targetProblem(share: number): string | undefined {
  if (share <= 0) return 'must be more than 0%, e.g. 99.9%';
  if (share === 1) return 'must be less than 100%: a 100% target leaves no error budget to alert on';
  if (share > 1) return 'must be less than 100% (a number without % is a fraction: 99.9% is 0.999)';
  if (share <= LOWEST_TARGET) {
    return `must be more than ${formatPercent(Math.ceil(LOWEST_TARGET * 1e4) / 1e4)}: the fast-burn page fires when ${FAST_BURN.factor}× the allowed share of requests is bad, and ${FAST_BURN.factor} × ${formatPercent(1 - share)} is more than all of them`;
  }
  return undefined;
}

/** A target share (`99.9%` or `0.999`), checked; undefined when absent or wrong (then reported). */
function readTarget(s: Section, key: string): number | undefined {
  const share = s.ratio(key, NaN);
  if (!s.has(key) || Number.isNaN(share)) return undefined;
  const problem = targetProblem(share);
  if (problem === undefined) return share;
  s.report(key, problem);
  return undefined;
}

interface ReadLatency {
  readonly objective: LatencyObjective | undefined;
  /** Required keys that were not written. */
  readonly missing: readonly string[];
}

function readLatency(s: Section): ReadLatency {
  const thresholdMs = s.duration('threshold', NaN);
  const target = readTarget(s, 'target');
  let thresholdSeconds: number | undefined;
  if (!Number.isNaN(thresholdMs)) {
    thresholdSeconds = durationBucketAt(thresholdMs);
    if (thresholdSeconds === undefined) {
      s.report('threshold', `must be a bucket bound of ${REQUEST_DURATION_METRIC}, one of: ${DURATION_BUCKETS_SECONDS.map(formatBucketBound).join(', ')}`);
    }
  }
  return {
    objective: thresholdSeconds === undefined || target === undefined ? undefined : { thresholdSeconds, target },
    missing: ['threshold', 'target'].filter((key) => !s.has(key)),
  };
}

function readObjectives(s: Section): SloConfig {
  const availability = readTarget(s, 'availability');
  let latency: LatencyObjective | undefined;
  if (s.has('latency')) {
    const read = s.section('latency', readLatency);
    latency = read.objective;
    // Reported on `latency` itself: a key that was never written has no line of its own.
    if (read.missing.length > 0) s.report('latency', `needs ${read.missing.join(' and ')}, e.g. {threshold: 250ms, target: 99%}`);
  }
  return {
    ...(availability === undefined ? {} : { availability }),
    ...(latency === undefined ? {} : { latency }),
    windowMs: s.duration('window', DEFAULT_WINDOW, { min: HOUR }),
  };
}

/** The `slo` of a route (or of defaultRoute); undefined when the route has none. */
export function readSlo(route: Section): SloConfig | undefined {
  if (!route.has('slo')) return undefined;
  let written = false;
  const slo = route.section('slo', (s) => {
    written = s.has('availability') || s.has('latency');
    return readObjectives(s);
  });
  if (!written) route.report('slo', 'needs availability, latency or both, e.g. {availability: 99.9%}');
  return slo;
}
