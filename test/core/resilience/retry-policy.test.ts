import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/core/resilience/backoff.ts';
import { ATTEMPT_ERRORS, OutcomeSet, type AttemptOutcome } from '../../../src/core/resilience/outcome.ts';
import { RetryBudget } from '../../../src/core/resilience/retry-budget.ts';
import { RetryPolicy, type RetryFacts, type RetrySettings } from '../../../src/core/resilience/retry-policy.ts';

function retrySettings(overrides: Partial<RetrySettings> = {}): RetrySettings {
  return {
    attempts: 3,
    perTryTimeoutMs: 0,
    retryOn: new OutcomeSet(['connect-failure', 'reset', 'gateway-error']),
    backoff: { baseMs: 25, maxMs: 250 },
    retryAfterMaxMs: 1_000,
    methods: new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']),
    bufferLimit: 64 * 1024,
    ...overrides,
  };
}

/** A budget with room for `retries` retries in its window and none beyond. */
function budgetOf(retries: number): RetryBudget {
  return new RetryBudget({ ratio: 0, minPerSecond: retries, windowMs: 1_000 });
}

function policy(overrides: Partial<RetrySettings> = {}, budget = budgetOf(1_000), random: () => number = () => 0.5): RetryPolicy {
  return new RetryPolicy(retrySettings(overrides), budget, random);
}

function facts(overrides: Partial<RetryFacts> = {}): RetryFacts {
  return { attempt: 1, safe: true, replayable: true, retryAfterMs: undefined, deadline: Infinity, ...overrides };
}

describe('RetryPolicy.decide: what is retried', () => {
  it.each<AttemptOutcome>([500, 501, 505, 404, 429, 200, 'per-try-timeout', 'timeout', 'protocol-error'])('returns null for %j, not in retryOn', (outcome) => {
    expect(policy().decide(outcome, facts(), 0)).toBeNull();
  });

  it.each<AttemptOutcome>([502, 503, 504, 'connect-failure', 'reset'])('retries %j, in retryOn', (outcome) => {
    expect(typeof policy().decide(outcome, facts(), 0)).toBe('number');
  });

  it('returns null before looking at any limit', () => {
    const budget = budgetOf(1);
    const p = policy({}, budget);
    expect(p.decide(500, facts({ attempt: 99, safe: false, replayable: false, retryAfterMs: 1e9, deadline: 0 }), 0)).toBeNull();
    expect(budget.remaining(0)).toBe(1);
  });
});

describe('RetryPolicy.decide: denials', () => {
  it('denies attempts_exhausted once attempt reaches attempts', () => {
    const p = policy({ attempts: 3 });
    expect(typeof p.decide(503, facts({ attempt: 2 }), 0)).toBe('number');
    expect(p.decide(503, facts({ attempt: 3 }), 0)).toBe('attempts_exhausted');
    expect(p.decide('connect-failure', facts({ attempt: 4 }), 0)).toBe('attempts_exhausted');
  });

  it('never retries with attempts 1', () => {
    const p = policy({ attempts: 1 });
    for (const outcome of [502, 'connect-failure', 'reset'] as const) expect(p.decide(outcome, facts(), 0)).toBe('attempts_exhausted');
  });

  it('denies unsafe_method for an unsafe request', () => {
    const p = policy();
    expect(p.decide(503, facts({ safe: false }), 0)).toBe('unsafe_method');
    expect(p.decide('reset', facts({ safe: false }), 0)).toBe('unsafe_method');
  });

  it('denies body_not_replayable for a body that cannot be sent again', () => {
    const p = policy();
    expect(p.decide(502, facts({ replayable: false }), 0)).toBe('body_not_replayable');
    expect(p.decide('reset', facts({ replayable: false }), 0)).toBe('body_not_replayable');
  });

  it('names the unsafe method first when the body cannot be replayed either', () => {
    expect(policy().decide(503, facts({ safe: false, replayable: false }), 0)).toBe('unsafe_method');
  });

  it('retries a connect failure whatever the method and body: nothing was sent', () => {
    const p = policy();
    expect(p.decide('connect-failure', facts({ safe: false, replayable: false }), 0)).toBe(12);
  });

  it('checks attempts before safety', () => {
    expect(policy({ attempts: 2 }).decide(503, facts({ attempt: 2, safe: false }), 0)).toBe('attempts_exhausted');
  });

  it('denies retry_after_too_long when the app asks for more than retryAfterMax', () => {
    const p = policy({ retryAfterMaxMs: 1_000 });
    expect(p.decide(503, facts({ retryAfterMs: 1_001 }), 0)).toBe('retry_after_too_long');
    expect(p.decide(503, facts({ retryAfterMs: 1_000 }), 0)).toBe(1_000);
  });

  it('denies deadline when the retry could not start before the deadline', () => {
    const p = policy();
    // Backoff with random 0.5 before the first retry: 12 ms.
    expect(p.decide(503, facts({ deadline: 1_012 }), 1_000)).toBe('deadline');
    expect(p.decide(503, facts({ deadline: 1_013 }), 1_000)).toBe(12);
    expect(p.decide(503, facts({ retryAfterMs: 500, deadline: 1_500 }), 1_000)).toBe('deadline');
    expect(p.decide(503, facts({ retryAfterMs: 500, deadline: 1_501 }), 1_000)).toBe(500);
  });

  it('denies deadline when the deadline has passed, even with no wait', () => {
    expect(policy().decide(503, facts({ retryAfterMs: 0, deadline: 900 }), 1_000)).toBe('deadline');
  });

  it('denies budget_exhausted when the budget is out', () => {
    const p = policy({}, budgetOf(0));
    expect(p.decide(503, facts(), 0)).toBe('budget_exhausted');
  });

  it('takes one retry from the budget per retry granted', () => {
    const budget = budgetOf(2);
    const p = policy({}, budget);
    expect(p.decide(503, facts(), 0)).toBe(12);
    expect(budget.remaining(0)).toBe(1);
    expect(p.decide('reset', facts(), 0)).toBe(12);
    expect(p.decide(503, facts(), 0)).toBe('budget_exhausted');
  });

  it('does not spend the budget on a retry denied for another reason', () => {
    const budget = budgetOf(1);
    const p = policy({}, budget);
    expect(p.decide(503, facts({ attempt: 3 }), 0)).toBe('attempts_exhausted');
    expect(p.decide(503, facts({ safe: false }), 0)).toBe('unsafe_method');
    expect(p.decide(503, facts({ replayable: false }), 0)).toBe('body_not_replayable');
    expect(p.decide(503, facts({ retryAfterMs: 5_000 }), 0)).toBe('retry_after_too_long');
    expect(p.decide(503, facts({ deadline: 1 }), 0)).toBe('deadline');
    expect(budget.remaining(0)).toBe(1);
    expect(p.decide(503, facts(), 0)).toBe(12);
  });
});

describe('RetryPolicy.decide: the delay', () => {
  it('waits what Retry-After asked for, without backoff', () => {
    let draws = 0;
    const p = policy({}, budgetOf(10), () => {
      draws++;
      return 0.5;
    });
    expect(p.decide(503, facts({ retryAfterMs: 700 }), 0)).toBe(700);
    expect(p.decide(503, facts({ retryAfterMs: 0 }), 0)).toBe(0);
    expect(draws).toBe(0);
  });

  it('uses full-jitter backoff for the retry that follows attempt n', () => {
    const p = policy({ attempts: 10, backoff: { baseMs: 100, maxMs: 1_000 } }, budgetOf(100), () => 0.999);
    expect([1, 2, 3, 4, 5, 6].map((attempt) => p.decide(503, facts({ attempt }), 0))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('only grants a retry that is safe, within attempts, before the deadline and within the caps', () => {
    const outcome = fc.oneof(fc.constantFrom(...ATTEMPT_ERRORS), fc.integer({ min: 200, max: 599 }));
    const arbFacts = fc.record({
      attempt: fc.integer({ min: 1, max: 6 }),
      safe: fc.boolean(),
      replayable: fc.boolean(),
      retryAfterMs: fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: undefined }),
      deadline: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 2_000 })),
    });
    const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
    fc.assert(
      fc.property(outcome, arbFacts, fc.integer({ min: 0, max: 1_000 }), unit, (o, f, now, r) => {
        const s = retrySettings({ attempts: 4 });
        const decision = new RetryPolicy(s, budgetOf(1_000), () => r).decide(o, f, now);
        if (!s.retryOn.has(o)) {
          expect(decision).toBeNull();
          return;
        }
        if (typeof decision !== 'number') {
          expect(decision).not.toBeNull();
          return;
        }
        expect(f.attempt).toBeLessThan(4);
        expect(o === 'connect-failure' || (f.safe && f.replayable)).toBe(true);
        expect(now + decision).toBeLessThan(f.deadline);
        if (f.retryAfterMs === undefined) expect(decision).toBe(backoffDelay(s.backoff, f.attempt, () => r));
        else expect(decision).toBe(f.retryAfterMs);
        expect(decision).toBeLessThanOrEqual(s.retryAfterMaxMs);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});

describe('RetryPolicy.isSafe', () => {
  const p = policy({ methods: new Set(['GET', 'PUT']) });

  it('is true for a method in methods', () => {
    expect(p.isSafe('GET', false)).toBe(true);
    expect(p.isSafe('PUT', false)).toBe(true);
  });

  it('is false for a method not in methods', () => {
    expect(p.isSafe('POST', false)).toBe(false);
    expect(p.isSafe('DELETE', false)).toBe(false);
    expect(p.isSafe('PATCH', false)).toBe(false);
  });

  it('is true for any method with an Idempotency-Key', () => {
    expect(p.isSafe('POST', true)).toBe(true);
    expect(p.isSafe('PATCH', true)).toBe(true);
  });

  it('compares methods exactly: config stores them upper case', () => {
    expect(p.isSafe('get', false)).toBe(false);
  });
});
