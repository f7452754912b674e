import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetryBudget, type RetryBudgetSettings } from '../../../src/core/resilience/retry-budget.ts';

const WINDOW = 10_000;

function budget(ratio: number, minPerSecond = 0, windowMs = WINDOW): RetryBudget {
  return new RetryBudget({ ratio, minPerSecond, windowMs });
}

function requests(b: RetryBudget, count: number, now: number): void {
  for (let i = 0; i < count; i++) b.recordRequest(now);
}

function withdrawAll(b: RetryBudget, tries: number, now: number): number {
  let granted = 0;
  for (let i = 0; i < tries; i++) if (b.tryWithdraw(now)) granted++;
  return granted;
}

describe('RetryBudget: ratio', () => {
  it('allows exactly 20 retries for 100 requests at ratio 0.2 with no floor', () => {
    const b = budget(0.2);
    requests(b, 100, 0);
    expect(b.remaining(0)).toBe(20);
    const results = Array.from({ length: 21 }, () => b.tryWithdraw(0));
    expect(results.slice(0, 20)).toEqual(Array(20).fill(true));
    expect(results[20]).toBe(false);
    expect(b.remaining(0)).toBe(0);
  });

  it('allows no retry before any request when there is no floor', () => {
    const b = budget(0.2);
    expect(b.remaining(0)).toBe(0);
    expect(b.tryWithdraw(0)).toBe(false);
  });

  it('grants a retry only once the requests have earned a whole one', () => {
    const b = budget(0.2);
    requests(b, 4, 0);
    expect(b.tryWithdraw(0)).toBe(false);
    b.recordRequest(0);
    expect(b.tryWithdraw(0)).toBe(true);
    expect(b.tryWithdraw(0)).toBe(false);
  });

  it('does not use up the budget with a refused withdrawal', () => {
    const b = budget(0.5);
    requests(b, 2, 0);
    expect(withdrawAll(b, 5, 0)).toBe(1);
    requests(b, 2, 0);
    expect(b.remaining(0)).toBe(1);
    expect(b.tryWithdraw(0)).toBe(true);
  });

  it('never grants more than floor + ratio × requests in one window, in any order of events', () => {
    const settings = fc.record({
      ratio: fc.constantFrom(0, 0.1, 0.2, 0.25, 0.5, 1, 3),
      minPerSecond: fc.integer({ min: 0, max: 5 }),
      windowMs: fc.integer({ min: 100, max: 60_000 }),
    });
    const events = fc.array(fc.tuple(fc.constantFrom('request', 'retry'), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })), {
      maxLength: 300,
    });
    fc.assert(
      fc.property(settings, events, (s: RetryBudgetSettings, steps) => {
        const b = new RetryBudget(s);
        const floor = s.minPerSecond * (s.windowMs / 1000);
        // Nondecreasing times, all inside the first window.
        const times = steps.map(([, at]) => Math.floor(at * s.windowMs)).sort((x, y) => x - y);
        let requested = 0;
        let granted = 0;
        steps.forEach(([kind], i) => {
          const now = times[i] as number;
          if (kind === 'request') {
            b.recordRequest(now);
            requested++;
          } else if (b.tryWithdraw(now)) {
            granted++;
          }
          expect(granted).toBeLessThanOrEqual(floor + s.ratio * requested);
          expect(b.remaining(now)).toBe(Math.max(0, Math.floor(floor + s.ratio * requested - granted)));
        });
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('grants every retry the budget holds when requests come first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.constantFrom(0.1, 0.2, 0.5, 1), fc.integer({ min: 0, max: 3 }), (n, ratio, minPerSecond) => {
        const b = budget(ratio, minPerSecond);
        requests(b, n, 0);
        const expected = Math.floor(minPerSecond * 10 + ratio * n);
        expect(withdrawAll(b, expected + 10, 5)).toBe(expected);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('RetryBudget: floor', () => {
  it('allows minPerSecond × window seconds retries with no requests at all', () => {
    const b = budget(0, 10);
    expect(b.remaining(0)).toBe(100);
    expect(withdrawAll(b, 150, 0)).toBe(100);
  });

  it('adds the floor to what requests earn', () => {
    const b = budget(0.2, 1);
    requests(b, 50, 0);
    expect(b.remaining(0)).toBe(20);
    expect(withdrawAll(b, 30, 0)).toBe(20);
  });

  it('scales the floor with the window', () => {
    const b = budget(0, 3, 500);
    expect(withdrawAll(b, 5, 0)).toBe(1);
  });
});

describe('RetryBudget: the window slides', () => {
  it('counts a request for the whole window and forgets it once the window has passed', () => {
    const b = budget(0.2);
    requests(b, 100, 0);
    expect(b.remaining(9_999)).toBe(20);
    expect(b.remaining(10_000)).toBe(0);
    expect(b.tryWithdraw(10_000)).toBe(false);
  });

  it('forgets granted retries once the window has passed', () => {
    const b = budget(0.2);
    requests(b, 100, 0);
    expect(withdrawAll(b, 20, 5_000)).toBe(20);
    // The requests at 0 are gone, the retries at 5s still count.
    requests(b, 100, 10_000);
    expect(b.remaining(10_000)).toBe(0);
    expect(b.tryWithdraw(14_999)).toBe(false);
    // The retries at 5s are gone too.
    expect(b.remaining(15_000)).toBe(20);
    expect(b.tryWithdraw(15_000)).toBe(true);
  });

  it('keeps requests from the part of the window still covered', () => {
    const b = budget(0.5);
    requests(b, 10, 0);
    requests(b, 10, 6_000);
    expect(b.remaining(12_000)).toBe(5);
    expect(b.remaining(16_000)).toBe(0);
  });

  it('starts from the floor alone after an idle gap longer than the window', () => {
    const b = budget(0.2, 1);
    requests(b, 1000, 0);
    withdrawAll(b, 50, 1_000);
    expect(b.remaining(1_000)).toBe(160);
    expect(b.remaining(1_000_000_000)).toBe(10);
    expect(withdrawAll(b, 20, 1_000_000_000)).toBe(10);
  });

  it('clears everything after a gap of any number of windows, however the counts were spread', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 50_000 })), { maxLength: 200 }),
        fc.integer({ min: 10_000, max: 10_000_000 }),
        (steps, gap) => {
          const b = budget(0.5, 1);
          const times = steps.map(([, t]) => t).sort((x, y) => x - y);
          steps.forEach(([isRequest], i) => {
            if (isRequest) b.recordRequest(times[i] as number);
            else b.tryWithdraw(times[i] as number);
          });
          const last = times.at(-1) ?? 0;
          // A whole window past the last bucket used: nothing of it is left, only the floor.
          expect(b.remaining(Math.ceil((last + 1) / 1000) * 1000 + gap)).toBe(10);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
