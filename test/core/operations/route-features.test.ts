import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../src/core/resilience/compile-routes.ts';
import { ABORT, NO_FAULT } from '../../../src/core/operations/fault-injector.ts';
import { RecordingEvents } from '../resilience/recording-events.ts';
import { defaultRouteConfig, routeConfig } from '../resilience/config.ts';
import { FakeRequest, sequence } from './request.ts';
import type { FlagConfig } from '../../../src/core/config/flags.ts';

const CHAOS_ON: FlagConfig = { name: 'chaos', ratio: 1, key: '', source: 'env' };
const CHAOS_OFF: FlagConfig = { name: 'chaos', ratio: 0, key: '', source: 'config' };

describe('compileRoutes: operations features', () => {
  it('gives a route without rate limit, fault or retry flag no features object at all', () => {
    const { all } = compileRoutes(defaultRouteConfig(), [routeConfig('a', '/a')], { random: Math.random, events: new RecordingEvents() });
    expect(all.map((r) => r.features)).toEqual([null, null]);
  });

  it('builds a rate limiter per route, not shared between routes', () => {
    const rateLimit = { requestsPerSecond: 1, burst: 1 };
    const { all } = compileRoutes(defaultRouteConfig(), [routeConfig('a', '/a', { rateLimit }), routeConfig('b', '/b', { rateLimit })], { random: Math.random, events: new RecordingEvents() });
    const [a, b] = all;
    const request = new FakeRequest();
    expect(a?.features?.rateLimitWait(request, 0)).toBe(0);
    expect(a?.features?.rateLimitWait(request, 0)).toBe(1000);
    expect(b?.features?.rateLimitWait(request, 0)).toBe(0);
    expect(all[2]?.features).toBeNull();
  });

  it('injects no fault while the flag is off, and the configured ones while it is on', () => {
    const fault = { flag: 'chaos', abort: { status: 500, ratio: 1 } };
    const off = compileRoutes(defaultRouteConfig(), [routeConfig('a', '/a', { fault })], { random: sequence(0), events: new RecordingEvents(), flags: [CHAOS_OFF] });
    expect(off.all[0]?.features?.decideFault(new FakeRequest())).toBe(NO_FAULT);
    const on = compileRoutes(defaultRouteConfig(), [routeConfig('a', '/a', { fault })], { random: sequence(0), events: new RecordingEvents(), flags: [CHAOS_ON] });
    expect(on.all[0]?.features?.decideFault(new FakeRequest())).toBe(ABORT);
    expect(on.all[0]?.features?.abortStatus).toBe(500);
  });

  it('publishes each injected fault with its route and kind', () => {
    const events = new RecordingEvents();
    const { all } = compileRoutes(defaultRouteConfig(), [routeConfig('a', '/a', { fault: { flag: 'chaos', abort: { status: 503, ratio: 1 } } })], { random: Math.random, events, flags: [CHAOS_ON] });
    all[0]?.features?.faultInjected('abort');
    all[0]?.features?.faultInjected('delay');
    expect(events.of('faultInjected')).toEqual([['faultInjected', 'a', 'abort'], ['faultInjected', 'a', 'delay']]);
  });

  it('compiles no fault without a flag or without a share (inert)', () => {
    const { all } = compileRoutes(defaultRouteConfig(), [
      routeConfig('no-flag', '/a', { fault: { abort: { status: 503, ratio: 1 } } }),
      routeConfig('no-share', '/b', { fault: { flag: 'chaos' } }),
    ], { random: Math.random, events: new RecordingEvents(), flags: [CHAOS_ON] });
    expect(all.map((r) => r.features)).toEqual([null, null, null]);
  });

  it('gates retries on the retry flag, by the flag\'s key', () => {
    const { all } = compileRoutes(defaultRouteConfig(), [routeConfig('a', '/a', { retry: { flag: 'new-retry' } })], {
      random: Math.random,
      events: new RecordingEvents(),
      flags: [{ name: 'new-retry', ratio: 0.5, key: 'x-user-id', source: 'config' }],
    });
    const features = all[0]?.features;
    const answers = new Set<boolean>();
    for (let i = 0; i < 40; i++) answers.add(features?.retriesAllowed(new FakeRequest({ 'x-user-id': `u${i}` })) ?? true);
    expect(answers).toEqual(new Set([true, false]));
  });

  it('ignores a retry flag on a route that never retries (attempts: 1)', () => {
    const { all } = compileRoutes(defaultRouteConfig(), [routeConfig('a', '/a', { retry: { flag: 'new-retry', attempts: 1 } })], {
      random: Math.random, events: new RecordingEvents(), flags: [{ name: 'new-retry', ratio: 0, key: '', source: 'config' }],
    });
    expect(all[0]?.features).toBeNull();
  });

  it('refuses a reference to a flag that is not declared (config validation lets none through)', () => {
    expect(() => compileRoutes(defaultRouteConfig(), [routeConfig('a', '/a', { retry: { flag: 'ghost' } })], { random: Math.random, events: new RecordingEvents() }))
      .toThrow('route a refers to flag "ghost", which is not declared');
  });
});
