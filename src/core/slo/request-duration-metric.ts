// The metric the SLOs are computed from, as the metrics adapter exposes it: the rules generated here
// select it by these names, and a latency threshold is only measurable at one of these bucket bounds.

export const REQUEST_DURATION_METRIC = 'http_server_request_duration_seconds';

export const ROUTE_LABEL = 'http_route';
export const STATUS_LABEL = 'http_response_status_code';

/** OTel's recommended buckets for HTTP durations, in seconds. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The bucket bound equal to `ms`, in seconds; undefined when no bucket ends there. */
export function durationBucketAt(ms: number): number | undefined {
  return DURATION_BUCKETS_SECONDS.find((seconds) => Math.round(seconds * 1000) === ms);
}

/** A bucket bound as people write it in the config: `250ms`, `1s`, `2.5s`. */
export function formatBucketBound(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)}ms` : `${seconds}s`;
}
