// All the policies of one route, composed in the order a request meets them: the concurrency limits,
// the circuit breaker, the per-try and overall timeouts, then retries within the budget. The exchange
// that carries a request calls these methods; each publishes what it decided.

import type { Rejection, ResilienceEvents } from '../../ports/resilience-events.ts';
import type { RouteFeatures } from '../operations/route-features.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import type { ConcurrencyLimit } from './concurrency-limit.ts';
import type { AttemptOutcome } from './outcome.ts';
import type { RetryBudget } from './retry-budget.ts';
import type { RetryDecision, RetryFacts, RetryPolicy } from './retry-policy.ts';

export interface RoutePolicyParts {
  /** The route's name: its label everywhere. */
  readonly name: string;
  /** Longest time from the request's arrival to the app's response headers, all attempts included; 0 for none. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly budget: RetryBudget;
  /** Null when both trip conditions are turned off. */
  readonly breaker: CircuitBreaker | null;
  readonly limit: ConcurrencyLimit;
  readonly events: ResilienceEvents;
  /** Rate limit, fault injection, flag-gated retries; null (or left out) when the route has none. */
  readonly features?: RouteFeatures | null;
}

export class RoutePolicy {
  readonly name: string;
  readonly timeoutMs: number;
  readonly perTryTimeoutMs: number;
  readonly bufferLimit: number;
  readonly retry: RetryPolicy;
  readonly breaker: CircuitBreaker | null;
  readonly limit: ConcurrencyLimit;
  /** Checked by the exchange at admission, before `admit`: null for a route without any. */
  readonly features: RouteFeatures | null;
  readonly #budget: RetryBudget;
  readonly #events: ResilienceEvents;

  constructor(parts: RoutePolicyParts) {
    this.name = parts.name;
    this.timeoutMs = parts.timeoutMs;
    this.perTryTimeoutMs = parts.retry.settings.perTryTimeoutMs;
    this.bufferLimit = parts.retry.settings.attempts > 1 ? parts.retry.settings.bufferLimit : 0;
    this.retry = parts.retry;
    this.breaker = parts.breaker;
    this.limit = parts.limit;
    this.features = parts.features ?? null;
    this.#budget = parts.budget;
    this.#events = parts.events;
  }

  /** Admits a new request (it then holds a slot until `finish`), or says why not. */
  admit(now: number): Rejection | null {
    if (!this.limit.tryAcquire()) return this.reject('overloaded');
    this.#budget.recordRequest(now);
    return null;
  }

  /** Publishes a rejection decided here or by a limit above the route (the global one). */
  reject(reason: Rejection): Rejection {
    this.#events.requestRejected(this.name, reason);
    return reason;
  }

  finish(): void {
    this.limit.release();
  }

  /** A circuit-breaker ticket for the next attempt, or REFUSED while the breaker is open. */
  admitAttempt(now: number): number {
    return this.breaker === null ? 0 : this.breaker.admit(now);
  }

  attemptStarted(attempt: number): void {
    this.#events.attemptStarted(this.name, attempt);
  }

  endAttempt(ticket: number, attempt: number, outcome: AttemptOutcome, startedAt: number, now: number): void {
    this.breaker?.record(ticket, outcome, now);
    this.#events.attemptEnded(this.name, attempt, outcome, now - startedAt);
  }

  /** The attempt ended with no verdict on the app (the client left first). */
  abandonAttempt(ticket: number): void {
    this.breaker?.release(ticket);
  }

  decideRetry(outcome: AttemptOutcome, facts: RetryFacts, now: number): RetryDecision {
    const decision = this.retry.decide(outcome, facts, now);
    if (typeof decision === 'number') this.#events.retryScheduled(this.name, facts.attempt, outcome, decision);
    else if (decision !== null) this.#events.retryDenied(this.name, facts.attempt, outcome, decision);
    return decision;
  }

  /** Publishes that a retry could not start because the breaker opened meanwhile. */
  retryRefusedByBreaker(attempt: number, outcome: AttemptOutcome): void {
    this.#events.retryDenied(this.name, attempt, outcome, 'circuit_open');
  }
}
