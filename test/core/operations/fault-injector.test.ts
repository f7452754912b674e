import { describe, expect, it } from 'vitest';
import { BUILT_IN_FAULT, type FaultConfig } from '../../../src/core/config/operations.ts';
import { FeatureFlag } from '../../../src/core/operations/feature-flag.ts';
import { ABORT, FaultInjector, NO_FAULT } from '../../../src/core/operations/fault-injector.ts';
import { FakeRequest, sequence } from './request.ts';

const ON = new FeatureFlag({ name: 'chaos', ratio: 1, key: '', source: 'config' });
const OFF = new FeatureFlag({ name: 'chaos', ratio: 0, key: '', source: 'config' });

function injector(config: Partial<FaultConfig>, random: () => number, flag: FeatureFlag = ON): FaultInjector {
  return new FaultInjector({ ...BUILT_IN_FAULT, flag: 'chaos', ...config }, flag, random);
}

describe('FaultInjector: which requests are eligible', () => {
  it('only while the flag is on for the request', () => {
    expect(injector({}, Math.random, ON).eligible(new FakeRequest())).toBe(true);
    expect(injector({}, Math.random, OFF).eligible(new FakeRequest())).toBe(false);
  });

  it('only requests carrying the header, when one is set', () => {
    const fault = injector({ header: 'x-sightline-fault' }, Math.random);
    expect(fault.eligible(new FakeRequest({ 'x-sightline-fault': '1' }))).toBe(true);
    expect(fault.eligible(new FakeRequest({}))).toBe(false);
  });

  it('a flag at a percentage picks requests by its key', () => {
    const half = new FeatureFlag({ name: 'chaos', ratio: 0.5, key: 'x-user-id', source: 'config' });
    const fault = injector({}, Math.random, half);
    const sides = new Set<boolean>();
    for (let i = 0; i < 40; i++) sides.add(fault.eligible(new FakeRequest({ 'x-user-id': `u${i}` })));
    expect(sides).toEqual(new Set([true, false]));
    for (let i = 0; i < 10; i++) expect(fault.eligible(new FakeRequest({ 'x-user-id': 'u7' }, `r${i}`))).toBe(half.isOnForValue('u7'));
  });
});

describe('FaultInjector: what it injects', () => {
  it('aborts when the draw falls under abort.percentage', () => {
    const abort = { status: 418 as number, ratio: 0.05 };
    expect(injector({ abort }, sequence(0.049)).decide()).toBe(ABORT);
    expect(injector({ abort }, sequence(0.05)).decide()).toBe(NO_FAULT);
    expect(injector({ abort }, Math.random).abortStatus).toBe(418);
  });

  it('delays by a fixed duration when the draw falls under delay.percentage', () => {
    const delay = { durationMs: [150, 150] as const, ratio: 0.1 };
    expect(injector({ delay }, sequence(0.09)).decide()).toBe(150);
    expect(injector({ delay }, sequence(0.1)).decide()).toBe(NO_FAULT);
  });

  it('draws a delay uniformly within a range', () => {
    const delay = { durationMs: [50, 250] as const, ratio: 1 };
    expect(injector({ delay }, sequence(0, 0)).decide()).toBe(50);
    expect(injector({ delay }, sequence(0, 0.5)).decide()).toBe(150);
    expect(injector({ delay }, sequence(0, 0.999999)).decide()).toBe(250);
    const fault = injector({ delay }, Math.random);
    const seen: number[] = [];
    for (let i = 0; i < 2000; i++) seen.push(fault.decide());
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...seen)).toBeLessThanOrEqual(250);
    const mean = seen.reduce((a, b) => a + b, 0) / seen.length;
    expect(mean).toBeGreaterThan(140);
    expect(mean).toBeLessThan(160);
  });

  it('never answers a delay of 0: a range from 0 gives at least 1ms', () => {
    expect(injector({ delay: { durationMs: [0, 100], ratio: 1 } }, sequence(0, 0)).decide()).toBe(1);
  });

  it('lets an abort win over a delay, and draws the delay only when there is no abort', () => {
    const both = { abort: { status: 503, ratio: 0.5 }, delay: { durationMs: [100, 100] as const, ratio: 0.5 } };
    expect(injector(both, sequence(0.2)).decide()).toBe(ABORT);
    expect(injector(both, sequence(0.7, 0.2)).decide()).toBe(100);
    expect(injector(both, sequence(0.7, 0.7)).decide()).toBe(NO_FAULT);
  });

  it('hits its percentages over many requests', () => {
    const fault = injector({ abort: { status: 503, ratio: 0.05 }, delay: { durationMs: [10, 10], ratio: 0.2 } }, Math.random);
    let aborts = 0;
    let delays = 0;
    for (let i = 0; i < 20_000; i++) {
      const d = fault.decide();
      if (d === ABORT) aborts++;
      else if (d > 0) delays++;
    }
    expect(Math.abs(aborts / 20_000 - 0.05)).toBeLessThan(0.01);
    // Delays among the requests not aborted: 20% of 95%.
    expect(Math.abs(delays / 20_000 - 0.19)).toBeLessThan(0.015);
  });
});
