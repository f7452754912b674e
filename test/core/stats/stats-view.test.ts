// What /debug/stats answers, computed from a snapshot: totals and ratios, per-second quantiles, the
// routes in config order with their policies, and the breakers the config has even before they move.

import { describe, expect, it } from 'vitest';
import { readConfig, type Config } from '../../../src/core/config/model.ts';
import { HealthHistory } from '../../../src/core/stats/health-history.ts';
import { statsView } from '../../../src/core/stats/stats-view.ts';
import { TrafficStats } from '../../../src/core/stats/traffic-stats.ts';
import { clocks, end, ManualClock } from './support.ts';

function config(values: Record<string, unknown>): Config {
  const { config, issues } = readConfig({ values, origins: new Map() });
  expect(issues).toEqual([]);
  return config;
}

const CONFIG = config({
  routes: [
    { name: 'orders', match: { path: '/orders/*' }, retry: { attempts: 3, budget: { ratio: '50%' } } },
    { name: 'search', match: { path: '/search' }, circuitBreaker: { consecutiveFailures: 0, failureRate: 0 } },
    { name: 'refunds', match: { path: '/refunds' }, circuitBreaker: { group: 'payments' } },
    { name: 'checkout', match: { path: '/checkout' }, circuitBreaker: { group: 'payments' } },
  ],
});

describe('statsView', () => {
  it('totals a route over the window: requests, 5xx ratio, retries per request, quantiles, the recent rate', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['orders'], { seconds: 60 });
    for (let s = 0; s < 10; s++) {
      for (let i = 0; i < 9; i++) end(stats, clock, 2);
      end(stats, clock, 200, { status: 503 });
      stats.events.retryScheduled('orders', 1, 503, 10);
      clock.advance(1000);
    }
    end(stats, clock, 2); // the second being counted
    const orders = statsView(stats.snapshot()).routes[0];
    expect(orders?.totals).toMatchObject({ requests: 101, errors: 10, errorRatio: 0.099, retries: 10, retryRatio: 0.099, rejected: 0, retryBudgetDenied: 0, maxMs: 200 });
    expect(orders?.totals.ratePerSecond).toBe(10); // the ten complete seconds before this one
    expect(orders?.totals.p50Ms).toBeGreaterThan(1);
    expect(orders?.totals.p50Ms).toBeLessThanOrEqual(2);
    expect(orders?.totals.p99Ms).toBeGreaterThan(150);
    expect(orders?.totals.meanMs).toBeCloseTo((91 * 2 + 10 * 200) / 101, 3);
    expect(orders?.series.requests.slice(-11)).toEqual([...Array(10).fill(10), 1]);
    expect(orders?.series.errorRatio.slice(-12)).toEqual([null, ...Array(10).fill(0.1), 0]);
    expect(orders?.series.p99Ms.at(-2)).toBeGreaterThan(150);
    expect(orders?.series.p50Ms.at(-12)).toBeNull();
  });

  it('shows the last `seconds` only, totals included', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['orders'], { seconds: 60 });
    end(stats, clock, 2);
    clock.advance(30_000);
    end(stats, clock, 2);
    const view = statsView(stats.snapshot(), { seconds: 10 });
    expect(view.window.seconds).toBe(10);
    expect(view.routes[0]?.series.requests).toHaveLength(10);
    expect(view.routes[0]?.totals.requests).toBe(1);
    expect(new Date(view.window.end).getTime() - new Date(view.window.start).getTime()).toBe(10_000);
    expect(statsView(stats.snapshot(), { seconds: 1e9 }).window.seconds).toBe(60);
    expect(statsView(stats.snapshot(), { seconds: -5 }).window.seconds).toBe(1);
  });

  it('orders routes as the config does, with their policies; lists configured breakers that never moved as closed', () => {
    const clock = new ManualClock();
    const stats = new TrafficStats(clocks(clock), ['default', 'checkout', 'orders', 'search', 'refunds']);
    stats.events.breakerTransition('payments', ['refunds', 'checkout'], 'closed', 'open');
    const view = statsView(stats.snapshot(), { config: CONFIG });
    expect(view.routes.map((r) => r.name)).toEqual(['orders', 'search', 'refunds', 'checkout', 'default']);
    expect(view.routes[0]?.policy).toEqual({ timeoutMs: 15_000, retryAttempts: 3, retryBudget: { ratio: 0.5, minPerSecond: 10 }, circuitBreaker: 'orders' });
    expect(view.routes[1]?.policy?.circuitBreaker).toBeNull();
    expect(view.routes[2]?.policy?.circuitBreaker).toBe('payments');
    expect(view.breakers.map((b) => [b.name, b.state, b.routes])).toEqual([
      ['orders', 'closed', ['orders']],
      ['payments', 'open', ['refunds', 'checkout']],
      ['default', 'closed', ['default']],
    ]);
    expect(view.breakers[1]?.since).toBe(new Date(clock.ms).toISOString());
  });

  it('includes the upstream health with its history, and request samples with ISO times', () => {
    const clock = new ManualClock();
    const history = new HealthHistory(clock, 2);
    history.record(true, 'connected');
    clock.advance(1000);
    history.record(false, 'ECONNREFUSED');
    clock.advance(1000);
    history.record(true, 'connected');
    const stats = new TrafficStats(clocks(clock), ['orders']);
    end(stats, clock, 3, { status: 500 });
    const view = statsView(stats.snapshot(), { upstream: { origin: 'http://127.0.0.1:8080', healthy: true, detail: 'connected', ...history.view() } });
    expect(view.upstream).toEqual({
      origin: 'http://127.0.0.1:8080', healthy: true, detail: 'connected', since: new Date(clock.ms).toISOString(),
      changes: [
        { at: new Date(clock.ms).toISOString(), healthy: true, detail: 'connected' },
        { at: new Date(clock.ms - 1000).toISOString(), healthy: false, detail: 'ECONNREFUSED' },
      ],
    });
    expect(view.failed[0]?.at).toBe(new Date(clock.ms).toISOString());
    expect(view.latency.boundsMs.length).toBeGreaterThan(10);
    expect(statsView(stats.snapshot()).upstream).toBeNull();
  });
});
