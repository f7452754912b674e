// The live-stats collector, driven by hand with a manual clock: per-second counts per route, the
// window sliding on, the resilience events, the breakers, and the two bounded request lists.

import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, latencyBucket } from '../../../src/core/stats/latency-buckets.ts';
import type { RouteSeries } from '../../../src/core/stats/stats-snapshot.ts';
import { OTHER_ROUTE, TrafficStats } from '../../../src/core/stats/traffic-stats.ts';
import { clocks, end, exchange, ManualClock } from './support.ts';

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

function route(stats: TrafficStats, name: string): RouteSeries {
  const found = stats.snapshot().routes.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no route ${name}`);
  return found;
}

describe('TrafficStats: per-second counts', () => {
  it('knows the configured routes before any request, with empty series as long as the window', () => {
    const stats = new TrafficStats(clocks(new ManualClock()), ['orders', 'default'], { seconds: 60 });
    const snap = stats.snapshot();
    expect(snap.routes.map((r) => r.name)).toEqual(['orders', 'default']);
    expect(snap.routes[0]?.requests).toEqual(new Array(60).fill(0));
    expect(snap.routes[0]?.histogram).toHaveLength(60 * LATENCY_BUCKETS);
    expect(snap.processes).toBe(1);
  });

  it('counts requests, 5xx and latency in the second they ended, newest second last', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['orders'], { seconds: 10 });
    for (let i = 0; i < 5; i++) end(stats, clock, 4);
    end(stats, clock, 40, { status: 503 });
    clock.advance(2000);
    end(stats, clock, 700, { status: 500 });
    end(stats, clock, 2, { status: 404 });

    const r = route(stats, 'orders');
    expect(r.requests.slice(-3)).toEqual([6, 0, 2]);
    expect(r.errors.slice(-3)).toEqual([1, 0, 1]);
    expect(r.durationSumMs.slice(-3)).toEqual([60, 0, 702]);
    expect(r.maxMs.slice(-3)).toEqual([40, 0, 700]);
    const second = (i: number): number[] => r.histogram.slice(i * LATENCY_BUCKETS, (i + 1) * LATENCY_BUCKETS);
    expect(second(7)[latencyBucket(4)]).toBe(5);
    expect(second(7)[latencyBucket(40)]).toBe(1);
    expect(sum(second(9))).toBe(2);
    expect(sum(r.requests.slice(0, 7))).toBe(0);
  });

  it('forgets what left the window, and reuses its slots from zero', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['orders'], { seconds: 10 });
    end(stats, clock, 5, { status: 502 });
    clock.advance(9000);
    expect(sum(route(stats, 'orders').requests)).toBe(1);
    clock.advance(1000); // the first second is now 10 s old
    expect(sum(route(stats, 'orders').requests)).toBe(0);
    // The same ring slot, ten seconds later: counted from zero.
    end(stats, clock, 5);
    const r = route(stats, 'orders');
    expect(r.requests.at(-1)).toBe(1);
    expect(r.errors.at(-1)).toBe(0);
    expect(sum(r.histogram)).toBe(1);
  });

  it('counts retries, budget denials (only) and rejections from the resilience events', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['orders'], { seconds: 10 });
    stats.events.retryScheduled('orders', 1, 503, 25);
    stats.events.retryScheduled('orders', 2, 'reset', 50);
    stats.events.retryDenied('orders', 3, 503, 'budget_exhausted');
    stats.events.retryDenied('orders', 3, 503, 'attempts_exhausted');
    stats.events.requestRejected('orders', 'circuit_open');
    clock.advance(1000);
    stats.events.requestRejected('orders', 'overloaded');
    const r = route(stats, 'orders');
    expect(r.retries.slice(-2)).toEqual([2, 0]);
    expect(r.retryBudgetDenied.slice(-2)).toEqual([1, 0]);
    expect(r.rejected.slice(-2)).toEqual([1, 1]);
    expect(sum(r.requests)).toBe(0);
  });

  it('places an exchange in the second it ended, from its monotonic start and duration, in wall-clock time', () => {
    const wall = new ManualClock(); // 12:00:00.000 UTC
    const monotonic = new ManualClock(5000); // 5 s since the process started
    const stats = new TrafficStats({ wall, monotonic }, ['orders'], { seconds: 10 });
    // Started 2.5 s ago on the monotonic clock, 600 ms long: it ended 1.9 s ago, in second -2.
    stats.exchanges.exchangeEnded(exchange({ startedAt: monotonic.ms - 2500, status: 502 }), 600);
    const snap = stats.snapshot();
    expect(snap.endSecond).toBe(wall.ms / 1000);
    expect(snap.routes[0]?.requests.slice(-3)).toEqual([1, 0, 0]);
    expect(snap.failed[0]?.at).toBe(wall.ms - 1900);
    // Events have no time of their own: they happen now.
    stats.events.requestRejected('orders', 'overloaded');
    expect(stats.snapshot().routes[0]?.rejected.at(-1)).toBe(1);
  });

  it('adds a route it meets at run time, up to maxRoutes; beyond, they are counted together', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['a'], { seconds: 10, maxRoutes: 2 });
    end(stats, clock, 1, { route: 'b' });
    end(stats, clock, 1, { route: 'c' });
    end(stats, clock, 1, { route: 'd' });
    const names = stats.snapshot().routes.map((r) => r.name);
    expect(names).toEqual(['a', 'b', OTHER_ROUTE]);
    expect(sum(route(stats, OTHER_ROUTE).requests)).toBe(2);
  });
});

describe('TrafficStats: breakers', () => {
  it('keeps each breaker state, since when, and its transitions newest first, bounded', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['orders'], { transitions: 3 });
    expect(stats.snapshot().breakers).toEqual([]);
    stats.events.breakerTransition('payments', ['checkout', 'refund'], 'closed', 'open');
    clock.advance(5000);
    stats.events.breakerTransition('payments', ['checkout', 'refund'], 'open', 'half-open');
    clock.advance(10);
    stats.events.breakerTransition('payments', ['checkout', 'refund'], 'half-open', 'open');
    clock.advance(10_000);
    stats.events.breakerTransition('payments', ['checkout', 'refund'], 'open', 'half-open');
    const [b] = stats.snapshot().breakers;
    expect(b).toMatchObject({ name: 'payments', routes: ['checkout', 'refund'], state: 'half-open', since: clock.ms });
    expect(b?.transitions.map((t) => `${t.from}>${t.to}`)).toEqual(['open>half-open', 'half-open>open', 'open>half-open']);
    expect(b?.transitions[0]?.at).toBe(clock.ms);
  });
});

describe('TrafficStats: slowest and failed requests', () => {
  it('lists the failed requests newest first, the query cut off the path, at most `failed` of them', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['orders'], { failed: 3 });
    for (let i = 1; i <= 5; i++) {
      clock.advance(100);
      end(stats, clock, i, { status: 502, target: `/orders/${i}?token=secret`, reason: 'upstream_reset', attempts: 2, upstreamOutcome: 'reset', traceId: `t${i}`, sampled: i % 2 === 0 });
    }
    end(stats, clock, 1, { status: 499 }); // the client left: not a failure of the app
    const failed = stats.snapshot().failed;
    expect(failed.map((f) => f.path)).toEqual(['/orders/5', '/orders/4', '/orders/3']);
    expect(failed[0]).toEqual({
      at: clock.ms, route: 'orders', method: 'GET', path: '/orders/5', status: 502, reason: 'upstream_reset',
      attempts: 2, upstream: 'reset', durationMs: 5, traceId: 't5', sampled: false,
    });
    expect(failed[1]?.sampled).toBe(true);
  });

  it('keeps the slowest requests of the window, slowest first, bounded; they leave with their minute', () => {
    const clock = new ManualClock(); // 12:00:00
    const stats = new TrafficStats(clocks(clock), ['orders'], { seconds: 60, slowest: 3 });
    const ended = (ms: number, target = `/d/${ms}`): void => end(stats, clock, ms, { target });
    for (const ms of [5, 50, 1, 500]) ended(ms);
    clock.advance(50_000); // 12:00:50
    for (const ms of [20, 7, 300]) ended(ms);
    expect(stats.snapshot().slowest.map((s) => s.durationMs)).toEqual([500, 300, 50]);

    // 12:01:10: a new minute keeps its own slowest; 500 and 50 (12:00:00) are out of the 60 s window.
    clock.advance(20_000);
    ended(2, '/later');
    expect(stats.snapshot().slowest.map((s) => s.durationMs)).toEqual([300, 2]);

    // 12:02:00.5: the first minute is out of the 60 s window; what is left of the window shows.
    clock.advance(50_500);
    expect(stats.snapshot().slowest.map((s) => s.path)).toEqual(['/later']);
    ended(3, '/now'); // reuses the first minute's place in the ring, from empty
    expect(stats.snapshot().slowest.map((s) => s.path)).toEqual(['/now', '/later']);
  });

  it('copies what it lists: a record reused by the caller afterwards does not change the list', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['orders']);
    const record = { ...exchange({ status: 503, target: '/a', startedAt: clock.ms - 10 }) } as { -readonly [K in keyof ReturnType<typeof exchange>]: ReturnType<typeof exchange>[K] };
    stats.exchanges.exchangeEnded(record, 10);
    record.target = '/b';
    record.status = 200;
    expect(stats.snapshot().failed.map((f) => [f.path, f.status])).toEqual([['/a', 503]]);
  });
});
