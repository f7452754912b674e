// Request latency for the live dashboard: a small fixed histogram per second, from which the quantiles
// are estimated when asked for, never per request. Fixed bounds make histograms of different seconds,
// routes and worker processes add up bucket by bucket.

/** Upper bounds (ms) of the finite buckets, about 1.5× to 2× apart; one more bucket holds everything slower. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 35, 50, 75, 100, 150, 250, 350, 500, 750, 1000, 1500, 2500, 5000, 10000,
];

/** Buckets per histogram: the finite ones and the overflow bucket. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** The bucket of a duration: the first whose upper bound is ≥ `ms` (bucket k holds (bound[k-1], bound[k]]). */
export function latencyBucket(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms <= (LATENCY_BOUNDS_MS[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The q-quantile (0 < q ≤ 1) of the durations counted in `counts[offset .. offset + LATENCY_BUCKETS)`, as
 * Prometheus' histogram_quantile does it: find the bucket holding the rank, interpolate linearly inside it
 * (assuming the durations spread evenly between its bounds), then cap the estimate at `maxMs`, the
 * slowest duration actually seen (which also bounds the overflow bucket). The error is at most the width
 * of one bucket. Null when nothing was counted.
 */
export function estimateQuantile(counts: ArrayLike<number>, offset: number, q: number, maxMs: number): number | null {
  let total = 0;
  for (let k = 0; k < LATENCY_BUCKETS; k++) total += counts[offset + k] as number;
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let k = 0; k < LATENCY_BUCKETS; k++) {
    const n = counts[offset + k] as number;
    if (n > 0 && below + n >= rank) {
      const lower = k === 0 ? 0 : (LATENCY_BOUNDS_MS[k - 1] as number);
      const upper = k < LATENCY_BOUNDS_MS.length ? (LATENCY_BOUNDS_MS[k] as number) : Math.max(lower, maxMs);
      const estimate = lower + ((upper - lower) * (rank - below)) / n;
      return Math.min(estimate, maxMs);
    }
    below += n;
  }
  return maxMs;
}
