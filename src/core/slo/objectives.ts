// A route's SLO as objectives: for each promise (availability, latency), what a bad request is and the
// PromQL of the share of the route's requests that were bad over a window.
//
// The ratios sum over methods, statuses and pods: an SLO is about what the route's clients saw, all of
// them. Sightline's own answers count (a 503 overloaded or circuit_open is an outage to the client).

import { formatPercent, promString, tidy } from './promql.ts';
import { REQUEST_DURATION_METRIC, ROUTE_LABEL, STATUS_LABEL, formatBucketBound } from './request-duration-metric.ts';
import type { SloConfig } from './slo-config.ts';

export type SloKind = 'availability' | 'latency';

export interface Objective {
  readonly route: string;
  readonly slo: SloKind;
  /** Share of requests that must be good, e.g. 0.999. */
  readonly target: number;
  /** Share of requests that may be bad: the error budget, e.g. 0.001. */
  readonly budget: number;
  readonly windowMs: number;
  /** The middle of the recorded ratios' names: `sightline_route:<ratio>:ratio_rate5m`. */
  readonly ratio: string;
  /** PromQL: the share of the route's requests that were bad over `range` (e.g. `5m`). */
  readonly badShare: (range: string) => string;
  /** What made a request bad, for alert text: `answered 5xx`. */
  readonly bad: string;
  /** The promise, for alert text: `99.9% availability`. */
  readonly promise: string;
}

const COUNT = `${REQUEST_DURATION_METRIC}_count`;
const BUCKET = `${REQUEST_DURATION_METRIC}_bucket`;

function sumRate(series: string, selectors: readonly string[], range: string): string {
  return `sum by (${ROUTE_LABEL}) (rate(${series}{${selectors.join(', ')}}[${range}]))`;
}

/**
 * Prometheus 3 stores a classic histogram's integer bounds as `1.0` where 2.x kept the `1` Sightline
 * exposes; matching both keeps the rules working across the upgrade.
 */
function leMatcher(seconds: number): string {
  return Number.isInteger(seconds) ? `le=~${promString(`${seconds}(\\.0)?`)}` : `le=${promString(String(seconds))}`;
}

function availability(route: string, target: number, windowMs: number): Objective {
  const all = [`${ROUTE_LABEL}=${promString(route)}`];
  const errors = [...all, `${STATUS_LABEL}=~"5.."`];
  return {
    route, slo: 'availability', target, budget: tidy(1 - target), windowMs,
    ratio: 'slo_errors',
    // With no 5xx series at all the errors are 0, not missing: `or` fills them in from the total.
    badShare: (range) => [
      '(',
      `  ${sumRate(COUNT, errors, range)}`,
      '  or',
      `  0 * ${sumRate(COUNT, all, range)}`,
      ')',
      '/',
      sumRate(COUNT, all, range),
    ].join('\n'),
    bad: 'answered 5xx',
    promise: `${formatPercent(target)} availability`,
  };
}

function latency(route: string, target: number, thresholdSeconds: number, windowMs: number): Objective {
  const all = [`${ROUTE_LABEL}=${promString(route)}`];
  const threshold = formatBucketBound(thresholdSeconds);
  return {
    route, slo: 'latency', target, budget: tidy(1 - target), windowMs,
    ratio: 'slo_slow_requests',
    badShare: (range) => [
      '1 - (',
      `  ${sumRate(BUCKET, [...all, leMatcher(thresholdSeconds)], range)}`,
      '  /',
      `  ${sumRate(COUNT, all, range)}`,
      ')',
    ].join('\n'),
    bad: `slower than ${threshold}`,
    promise: `${formatPercent(target)} of requests within ${threshold}`,
  };
}

export function routeObjectives(route: string, slo: SloConfig): Objective[] {
  const objectives: Objective[] = [];
  if (slo.availability !== undefined) objectives.push(availability(route, tidy(slo.availability), slo.windowMs));
  if (slo.latency !== undefined) objectives.push(latency(route, tidy(slo.latency.target), slo.latency.thresholdSeconds, slo.windowMs));
  return objectives;
}
