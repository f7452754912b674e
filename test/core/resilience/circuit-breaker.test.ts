import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, REFUSED, type BreakerState, type CircuitBreakerSettings } from '../../../src/core/resilience/circuit-breaker.ts';
import { OutcomeSet, type AttemptOutcome } from '../../../src/core/resilience/outcome.ts';

const DEFAULT_FAIL_ON = ['connect-failure', 'reset', 'timeout', '5xx'];

function settings(overrides: Partial<CircuitBreakerSettings> = {}): CircuitBreakerSettings {
  return {
    consecutiveFailures: 5,
    failureRate: 0,
    minRequests: 20,
    windowMs: 10_000,
    openForMs: 5_000,
    maxOpenForMs: 60_000,
    halfOpenRequests: 1,
    failOn: new OutcomeSet(DEFAULT_FAIL_ON),
    ...overrides,
  };
}

interface Transition {
  readonly breaker: CircuitBreaker;
  readonly from: BreakerState;
  readonly to: BreakerState;
}

function setup(overrides: Partial<CircuitBreakerSettings> = {}) {
  const transitions: Transition[] = [];
  const breaker = new CircuitBreaker('users', settings(overrides), (b, from, to) => transitions.push({ breaker: b, from, to }));
  /** One attempt admitted and ended at `now`. */
  const attempt = (outcome: AttemptOutcome, now = 0): number => {
    const ticket = breaker.admit(now);
    expect(ticket).not.toBe(REFUSED);
    breaker.record(ticket, outcome, now);
    return ticket;
  };
  const steps = () => transitions.map((t) => `${t.from}>${t.to}`);
  return { breaker, transitions, attempt, steps };
}

/** Trips a fresh breaker with consecutive failures at `now`. */
function tripped(overrides: Partial<CircuitBreakerSettings> = {}, now = 0) {
  const s = setup(overrides);
  const n = overrides.consecutiveFailures ?? 5;
  for (let i = 0; i < n; i++) s.attempt(503, now);
  expect(s.breaker.state).toBe('open');
  return s;
}

describe('CircuitBreaker: consecutive failures', () => {
  it('starts closed and admits attempts', () => {
    const { breaker } = setup();
    expect(breaker.state).toBe('closed');
    expect(breaker.name).toBe('users');
    expect(breaker.admit(0)).toBeGreaterThanOrEqual(0);
  });

  it('trips on the Nth failure in a row, not the N-1th', () => {
    const { breaker, attempt, steps } = setup({ consecutiveFailures: 5 });
    for (let i = 0; i < 4; i++) attempt(503, i);
    expect(breaker.state).toBe('closed');
    attempt(503, 4);
    expect(breaker.state).toBe('open');
    expect(steps()).toEqual(['closed>open']);
  });

  it('trips on a single failure when consecutiveFailures is 1', () => {
    const { breaker, attempt } = setup({ consecutiveFailures: 1 });
    attempt('connect-failure');
    expect(breaker.state).toBe('open');
  });

  it('starts the run again after a success', () => {
    const { breaker, attempt } = setup({ consecutiveFailures: 5 });
    for (let i = 0; i < 4; i++) attempt(503);
    attempt(200);
    for (let i = 0; i < 4; i++) attempt(503);
    expect(breaker.state).toBe('closed');
    attempt(503);
    expect(breaker.state).toBe('open');
  });

  it('counts every failOn outcome as a failure: connect-failure, reset, both timeouts, any 5xx', () => {
    const { breaker, attempt } = setup({ consecutiveFailures: 6 });
    for (const outcome of ['connect-failure', 'reset', 'timeout', 'per-try-timeout', 500] as const) attempt(outcome);
    expect(breaker.state).toBe('closed');
    attempt(599);
    expect(breaker.state).toBe('open');
  });

  it('never counts a 4xx as a failure with the default failOn, and a 4xx ends a run of failures', () => {
    const { breaker, attempt } = setup({ consecutiveFailures: 2, failureRate: 0.1, minRequests: 1 });
    for (let s = 400; s <= 499; s++) attempt(s);
    expect(breaker.state).toBe('closed');
    const other = setup({ consecutiveFailures: 2 });
    other.attempt(503);
    other.attempt(429);
    other.attempt(503);
    expect(other.breaker.state).toBe('closed');
  });

  it('does not count a protocol error unless failOn lists it', () => {
    const { breaker, attempt } = setup({ consecutiveFailures: 2 });
    attempt('protocol-error');
    attempt('protocol-error');
    expect(breaker.state).toBe('closed');
    const strict = setup({ consecutiveFailures: 2, failOn: new OutcomeSet(['protocol-error']) });
    strict.attempt('protocol-error');
    strict.attempt('protocol-error');
    expect(strict.breaker.state).toBe('open');
  });

  it('never opens on any mix of successes, redirects and client errors', () => {
    const outcome = fc.oneof(fc.integer({ min: 100, max: 499 }), fc.constant('protocol-error' as const));
    fc.assert(
      fc.property(fc.array(fc.tuple(outcome, fc.integer({ min: 0, max: 100 })), { maxLength: 200 }), (steps) => {
        const { breaker, attempt, transitions } = setup({ consecutiveFailures: 1, failureRate: 0.01, minRequests: 1 });
        let now = 0;
        for (const [o, dt] of steps) attempt(o, (now += dt));
        expect(breaker.state).toBe('closed');
        expect(transitions).toEqual([]);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('CircuitBreaker: failure rate', () => {
  const rate = { consecutiveFailures: 0, failureRate: 0.5, minRequests: 10 };

  it('trips when the window holds minRequests attempts and the failure share reaches the rate', () => {
    const { breaker, attempt } = setup(rate);
    for (let i = 0; i < 4; i++) {
      attempt(200);
      attempt(503);
    }
    attempt(200);
    expect(breaker.state).toBe('closed');
    attempt(503); // 10 attempts, 5 failed: 50%
    expect(breaker.state).toBe('open');
  });

  it('does not trip below minRequests, even when every attempt failed', () => {
    const { breaker, attempt } = setup(rate);
    for (let i = 0; i < 9; i++) attempt(503);
    expect(breaker.state).toBe('closed');
    attempt(503);
    expect(breaker.state).toBe('open');
  });

  it('does not trip below the rate', () => {
    const { breaker, attempt } = setup(rate);
    for (let i = 0; i < 6; i++) attempt(200);
    for (let i = 0; i < 5; i++) attempt(503); // 11 attempts, 5 failed: 45%
    expect(breaker.state).toBe('closed');
    attempt(503); // 12 attempts, 6 failed
    expect(breaker.state).toBe('open');
  });

  it('counts only the attempts of the sliding window', () => {
    const inside = setup(rate);
    for (let i = 0; i < 9; i++) inside.attempt(503, 0);
    inside.attempt(503, 9_999);
    expect(inside.breaker.state).toBe('open');

    const outside = setup(rate);
    for (let i = 0; i < 9; i++) outside.attempt(503, 0);
    outside.attempt(503, 10_000);
    expect(outside.breaker.state).toBe('closed');
  });

  it('lets successes that slid out of the window stop diluting the rate', () => {
    const { breaker, attempt } = setup(rate);
    for (let i = 0; i < 20; i++) attempt(200, 0);
    for (let i = 0; i < 9; i++) attempt(503, 5_000);
    expect(breaker.state).toBe('closed');
    attempt(503, 10_000); // the successes at 0 are gone: 10 attempts, all failed
    expect(breaker.state).toBe('open');
  });

  it('is off at rate 0', () => {
    const { breaker, attempt } = setup({ consecutiveFailures: 0, failureRate: 0, minRequests: 1 });
    for (let i = 0; i < 100; i++) attempt(503);
    expect(breaker.state).toBe('closed');
  });
});

describe('CircuitBreaker: open', () => {
  it('refuses every attempt until openFor has elapsed, then goes half-open', () => {
    const { breaker, steps } = tripped({}, 1_000);
    for (const now of [1_000, 3_000, 5_999]) expect(breaker.admit(now)).toBe(REFUSED);
    expect(breaker.state).toBe('open');
    expect(breaker.admit(6_000)).toBeGreaterThanOrEqual(0);
    expect(breaker.state).toBe('half-open');
    expect(steps()).toEqual(['closed>open', 'open>half-open']);
  });

  it('does not count outcomes while open', () => {
    const { breaker } = tripped();
    breaker.record(breaker.admit(0), 200, 0);
    expect(breaker.state).toBe('open');
  });

  it('tells a refused caller how long is left, and openFor when not open', () => {
    const { breaker } = setup();
    expect(breaker.retryAfterMs(0)).toBe(5_000);
    const t = tripped({}, 1_000);
    expect(t.breaker.retryAfterMs(1_000)).toBe(5_000);
    expect(t.breaker.retryAfterMs(4_500)).toBe(1_500);
    expect(t.breaker.retryAfterMs(7_000)).toBe(0);
  });
});

describe('CircuitBreaker: half-open', () => {
  it('admits exactly halfOpenRequests probes', () => {
    const { breaker } = tripped({ halfOpenRequests: 3 });
    const tickets = [breaker.admit(5_000), breaker.admit(5_001), breaker.admit(5_002)];
    for (const t of tickets) expect(t).toBeGreaterThanOrEqual(0);
    expect(breaker.admit(5_003)).toBe(REFUSED);
    expect(breaker.admit(60_000)).toBe(REFUSED);
    expect(breaker.state).toBe('half-open');
  });

  it('closes on a probe success', () => {
    const { breaker, steps } = tripped();
    breaker.record(breaker.admit(5_000), 200, 5_100);
    expect(breaker.state).toBe('closed');
    expect(steps()).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
    expect(breaker.admit(5_100)).toBeGreaterThanOrEqual(0);
  });

  it('closes on the first probe success, leaving the other probes no say', () => {
    const { breaker, steps } = tripped({ halfOpenRequests: 2 });
    const a = breaker.admit(5_000);
    const b = breaker.admit(5_000);
    breaker.record(a, 204, 5_010);
    breaker.record(b, 503, 5_020);
    expect(breaker.state).toBe('closed');
    expect(steps()).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('reopens on a probe failure, for twice as long each trip in a row, up to maxOpenFor', () => {
    const { breaker } = tripped({ openForMs: 5_000, maxOpenForMs: 60_000 }, 0);
    const openFor: number[] = [breaker.retryAfterMs(0)];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      now += openFor.at(-1) as number;
      expect(breaker.admit(now - 1)).toBe(REFUSED);
      breaker.record(breaker.admit(now), 'connect-failure', now);
      expect(breaker.state).toBe('open');
      openFor.push(breaker.retryAfterMs(now));
    }
    expect(openFor).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
  });

  it('opens for openFor again after closing', () => {
    const { breaker, attempt } = tripped();
    breaker.record(breaker.admit(5_000), 503, 5_000); // open for 10s
    breaker.record(breaker.admit(15_000), 200, 15_000); // closed
    for (let i = 0; i < 5; i++) attempt(503, 16_000);
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfterMs(16_000)).toBe(5_000);
  });

  it('needs a whole new run of failures after closing', () => {
    const { breaker, attempt } = setup({ consecutiveFailures: 3 });
    attempt(503);
    attempt(503);
    attempt(503);
    breaker.record(breaker.admit(5_000), 200, 5_000);
    attempt(503, 5_001);
    attempt(503, 5_002);
    expect(breaker.state).toBe('closed');
    attempt(503, 5_003);
    expect(breaker.state).toBe('open');
  });

  it('forgets the failure rate window on closing', () => {
    const { breaker, attempt } = setup({ consecutiveFailures: 0, failureRate: 0.5, minRequests: 4 });
    for (let i = 0; i < 4; i++) attempt(503, 0);
    expect(breaker.state).toBe('open');
    breaker.record(breaker.admit(5_000), 200, 5_000);
    expect(breaker.state).toBe('closed');
    for (let i = 0; i < 3; i++) attempt(503, 5_000);
    expect(breaker.state).toBe('closed');
  });

  it('frees a probe slot on release, without changing state', () => {
    const { breaker, steps } = tripped();
    const probe = breaker.admit(5_000);
    expect(breaker.admit(5_000)).toBe(REFUSED);
    breaker.release(probe);
    expect(breaker.state).toBe('half-open');
    const next = breaker.admit(5_000);
    expect(next).toBeGreaterThanOrEqual(0);
    expect(breaker.admit(5_000)).toBe(REFUSED);
    expect(steps()).toEqual(['closed>open', 'open>half-open']);
  });

  it('does not take a release while closed for a success that ends a run of failures', () => {
    const { breaker, attempt, transitions } = setup({ consecutiveFailures: 2 });
    attempt(503);
    breaker.release(breaker.admit(0));
    expect(transitions).toEqual([]);
    attempt(503);
    expect(breaker.state).toBe('open');
  });
});

describe('CircuitBreaker: stale tickets', () => {
  it('a ticket from before a trip neither closes a half-open breaker nor frees its probe slot', () => {
    const { breaker, attempt, steps } = setup();
    const stale = breaker.admit(0);
    for (let i = 0; i < 5; i++) attempt(503);
    breaker.record(stale, 200, 1);
    expect(breaker.state).toBe('open');
    const probe = breaker.admit(5_000);
    breaker.record(stale, 200, 5_001);
    breaker.release(stale);
    expect(breaker.state).toBe('half-open');
    expect(breaker.admit(5_001)).toBe(REFUSED);
    breaker.record(probe, 200, 5_002);
    expect(breaker.state).toBe('closed');
    expect(steps()).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('a stale failure does not reopen a half-open breaker', () => {
    const { breaker, attempt } = setup();
    const stale = breaker.admit(0);
    for (let i = 0; i < 5; i++) attempt(503);
    breaker.admit(5_000);
    breaker.record(stale, 'connect-failure', 5_001);
    expect(breaker.state).toBe('half-open');
  });

  it('a failure from before the breaker last closed does not count towards the next run', () => {
    const { breaker, attempt } = setup({ consecutiveFailures: 5 });
    const stale = breaker.admit(0);
    for (let i = 0; i < 5; i++) attempt(503);
    breaker.record(breaker.admit(5_000), 200, 5_000);
    for (let i = 0; i < 4; i++) attempt(503, 5_001);
    breaker.record(stale, 503, 5_002);
    expect(breaker.state).toBe('closed');
  });

  it('a probe ticket from a previous half-open spell is stale in the next one', () => {
    const { breaker } = tripped({ halfOpenRequests: 2 });
    const first = breaker.admit(5_000);
    const late = breaker.admit(5_000);
    breaker.record(first, 503, 5_000); // open again for 10s
    const probe = breaker.admit(15_000);
    breaker.record(late, 200, 15_001);
    expect(breaker.state).toBe('half-open');
    breaker.release(late);
    expect(breaker.admit(15_001)).toBeGreaterThanOrEqual(0);
    expect(breaker.admit(15_001)).toBe(REFUSED);
    breaker.record(probe, 200, 15_002);
    expect(breaker.state).toBe('closed');
  });
});

describe('CircuitBreaker: transitions', () => {
  it('tells the listener of every change, with the breaker, from and to', () => {
    const { breaker, transitions } = tripped({}, 0);
    breaker.record(breaker.admit(5_000), 503, 5_000);
    breaker.record(breaker.admit(15_000), 200, 15_000);
    expect(transitions.map((t) => [t.from, t.to])).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
    for (const t of transitions) expect(t.breaker).toBe(breaker);
  });

  it('reports the new state to the listener already in place', () => {
    const seen: BreakerState[] = [];
    const breaker = new CircuitBreaker('x', settings({ consecutiveFailures: 1 }), (b) => seen.push(b.state));
    breaker.record(breaker.admit(0), 503, 0);
    breaker.admit(5_000);
    expect(seen).toEqual(['open', 'half-open']);
  });
});

describe('CircuitBreaker: property', () => {
  type Step =
    | { readonly kind: 'admit' }
    | { readonly kind: 'record'; readonly pick: number; readonly fail: boolean }
    | { readonly kind: 'release'; readonly pick: number }
    | { readonly kind: 'tick'; readonly ms: number };

  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.constant({ kind: 'admit' } as const),
    fc.record({ kind: fc.constant('record' as const), pick: fc.nat(), fail: fc.boolean() }),
    fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3_000 }) }),
  );

  it('never has more probes out than halfOpenRequests, admits up to that many, and ignores stale tickets', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(step, { maxLength: 300 }), (halfOpen, steps) => {
        let epoch = 0;
        const breaker = new CircuitBreaker(
          'p',
          settings({ consecutiveFailures: 2, openForMs: 1_000, maxOpenForMs: 4_000, halfOpenRequests: halfOpen }),
          () => epoch++,
        );
        /** Tickets admitted and not yet recorded or released, with the epoch (transitions so far) they were issued in. */
        let outstanding: { ticket: number; epoch: number }[] = [];
        let now = 0;
        const probesOut = () => (breaker.state === 'half-open' ? outstanding.filter((t) => t.epoch === epoch).length : 0);

        for (const s of steps) {
          if (s.kind === 'tick') now += s.ms;
          else if (s.kind === 'admit') {
            const wasHalfOpen = breaker.state === 'half-open';
            const before = probesOut();
            const ticket = breaker.admit(now);
            if (ticket === REFUSED) {
              expect(breaker.state === 'open' || (breaker.state === 'half-open' && probesOut() === halfOpen)).toBe(true);
            } else {
              if (wasHalfOpen) expect(before).toBeLessThan(halfOpen);
              outstanding.push({ ticket, epoch });
            }
          } else if (outstanding.length > 0) {
            const i = s.pick % outstanding.length;
            const t = outstanding[i] as { ticket: number; epoch: number };
            outstanding = outstanding.filter((_, j) => j !== i);
            const epochBefore = epoch;
            if (s.kind === 'record') breaker.record(t.ticket, s.fail ? 503 : 200, now);
            else breaker.release(t.ticket);
            // A ticket from before the last transition never moves the breaker.
            if (t.epoch !== epochBefore) expect(epoch).toBe(epochBefore);
            // A release never moves it either.
            if (s.kind === 'release') expect(epoch).toBe(epochBefore);
          }
          expect(probesOut()).toBeLessThanOrEqual(halfOpen);
        }
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe('CircuitBreaker.continueFrom (a config reload)', () => {
  it('keeps an open breaker open until its time is up, then probes under the new settings', () => {
    const old = setup({ consecutiveFailures: 2 });
    old.attempt(503, 0);
    old.attempt(503, 0);
    expect(old.breaker.state).toBe('open');
    const transitions: string[] = [];
    const next = new CircuitBreaker('users', settings({ consecutiveFailures: 3, halfOpenRequests: 2 }), (_b, from, to) => transitions.push(`${from}>${to}`));
    next.continueFrom(old.breaker);
    expect(next.state).toBe('open');
    expect(next.admit(4_999)).toBe(REFUSED);
    expect(next.admit(5_000)).not.toBe(REFUSED);
    expect(next.admit(5_000)).not.toBe(REFUSED); // two probes now: the new halfOpenRequests
    expect(next.admit(5_000)).toBe(REFUSED);
    expect(transitions).toEqual(['open>half-open']);
  });

  it('counts the failures seen before the reload towards the new threshold', () => {
    const old = setup({ consecutiveFailures: 3 });
    old.attempt(503, 0);
    old.attempt(503, 0);
    const next = new CircuitBreaker('users', settings({ consecutiveFailures: 3 }), () => {});
    next.continueFrom(old.breaker);
    next.record(next.admit(1), 503, 1);
    expect(next.state).toBe('open');
  });

  it('passes on what attempts admitted before the reload report, and what the old one is asked', () => {
    const old = setup({ consecutiveFailures: 1 });
    old.attempt(503, 0);
    const probe = old.breaker.admit(5_000); // half-open: the only probe, in flight across the reload
    const next = new CircuitBreaker('users', settings({ consecutiveFailures: 1 }), () => {});
    next.continueFrom(old.breaker);
    expect(next.admit(5_000)).toBe(REFUSED); // the probe slot is still taken
    old.breaker.record(probe, 200, 5_001);
    expect(next.state).toBe('closed');
    expect(old.breaker.state).toBe('closed');
    expect(old.breaker.admit(5_002)).not.toBe(REFUSED);
  });

  it('continues the latest breaker when reloaded twice', () => {
    const first = setup({ consecutiveFailures: 1 });
    const second = new CircuitBreaker('users', settings({ consecutiveFailures: 1 }), () => {});
    second.continueFrom(first.breaker);
    const third = new CircuitBreaker('users', settings({ consecutiveFailures: 1 }), () => {});
    third.continueFrom(first.breaker);
    first.breaker.record(first.breaker.admit(0), 503, 0);
    expect(third.state).toBe('open');
  });
});
