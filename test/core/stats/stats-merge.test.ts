// Adding up the workers' snapshots: counts and latency buckets second by second, aligned on the wall
// clock; breakers at their worst; the request lists merged, cut to length and tagged with their worker.

import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS } from '../../../src/core/stats/latency-buckets.ts';
import { mergeSnapshots } from '../../../src/core/stats/stats-merge.ts';
import { TrafficStats } from '../../../src/core/stats/traffic-stats.ts';
import { clocks, end, ManualClock } from './support.ts';

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe('mergeSnapshots', () => {
  it('sums every count and histogram bucket of the same second, whichever second each worker ended on', () => {
    const clock = new ManualClock();
    const one = new TrafficStats(clocks(clock), ['orders', 'default'], { seconds: 10 });
    const two = new TrafficStats(clocks(clock), ['orders', 'default'], { seconds: 10 });
    for (let i = 0; i < 3; i++) end(one, clock, 4);
    end(two, clock, 40, { status: 503 });
    one.events.retryScheduled('orders', 1, 503, 10);
    const first = one.snapshot(); // ends a second earlier than the other
    clock.advance(1000);
    for (let i = 0; i < 2; i++) end(two, clock, 4);
    end(two, clock, 900, { route: 'search' });
    const second = two.snapshot();

    const merged = mergeSnapshots([{ source: 1, snapshot: first }, { source: 2, snapshot: second }], clock.ms);
    expect(merged.processes).toBe(2);
    expect(merged.endSecond).toBe(second.endSecond);
    const orders = merged.routes.find((r) => r.name === 'orders');
    expect(orders?.requests.slice(-2)).toEqual([4, 2]);
    expect(orders?.errors.slice(-2)).toEqual([1, 0]);
    expect(orders?.retries.slice(-2)).toEqual([1, 0]);
    expect(orders?.maxMs.slice(-2)).toEqual([40, 4]);
    expect(sum(orders?.histogram ?? [])).toBe(6);
    expect(orders?.histogram.slice(8 * LATENCY_BUCKETS, 9 * LATENCY_BUCKETS).reduce((a, b) => a + b, 0)).toBe(4);
    expect(merged.routes.map((r) => r.name).sort()).toEqual(['default', 'orders', 'search']);
    expect(sum(merged.routes.find((r) => r.name === 'search')?.requests ?? [])).toBe(1);
  });

  it('shows each breaker at its worst state among the workers, with every transition tagged by worker', () => {
    const clock = new ManualClock();
    const one = new TrafficStats(clocks(clock), []);
    const two = new TrafficStats(clocks(clock), []);
    one.events.breakerTransition('orders', ['orders'], 'closed', 'open');
    clock.advance(10);
    two.events.breakerTransition('orders', ['orders'], 'closed', 'open');
    clock.advance(10);
    two.events.breakerTransition('orders', ['orders'], 'open', 'half-open');
    const [b] = mergeSnapshots([{ source: 1, snapshot: one.snapshot() }, { source: 2, snapshot: two.snapshot() }], clock.ms).breakers;
    expect(b?.state).toBe('open');
    expect(b?.since).toBe(clock.ms - 20);
    expect(b?.workers).toEqual([{ worker: 1, state: 'open' }, { worker: 2, state: 'half-open' }]);
    expect(b?.transitions.map((t) => [t.worker, t.to])).toEqual([[2, 'half-open'], [2, 'open'], [1, 'open']]);
  });

  it('merges the request lists: slowest first and failed newest first, each cut to its limit', () => {
    const clock = new ManualClock();
    const one = new TrafficStats(clocks(clock), ['orders']);
    const two = new TrafficStats(clocks(clock), ['orders']);
    for (const [stats, ms] of [[one, 10], [two, 30], [one, 20], [two, 5]] as const) {
      clock.advance(1);
      end(stats, clock, ms, { status: 502, target: `/${ms}` });
    }
    const merged = mergeSnapshots([{ source: 1, snapshot: one.snapshot() }, { source: 2, snapshot: two.snapshot() }], clock.ms, { slowest: 3, failed: 2, transitions: 10 });
    expect(merged.slowest.map((s) => [s.worker, s.durationMs])).toEqual([[2, 30], [1, 20], [1, 10]]);
    expect(merged.failed.map((s) => [s.worker, s.path])).toEqual([[2, '/5'], [1, '/20']]);
  });

  it('gives an empty snapshot when no worker answered, and refuses snapshots of different shapes', () => {
    const empty = mergeSnapshots([], Date.UTC(2025, 0, 1));
    expect(empty).toMatchObject({ processes: 0, routes: [], breakers: [], slowest: [], failed: [], endSecond: Date.UTC(2025, 0, 1) / 1000 });
    const clock = new ManualClock();
    const a = new TrafficStats(clocks(clock), ['x'], { seconds: 10 }).snapshot();
    const b = new TrafficStats(clocks(clock), ['x'], { seconds: 20 }).snapshot();
    expect(() => mergeSnapshots([{ source: 1, snapshot: a }, { source: 2, snapshot: b }], clock.ms)).toThrow(/different shapes/);
  });
});
