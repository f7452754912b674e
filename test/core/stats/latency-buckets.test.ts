// The fixed latency buckets and the quantile estimate drawn from them.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateQuantile, LATENCY_BOUNDS_MS, LATENCY_BUCKETS, latencyBucket } from '../../../src/core/stats/latency-buckets.ts';

function histogramOf(durations: readonly number[]): { counts: number[]; max: number } {
  const counts = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const d of durations) counts[latencyBucket(d)] = (counts[latencyBucket(d)] as number) + 1;
  return { counts, max: Math.max(0, ...durations) };
}

describe('latencyBucket', () => {
  it('puts a duration in the first bucket whose upper bound is at least it', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(0.25)).toBe(0);
    expect(latencyBucket(0.26)).toBe(1);
    expect(latencyBucket(1)).toBe(2);
    expect(latencyBucket(100)).toBe(LATENCY_BOUNDS_MS.indexOf(100));
    expect(latencyBucket(100.001)).toBe(LATENCY_BOUNDS_MS.indexOf(100) + 1);
    expect(latencyBucket(10_000)).toBe(LATENCY_BOUNDS_MS.length - 1);
  });

  it('counts anything slower than the last bound in the overflow bucket', () => {
    expect(latencyBucket(10_000.5)).toBe(LATENCY_BUCKETS - 1);
    expect(latencyBucket(3_600_000)).toBe(LATENCY_BUCKETS - 1);
  });

  it('has increasing bounds', () => {
    for (let i = 1; i < LATENCY_BOUNDS_MS.length; i++) expect(LATENCY_BOUNDS_MS[i]).toBeGreaterThan(LATENCY_BOUNDS_MS[i - 1] as number);
  });
});

describe('estimateQuantile', () => {
  it('is null for an empty histogram', () => {
    expect(estimateQuantile(new Array(LATENCY_BUCKETS).fill(0), 0, 0.5, 0)).toBeNull();
  });

  it('interpolates inside the bucket that holds the rank', () => {
    // 10 requests in (10, 15]: the median is half-way through the bucket, the p99 near its top.
    const { counts } = histogramOf(Array(10).fill(12));
    expect(estimateQuantile(counts, 0, 0.5, 15)).toBeCloseTo(12.5, 6);
    expect(estimateQuantile(counts, 0, 0.99, 15)).toBeCloseTo(14.95, 6);
  });

  it('never exceeds the slowest request seen', () => {
    const { counts, max } = histogramOf(Array(10).fill(11));
    expect(estimateQuantile(counts, 0, 0.99, max)).toBe(11);
  });

  it('bounds the overflow bucket by the slowest request seen', () => {
    const { counts, max } = histogramOf([20_000, 30_000]);
    // Interpolated between the last finite bound (10 s) and the slowest request (30 s).
    expect(estimateQuantile(counts, 0, 0.99, max)).toBeCloseTo(10_000 + 20_000 * 0.99, 6);
    expect(estimateQuantile(counts, 0, 1, max)).toBe(30_000);
  });

  it('reads the histogram at an offset (one second of many)', () => {
    const counts = [...new Array<number>(LATENCY_BUCKETS).fill(0), ...histogramOf([1, 1, 1, 400]).counts];
    expect(estimateQuantile(counts, LATENCY_BUCKETS, 0.5, 400)).toBeLessThanOrEqual(1);
    expect(estimateQuantile(counts, LATENCY_BUCKETS, 0.99, 400)).toBeGreaterThan(350);
  });

  it('lands in the same bucket as the true quantile (the error is at most a bucket width)', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0.01, max: 20_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
      fc.constantFrom(0.5, 0.9, 0.99),
      (durations, q) => {
        const { counts, max } = histogramOf(durations);
        const sorted = [...durations].sort((a, b) => a - b);
        const truth = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
        const estimate = estimateQuantile(counts, 0, q, max) as number;
        const k = latencyBucket(truth);
        const lower = k === 0 ? 0 : (LATENCY_BOUNDS_MS[k - 1] as number);
        const upper = k < LATENCY_BOUNDS_MS.length ? (LATENCY_BOUNDS_MS[k] as number) : max;
        expect(estimate).toBeGreaterThanOrEqual(lower);
        expect(estimate).toBeLessThanOrEqual(upper);
      },
    ));
  });
});
