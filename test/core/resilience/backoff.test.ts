import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../../../src/core/resilience/backoff.ts';

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const settings = fc
  .tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 1_000_000 }))
  .map(([baseMs, extra]) => ({ baseMs, maxMs: baseMs + extra - 1 }));

describe('backoffDelay', () => {
  it('stays in [0, min(max, base × 2^(n-1))) for any retry and any random value', () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 1, max: 200 }), unit, (s, n, r) => {
        const delay = backoffDelay(s, n, () => r);
        const ceiling = Math.min(s.maxMs, s.baseMs * 2 ** (n - 1));
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('reaches almost the whole ceiling with random just below 1', () => {
    const s = { baseMs: 100, maxMs: 1000 };
    const high = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 30].map((n) => backoffDelay(s, n, high))).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('is zero with random 0', () => {
    expect(backoffDelay({ baseMs: 100, maxMs: 1000 }, 3, () => 0)).toBe(0);
  });

  it('scales the ceiling by the random value', () => {
    const s = { baseMs: 25, maxMs: 250 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(s, n, () => 0.5))).toEqual([12, 25, 50, 100, 125]);
  });

  it('never shrinks as the retry number grows, and doubles (rounding aside) until the cap', () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 1, max: 60 }), unit, (s, n, r) => {
        const now = backoffDelay(s, n, () => r);
        const next = backoffDelay(s, n + 1, () => r);
        expect(next).toBeGreaterThanOrEqual(now);
        if (s.baseMs * 2 ** n <= s.maxMs) {
          // The ceiling doubled: floor(2rc) ≥ 2·floor(rc).
          expect(next).toBeGreaterThanOrEqual(2 * now);
        }
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('is capped by max even for huge retry numbers', () => {
    const s = { baseMs: 1, maxMs: Number.MAX_SAFE_INTEGER };
    const delay = backoffDelay(s, 10_000, () => 0.999);
    expect(Number.isFinite(delay)).toBe(true);
    expect(delay).toBeLessThan(s.maxMs);
    expect(backoffDelay({ baseMs: 10, maxMs: 300 }, 10_000, () => 0.5)).toBe(150);
  });

  it('draws one random number per delay', () => {
    let calls = 0;
    backoffDelay({ baseMs: 10, maxMs: 100 }, 2, () => {
      calls++;
      return 0.3;
    });
    expect(calls).toBe(1);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2015, 9, 21, 7, 27, 0);

  it('is undefined without a header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('007', now)).toBe(7000);
  });

  it('ignores surrounding whitespace', () => {
    expect(parseRetryAfter('  5 ', now)).toBe(5000);
    expect(parseRetryAfter('\tWed, 21 Oct 2015 07:28:00 GMT ', now)).toBe(60_000);
  });

  it('reads delay-seconds the same whatever the time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 4e12 }), (seconds, t) => {
        expect(parseRetryAfter(String(seconds), t)).toBe(seconds * 1000);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('reads an HTTP-date as the time from the given now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now + 59_000)).toBe(1000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now - 3_600_000)).toBe(3_660_000);
  });

  it('reads the obsolete RFC 850 date form', () => {
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:30 GMT', now)).toBe(90_000);
  });

  it('is 0 for a date in the past or now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:26:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', now)).toBe(0);
  });

  it.each(['', '   ', 'soon', 'tomorrow', '1e3', '0x10', '5 seconds', 'next week', '12 monkeys'])('is undefined for garbage %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  // Regression: V8's Date.parse is lenient ("1.5" parses as 2001-01-05, "-1" and "+5" as dates in 2001),
  // which once turned such values into a past date, so a retry at once instead of the normal backoff.
  it.each(['1.5', '-1', '+5', 'Retry 5', 'foo 2'])('is undefined for the non-RFC value %j', (value) => {
    expect(parseRetryAfter(value, Date.UTC(2025, 0, 1))).toBeUndefined();
  });

  it('reads the obsolete RFC 850 and asctime forms, asctime as UTC whatever the local zone', () => {
    const at = Date.UTC(1994, 10, 6, 8, 49, 0);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', at)).toBe(37_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', at)).toBe(37_000);
  });
});
