import { describe, expect, it } from 'vitest';
import { BUILT_IN_SHADOW, type ShadowConfig } from '../../../src/core/config/shadow.ts';
import { ShadowPolicy, shadowHost, statusClass } from '../../../src/core/operations/shadow-policy.ts';
import { compileRoutes } from '../../../src/core/resilience/compile-routes.ts';
import type { FlagConfig } from '../../../src/core/config/flags.ts';
import { RecordingEvents } from '../resilience/recording-events.ts';
import { defaultRouteConfig, routeConfig } from '../resilience/config.ts';
import { FakeRequest, sequence } from './request.ts';

function policy(overrides: Partial<ShadowConfig>, random: () => number = () => 0.5): ShadowPolicy {
  return new ShadowPolicy({ ...BUILT_IN_SHADOW, origin: 'http://v2:8080', ...overrides }, null, random);
}

describe('ShadowPolicy', () => {
  it('mirrors every request at 100%, none at 0%, and the drawn share in between', () => {
    const request = new FakeRequest();
    expect(policy({ ratio: 1 }, () => 0.999).chosen(request)).toBe(true);
    expect(policy({ ratio: 0 }, () => 0).chosen(request)).toBe(false);
    const tenth = policy({ ratio: 0.1 }, sequence(0.05, 0.5, 0.0999, 0.1));
    expect([tenth.chosen(request), tenth.chosen(request), tenth.chosen(request), tenth.chosen(request)]).toEqual([true, false, true, false]);
  });

  it('keeps at most maxInFlight shadow requests out, and frees a slot when one ends', () => {
    const p = policy({ maxInFlight: 2 });
    expect([p.tryAcquire(), p.tryAcquire(), p.tryAcquire()]).toEqual([true, true, false]);
    p.release();
    expect(p.tryAcquire()).toBe(true);
    expect(p.inFlight).toBe(2);
  });

  it('is compiled for a route with an upstream, and follows its flag', () => {
    const off: FlagConfig = { name: 'mirror', ratio: 0, key: '', source: 'config' };
    const on: FlagConfig = { ...off, ratio: 1 };
    const routes = (flag: FlagConfig) => compileRoutes(defaultRouteConfig(), [
      routeConfig('mirrored', '/m/*', { shadow: { origin: 'http://v2:8080', flag: 'mirror' } }),
      routeConfig('plain', '/p/*'),
    ], { random: () => 0.5, events: new RecordingEvents(), flags: [flag] });
    const request = new FakeRequest();
    expect(routes(off).all[0]?.features?.shadow?.chosen(request)).toBe(false);
    expect(routes(on).all[0]?.features?.shadow?.chosen(request)).toBe(true);
    expect(routes(on).all[0]?.features?.shadow?.origin).toBe('http://v2:8080');
    expect(routes(on).all[1]?.features).toBeNull();
  });
});

describe('shadow helpers', () => {
  it('adds -shadow to the host name, before any port, as Envoy does', () => {
    expect(shadowHost('shop.example.com')).toBe('shop.example.com-shadow');
    expect(shadowHost('shop:8080')).toBe('shop-shadow:8080');
    expect(shadowHost('[::1]:8080')).toBe('[::1]-shadow:8080');
    expect(shadowHost('[::1]')).toBe('[::1]-shadow');
  });

  it('names results by status class', () => {
    expect([204, 302, 404, 503, 100].map(statusClass)).toEqual(['2xx', '3xx', '4xx', '5xx', '1xx']);
  });
});
