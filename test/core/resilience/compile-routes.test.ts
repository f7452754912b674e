import { describe, expect, it } from 'vitest';
import type { DefaultRouteConfig, RouteConfig } from '../../../src/core/config/policy.ts';
import { REFUSED } from '../../../src/core/resilience/circuit-breaker.ts';
import { compileRoutes } from '../../../src/core/resilience/compile-routes.ts';
import type { RoutePolicy } from '../../../src/core/resilience/route-policy.ts';
import { defaultRouteConfig, routeConfig, withDefaults } from './config.ts';
import { RecordingEvents } from './recording-events.ts';


function compile(routes: readonly RouteConfig[], defaultRoute: DefaultRouteConfig = defaultRouteConfig(), random: () => number = () => 0.5) {
  const events = new RecordingEvents();
  return { ...compileRoutes(defaultRoute, routes, { random, events }), events };
}

/** Ends `n` attempts of `route` with a 503 at `now`. */
function fail(route: RoutePolicy, n: number, now = 0): void {
  for (let i = 0; i < n; i++) route.endAttempt(route.admitAttempt(now), 1, 503, now, now);
}

function byName(all: readonly RoutePolicy[], name: string): RoutePolicy {
  const found = all.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no route ${name}`);
  return found;
}

describe('compileRoutes: breakers', () => {
  it('gives the routes of a group one shared breaker, named after the group', () => {
    const { all } = compile([
      routeConfig('a', '/a/*', { circuitBreaker: { group: 'api' } }),
      routeConfig('b', '/b/*', { circuitBreaker: { group: 'api' } }),
    ]);
    const [a, b] = all as [RoutePolicy, RoutePolicy];
    expect(a.breaker).not.toBeNull();
    expect(a.breaker).toBe(b.breaker);
    expect(a.breaker?.name).toBe('api');
  });

  it('refuses attempts on every route of a group once one route trips it', () => {
    const { all, events } = compile([
      routeConfig('a', '/a/*', { circuitBreaker: { group: 'api' } }),
      routeConfig('b', '/b/*', { circuitBreaker: { group: 'api' } }),
      routeConfig('c', '/c/*'),
    ]);
    const [a, b, c, fallback] = all as [RoutePolicy, RoutePolicy, RoutePolicy, RoutePolicy];
    expect(b.admitAttempt(0)).not.toBe(REFUSED);
    fail(a, 5);
    expect(b.admitAttempt(1)).toBe(REFUSED);
    expect(c.admitAttempt(1)).not.toBe(REFUSED);
    expect(fallback.admitAttempt(1)).not.toBe(REFUSED);
    expect(events.of('breakerTransition')).toEqual([['breakerTransition', 'api', ['a', 'b'], 'closed', 'open']]);
  });

  it('counts the failures of all the routes of a group together', () => {
    const { all } = compile([
      routeConfig('a', '/a/*', { circuitBreaker: { group: 'api' } }),
      routeConfig('b', '/b/*', { circuitBreaker: { group: 'api' } }),
    ]);
    const [a, b] = all as [RoutePolicy, RoutePolicy];
    fail(a, 3);
    fail(b, 2);
    expect(a.admitAttempt(1)).toBe(REFUSED);
  });

  it('gives a route without a group its own breaker, named after the route', () => {
    const { all, events } = compile([routeConfig('a', '/a/*'), routeConfig('b', '/b/*')]);
    const [a, b, fallback] = all as [RoutePolicy, RoutePolicy, RoutePolicy];
    expect(a.breaker).not.toBe(b.breaker);
    expect(a.breaker).not.toBe(fallback.breaker);
    expect(a.breaker?.name).toBe('a');
    expect(fallback.breaker?.name).toBe('default');
    fail(a, 5);
    expect(a.admitAttempt(1)).toBe(REFUSED);
    expect(b.admitAttempt(1)).not.toBe(REFUSED);
    expect(fallback.admitAttempt(1)).not.toBe(REFUSED);
    expect(events.of('breakerTransition')).toEqual([['breakerTransition', 'a', ['a'], 'closed', 'open']]);
  });

  it('builds no breaker when both triggers are 0', () => {
    const { all } = compile([routeConfig('off', '/off/*', { circuitBreaker: { consecutiveFailures: 0, failureRate: 0 } })]);
    const off = byName(all, 'off');
    expect(off.breaker).toBeNull();
    fail(off, 100);
    expect(off.admitAttempt(1)).toBe(0);
  });

  it('builds a breaker when only one trigger is on', () => {
    const { all } = compile([
      routeConfig('rate', '/rate/*', { circuitBreaker: { consecutiveFailures: 0, failureRate: 0.5, minRequests: 4 } }),
      routeConfig('run', '/run/*', { circuitBreaker: { consecutiveFailures: 3, failureRate: 0 } }),
    ]);
    const rate = byName(all, 'rate');
    const run = byName(all, 'run');
    fail(rate, 3);
    expect(rate.admitAttempt(1)).not.toBe(REFUSED);
    fail(rate, 1);
    expect(rate.admitAttempt(1)).toBe(REFUSED);
    fail(run, 2);
    expect(run.admitAttempt(1)).not.toBe(REFUSED);
    fail(run, 1);
    expect(run.admitAttempt(1)).toBe(REFUSED);
  });

  it('gives the default route no breaker when its triggers are off', () => {
    const { defaultRoute } = compile([], withDefaults({ circuitBreaker: { consecutiveFailures: 0, failureRate: 0 } }));
    expect(defaultRoute.breaker).toBeNull();
  });

  it('compiles failOn: a 4xx does not trip a breaker, a listed code does', () => {
    const { all } = compile([
      routeConfig('plain', '/p/*'),
      routeConfig('strict', '/s/*', { circuitBreaker: { consecutiveFailures: 2, failOn: ['429'] } }),
    ]);
    const plain = byName(all, 'plain');
    const strict = byName(all, 'strict');
    for (let i = 0; i < 10; i++) plain.endAttempt(plain.admitAttempt(0), 1, 429, 0, 0);
    expect(plain.admitAttempt(0)).not.toBe(REFUSED);
    for (let i = 0; i < 2; i++) strict.endAttempt(strict.admitAttempt(0), 1, 429, 0, 0);
    expect(strict.admitAttempt(0)).toBe(REFUSED);
  });

  it('opens a breaker for its openFor setting', () => {
    const { all } = compile([routeConfig('a', '/a/*', { circuitBreaker: { consecutiveFailures: 1, openForMs: 750 } })]);
    const a = byName(all, 'a');
    fail(a, 1, 100);
    expect(a.admitAttempt(849)).toBe(REFUSED);
    expect(a.admitAttempt(850)).not.toBe(REFUSED);
  });

  it('keeps the breaker of an ungrouped route apart from a group that happens to have its name', () => {
    const { all, events } = compile([
      routeConfig('users', '/users/*'),
      routeConfig('orders', '/orders/*', { circuitBreaker: { group: 'users' } }),
      routeConfig('stock', '/stock/*', { circuitBreaker: { group: 'default' } }),
    ]);
    const users = byName(all, 'users');
    const orders = byName(all, 'orders');
    const stock = byName(all, 'stock');
    const fallback = byName(all, 'default');
    expect(users.breaker).not.toBe(orders.breaker);
    expect(stock.breaker).not.toBe(fallback.breaker);
    fail(orders, 5);
    expect(users.admitAttempt(1)).not.toBe(REFUSED);
    fail(stock, 5);
    expect(fallback.admitAttempt(1)).not.toBe(REFUSED);
    expect(events.of('breakerTransition')).toEqual([
      ['breakerTransition', 'users', ['orders'], 'closed', 'open'],
      ['breakerTransition', 'default', ['stock'], 'closed', 'open'],
    ]);
  });
});

describe('compileRoutes: the table', () => {
  it('matches routes by their templates and falls back to the default route', () => {
    const { table, defaultRoute, all } = compile([routeConfig('a', '/a/*'), routeConfig('item', '/items/:id')]);
    expect(table.match('GET', '/a/x/y', [])).toBe(byName(all, 'a'));
    expect(table.match('POST', '/items/7', [])).toBe(byName(all, 'item'));
    expect(table.match('GET', '/items/7/more', [])).toBe(defaultRoute);
    expect(table.match('GET', '/zzz', [])).toBe(defaultRoute);
  });

  it('sends everything to the default route when there are no routes', () => {
    const { table, defaultRoute } = compile([]);
    expect(table.match('GET', '/', [])).toBe(defaultRoute);
    expect(table.match('DELETE', '/anything/at/all', [])).toBe(defaultRoute);
  });

  it('lists every route in config order, then the default route', () => {
    const { all, defaultRoute } = compile([routeConfig('z', '/z'), routeConfig('a', '/a'), routeConfig('m', '/m')]);
    expect(all.map((r) => r.name)).toEqual(['z', 'a', 'm', 'default']);
    expect(all.at(-1)).toBe(defaultRoute);
  });

  it('lists only the default route when there are no routes', () => {
    const { all, defaultRoute } = compile([]);
    expect(all).toEqual([defaultRoute]);
  });

  it('names the default route as configured', () => {
    const base = { ...defaultRouteConfig(), name: 'fallback' };
    const { defaultRoute } = compile([], base);
    expect(defaultRoute.name).toBe('fallback');
    expect(defaultRoute.breaker?.name).toBe('fallback');
  });
});

describe('compileRoutes: each route its own policies', () => {
  it('carries timeouts, limits and retry settings from config', () => {
    const { all } = compile([
      routeConfig('a', '/a/*', {
        timeoutMs: 2_000,
        maxInFlight: 7,
        retry: { attempts: 3, perTryTimeoutMs: 500, retryOn: ['5xx'], methods: ['GET', 'POST'], bufferLimit: 1024, retryAfterMaxMs: 300 },
      }),
      routeConfig('single', '/s/*', { retry: { attempts: 1 } }),
    ]);
    const a = byName(all, 'a');
    expect(a.timeoutMs).toBe(2_000);
    expect(a.perTryTimeoutMs).toBe(500);
    expect(a.limit.max).toBe(7);
    expect(a.bufferLimit).toBe(1024);
    expect(a.retry.settings.attempts).toBe(3);
    expect(a.retry.settings.retryOn.has(500)).toBe(true);
    expect(a.retry.settings.retryOn.has('connect-failure')).toBe(false);
    expect(a.retry.isSafe('POST', false)).toBe(true);
    expect(a.retry.isSafe('PUT', false)).toBe(false);
    expect(a.retry.settings.retryAfterMaxMs).toBe(300);
    expect(byName(all, 'single').bufferLimit).toBe(0);
  });

  it('carries the built-in defaults to the default route', () => {
    const { defaultRoute } = compile([]);
    expect(defaultRoute.timeoutMs).toBe(15_000);
    expect(defaultRoute.limit.max).toBe(0);
    expect(defaultRoute.bufferLimit).toBe(64 * 1024);
    expect(defaultRoute.retry.settings.retryOn.has(503)).toBe(true);
    expect(defaultRoute.retry.settings.retryOn.has(500)).toBe(false);
  });

  it('gives each route its own concurrency limit', () => {
    const { all } = compile([routeConfig('a', '/a/*', { maxInFlight: 1 }), routeConfig('b', '/b/*', { maxInFlight: 1 })]);
    const [a, b] = all as [RoutePolicy, RoutePolicy];
    expect(a.limit).not.toBe(b.limit);
    expect(a.admit(0)).toBeNull();
    expect(a.admit(0)).toBe('overloaded');
    expect(b.admit(0)).toBeNull();
  });

  it('gives each route its own retry budget, even within a breaker group', () => {
    const noFloor = { ratio: 0.5, minPerSecond: 0, windowMs: 10_000 };
    const { all } = compile([
      routeConfig('a', '/a/*', { retry: { budget: noFloor }, circuitBreaker: { group: 'g' } }),
      routeConfig('b', '/b/*', { retry: { budget: noFloor }, circuitBreaker: { group: 'g' } }),
    ]);
    const [a, b] = all as [RoutePolicy, RoutePolicy];
    const facts = { attempt: 1, safe: true, replayable: true, retryAfterMs: undefined, deadline: Infinity };
    a.admit(0);
    a.admit(0);
    expect(typeof a.decideRetry(503, facts, 0)).toBe('number');
    expect(a.decideRetry(503, facts, 0)).toBe('budget_exhausted');
    expect(b.decideRetry(503, facts, 0)).toBe('budget_exhausted');
    b.admit(0);
    b.admit(0);
    expect(typeof b.decideRetry(503, facts, 0)).toBe('number');
  });

  it('jitters backoff with the random function it was given', () => {
    const low = compile([], defaultRouteConfig(), () => 0.5).defaultRoute;
    const high = compile([], defaultRouteConfig(), () => 0.99).defaultRoute;
    const facts = { attempt: 1, safe: true, replayable: true, retryAfterMs: undefined, deadline: Infinity };
    // The default backoff base is 25 ms.
    expect(low.decideRetry(503, facts, 0)).toBe(12);
    expect(high.decideRetry(503, facts, 0)).toBe(24);
  });

  it('publishes every route event to the events it was given, under the route name', () => {
    const { all, events } = compile([routeConfig('a', '/a/*', { maxInFlight: 1 })]);
    const a = byName(all, 'a');
    a.admit(0);
    a.admit(0);
    a.attemptStarted(1);
    expect(events.calls).toEqual([
      ['requestRejected', 'a', 'overloaded'],
      ['attemptStarted', 'a', 1],
    ]);
  });
});

describe('compileRoutes: a reload', () => {
  it('carries each breaker over to the same route or group, and only to it', () => {
    const before = compile([
      routeConfig('a', '/a/*', { circuitBreaker: { consecutiveFailures: 1 } }),
      routeConfig('b', '/b/*', { circuitBreaker: { consecutiveFailures: 1 } }),
    ]);
    fail(byName(before.all, 'a'), 1);
    const events = new RecordingEvents();
    const after = compileRoutes(defaultRouteConfig(), [
      routeConfig('a', '/a/*', { timeoutMs: 3000, circuitBreaker: { consecutiveFailures: 2 } }),
      routeConfig('c', '/c/*', { circuitBreaker: { consecutiveFailures: 1 } }),
      routeConfig('b', '/b/*', { circuitBreaker: { consecutiveFailures: 1 } }),
    ], { random: () => 0.5, events }, before);
    expect(byName(after.all, 'a').breaker?.state).toBe('open');
    expect(byName(after.all, 'a').admitAttempt(1)).toBe(REFUSED);
    expect(byName(after.all, 'b').breaker?.state).toBe('closed');
    expect(byName(after.all, 'c').breaker?.state).toBe('closed');
    expect(after.breakers.get('route a')).toBe(byName(after.all, 'a').breaker);
  });
});
