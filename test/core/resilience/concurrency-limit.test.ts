import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../../src/core/resilience/concurrency-limit.ts';

describe('ConcurrencyLimit', () => {
  it('grants up to max slots, then refuses without counting the refusal', () => {
    const limit = new ConcurrencyLimit(2);
    expect(limit.tryAcquire()).toBe(true);
    expect(limit.tryAcquire()).toBe(true);
    expect(limit.tryAcquire()).toBe(false);
    expect(limit.current).toBe(2);
  });

  it('grants a slot again once one is released', () => {
    const limit = new ConcurrencyLimit(1);
    expect(limit.tryAcquire()).toBe(true);
    expect(limit.tryAcquire()).toBe(false);
    limit.release();
    expect(limit.current).toBe(0);
    expect(limit.tryAcquire()).toBe(true);
  });

  it('never refuses with max 0, and still counts what is in flight', () => {
    const limit = new ConcurrencyLimit(0);
    for (let i = 0; i < 10_000; i++) expect(limit.tryAcquire()).toBe(true);
    expect(limit.current).toBe(10_000);
    expect(limit.max).toBe(0);
  });

  it('refuses exactly when max slots are held, for any sequence of acquires and releases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.boolean(), { maxLength: 200 }), (max, steps) => {
        const limit = new ConcurrencyLimit(max);
        let held = 0;
        for (const acquire of steps) {
          if (acquire) {
            const granted = limit.tryAcquire();
            expect(granted).toBe(held < max);
            if (granted) held++;
          } else if (held > 0) {
            limit.release();
            held--;
          }
          expect(limit.current).toBe(held);
          expect(limit.current).toBeLessThanOrEqual(max);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
