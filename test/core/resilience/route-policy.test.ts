import { describe, expect, it } from 'vitest';
import { CircuitBreaker, REFUSED } from '../../../src/core/resilience/circuit-breaker.ts';
import { compileRoutes } from '../../../src/core/resilience/compile-routes.ts';
import { ConcurrencyLimit } from '../../../src/core/resilience/concurrency-limit.ts';
import { OutcomeSet } from '../../../src/core/resilience/outcome.ts';
import { RetryBudget, type RetryBudgetSettings } from '../../../src/core/resilience/retry-budget.ts';
import { RetryPolicy, type RetryFacts, type RetrySettings } from '../../../src/core/resilience/retry-policy.ts';
import { RoutePolicy } from '../../../src/core/resilience/route-policy.ts';
import { withDefaults } from './config.ts';
import { RecordingEvents } from './recording-events.ts';


interface Options {
  readonly maxInFlight?: number;
  readonly attempts?: number;
  readonly budget?: RetryBudgetSettings;
  readonly breaker?: boolean;
}

function setup(options: Options = {}) {
  const events = new RecordingEvents();
  const budget = new RetryBudget(options.budget ?? { ratio: 0, minPerSecond: 100, windowMs: 10_000 });
  const settings: RetrySettings = {
    attempts: options.attempts ?? 3,
    perTryTimeoutMs: 750,
    retryOn: new OutcomeSet(['connect-failure', 'reset', 'gateway-error']),
    backoff: { baseMs: 100, maxMs: 1_000 },
    retryAfterMaxMs: 2_000,
    methods: new Set(['GET']),
    bufferLimit: 4096,
  };
  const retry = new RetryPolicy(settings, budget, () => 0.5);
  const breaker =
    options.breaker === true
      ? new CircuitBreaker(
          'users',
          {
            consecutiveFailures: 2,
            failureRate: 0,
            minRequests: 1,
            windowMs: 10_000,
            openForMs: 1_000,
            maxOpenForMs: 10_000,
            halfOpenRequests: 1,
            failOn: new OutcomeSet(['5xx', 'connect-failure']),
          },
          (b, from, to) => events.breakerTransition(b.name, ['users'], from, to),
        )
      : null;
  const limit = new ConcurrencyLimit(options.maxInFlight ?? 0);
  const route = new RoutePolicy({ name: 'users', timeoutMs: 3_000, retry, budget, breaker, limit, events });
  return { route, events, budget, limit, breaker };
}

function facts(overrides: Partial<RetryFacts> = {}): RetryFacts {
  return { attempt: 1, safe: true, replayable: true, retryAfterMs: undefined, deadline: Infinity, ...overrides };
}

describe('RoutePolicy: its settings', () => {
  it('takes its name, timeouts and parts from what it was built with', () => {
    const { route, limit, breaker } = setup({ breaker: true });
    expect(route.name).toBe('users');
    expect(route.timeoutMs).toBe(3_000);
    expect(route.perTryTimeoutMs).toBe(750);
    expect(route.limit).toBe(limit);
    expect(route.breaker).toBe(breaker);
  });

  it('buffers request bodies up to bufferLimit only when it may retry', () => {
    expect(setup({ attempts: 2 }).route.bufferLimit).toBe(4096);
    expect(setup({ attempts: 1 }).route.bufferLimit).toBe(0);
  });
});

describe('RoutePolicy: admission', () => {
  it('admits a request, holding a slot and publishing nothing', () => {
    const { route, events, limit } = setup({ maxInFlight: 2 });
    expect(route.admit(0)).toBeNull();
    expect(limit.current).toBe(1);
    expect(events.calls).toEqual([]);
  });

  it('rejects as overloaded when its limit is full, and publishes the rejection', () => {
    const { route, events, limit } = setup({ maxInFlight: 2 });
    expect(route.admit(0)).toBeNull();
    expect(route.admit(0)).toBeNull();
    expect(route.admit(0)).toBe('overloaded');
    expect(limit.current).toBe(2);
    expect(events.calls).toEqual([['requestRejected', 'users', 'overloaded']]);
  });

  it('frees the slot on finish', () => {
    const { route, events } = setup({ maxInFlight: 1 });
    expect(route.admit(0)).toBeNull();
    route.finish();
    expect(route.admit(0)).toBeNull();
    expect(route.admit(0)).toBe('overloaded');
    expect(events.of('requestRejected')).toHaveLength(1);
  });

  it('never rejects with no limit', () => {
    const { route, events } = setup({ maxInFlight: 0 });
    for (let i = 0; i < 1000; i++) expect(route.admit(0)).toBeNull();
    expect(events.calls).toEqual([]);
  });

  it('counts admitted requests, not rejected ones, towards the retry budget', () => {
    const { route, budget } = setup({ maxInFlight: 5, budget: { ratio: 1, minPerSecond: 0, windowMs: 10_000 } });
    for (let i = 0; i < 8; i++) route.admit(0);
    expect(budget.remaining(0)).toBe(5);
  });

  it('lets admitted requests pay for retries', () => {
    const { route } = setup({ budget: { ratio: 0.2, minPerSecond: 0, windowMs: 10_000 } });
    expect(route.decideRetry(503, facts(), 0)).toBe('budget_exhausted');
    for (let i = 0; i < 5; i++) route.admit(0);
    expect(route.decideRetry(503, facts(), 0)).toBe(50);
    expect(route.decideRetry(503, facts(), 0)).toBe('budget_exhausted');
  });

  it('publishes a rejection decided elsewhere and returns its reason', () => {
    const { route, events } = setup();
    expect(route.reject('circuit_open')).toBe('circuit_open');
    expect(route.reject('overloaded')).toBe('overloaded');
    expect(events.calls).toEqual([
      ['requestRejected', 'users', 'circuit_open'],
      ['requestRejected', 'users', 'overloaded'],
    ]);
  });
});

describe('RoutePolicy: attempts', () => {
  it('admits every attempt with ticket 0 when there is no breaker', () => {
    const { route } = setup();
    for (let i = 0; i < 10; i++) {
      expect(route.admitAttempt(i)).toBe(0);
      route.endAttempt(0, 1, 503, i, i);
    }
    route.abandonAttempt(0);
    expect(route.admitAttempt(100)).toBe(0);
  });

  it('publishes attemptStarted', () => {
    const { route, events } = setup();
    route.attemptStarted(2);
    expect(events.calls).toEqual([['attemptStarted', 'users', 2]]);
  });

  it('publishes attemptEnded with its duration, now - startedAt', () => {
    const { route, events } = setup();
    route.endAttempt(0, 1, 200, 1_000, 1_250);
    route.endAttempt(0, 2, 'per-try-timeout', 2_000, 2_750);
    expect(events.calls).toEqual([
      ['attemptEnded', 'users', 1, 200, 250],
      ['attemptEnded', 'users', 2, 'per-try-timeout', 750],
    ]);
  });

  it('records attempt outcomes into its breaker, which trips and then refuses', () => {
    const { route, events, breaker } = setup({ breaker: true });
    const first = route.admitAttempt(0);
    route.endAttempt(first, 1, 503, 0, 10);
    expect(breaker?.state).toBe('closed');
    const second = route.admitAttempt(10);
    route.endAttempt(second, 2, 'connect-failure', 10, 20);
    expect(breaker?.state).toBe('open');
    expect(events.calls).toEqual([
      ['attemptEnded', 'users', 1, 503, 10],
      ['breakerTransition', 'users', ['users'], 'closed', 'open'],
      ['attemptEnded', 'users', 2, 'connect-failure', 10],
    ]);
    expect(route.admitAttempt(500)).toBe(REFUSED);
  });

  it('frees the breaker probe slot when an attempt is abandoned', () => {
    const { route } = setup({ breaker: true });
    route.endAttempt(route.admitAttempt(0), 1, 503, 0, 0);
    route.endAttempt(route.admitAttempt(0), 1, 503, 0, 0);
    const probe = route.admitAttempt(1_000);
    expect(probe).not.toBe(REFUSED);
    expect(route.admitAttempt(1_000)).toBe(REFUSED);
    route.abandonAttempt(probe);
    expect(route.admitAttempt(1_000)).not.toBe(REFUSED);
  });
});

describe('RoutePolicy: retries', () => {
  it('publishes retryScheduled with the delay and returns it', () => {
    const { route, events } = setup();
    expect(route.decideRetry(503, facts({ attempt: 2 }), 0)).toBe(100);
    expect(route.decideRetry('reset', facts({ retryAfterMs: 1_500 }), 0)).toBe(1_500);
    expect(events.calls).toEqual([
      ['retryScheduled', 'users', 2, 503, 100],
      ['retryScheduled', 'users', 1, 'reset', 1_500],
    ]);
  });

  it('publishes retryDenied with the reason and returns it', () => {
    const { route, events } = setup();
    expect(route.decideRetry(502, facts({ attempt: 3 }), 0)).toBe('attempts_exhausted');
    expect(route.decideRetry(503, facts({ safe: false }), 0)).toBe('unsafe_method');
    expect(route.decideRetry(503, facts({ retryAfterMs: 5_000 }), 0)).toBe('retry_after_too_long');
    expect(events.calls).toEqual([
      ['retryDenied', 'users', 3, 502, 'attempts_exhausted'],
      ['retryDenied', 'users', 1, 503, 'unsafe_method'],
      ['retryDenied', 'users', 1, 503, 'retry_after_too_long'],
    ]);
  });

  it('publishes nothing for an outcome that is not retried', () => {
    const { route, events } = setup();
    expect(route.decideRetry(500, facts(), 0)).toBeNull();
    expect(route.decideRetry(404, facts(), 0)).toBeNull();
    expect(route.decideRetry('timeout', facts(), 0)).toBeNull();
    expect(events.calls).toEqual([]);
  });

  it('publishes retryDenied circuit_open when the breaker refuses the retry', () => {
    const { route, events } = setup();
    route.retryRefusedByBreaker(2, 503);
    expect(events.calls).toEqual([['retryDenied', 'users', 2, 503, 'circuit_open']]);
  });
});

describe('RoutePolicy: built by compileRoutes', () => {
  it('trips the default breaker after five failed attempts and publishes the transition', () => {
    const events = new RecordingEvents();
    const { defaultRoute: route } = compileRoutes(withDefaults({}), [], { random: () => 0.5, events });
    for (let i = 0; i < 4; i++) route.endAttempt(route.admitAttempt(i), 1, 503, i, i + 5);
    expect(events.of('breakerTransition')).toEqual([]);
    route.endAttempt(route.admitAttempt(4), 1, 'reset', 4, 9);
    expect(events.of('breakerTransition')).toEqual([['breakerTransition', 'default', ['default'], 'closed', 'open']]);
    expect(events.of('attemptEnded')).toHaveLength(5);
    expect(events.calls.at(-1)).toEqual(['attemptEnded', 'default', 1, 'reset', 5]);
    expect(route.admitAttempt(100)).toBe(REFUSED);
    expect(route.breaker?.retryAfterMs(100)).toBe(4_909);
  });

  it('publishes the half-open and closing transitions as the probe goes through', () => {
    const events = new RecordingEvents();
    const { defaultRoute: route } = compileRoutes(withDefaults({}), [], { random: () => 0.5, events });
    for (let i = 0; i < 5; i++) route.endAttempt(route.admitAttempt(0), 1, 'connect-failure', 0, 0);
    const probe = route.admitAttempt(5_000);
    route.endAttempt(probe, 1, 200, 5_000, 5_020);
    expect(events.of('breakerTransition')).toEqual([
      ['breakerTransition', 'default', ['default'], 'closed', 'open'],
      ['breakerTransition', 'default', ['default'], 'open', 'half-open'],
      ['breakerTransition', 'default', ['default'], 'half-open', 'closed'],
    ]);
  });

  it('does not count a 4xx towards the default breaker', () => {
    const events = new RecordingEvents();
    const { defaultRoute: route } = compileRoutes(withDefaults({}), [], { random: () => 0.5, events });
    for (let i = 0; i < 50; i++) route.endAttempt(route.admitAttempt(i), 1, 404, i, i);
    expect(events.of('breakerTransition')).toEqual([]);
    expect(route.admitAttempt(50)).not.toBe(REFUSED);
  });
});
