// Whether a failed attempt is tried again, and after how long. Safety comes first: a request whose
// bytes may have reached the app is retried only when repeating it is harmless (an idempotent method or
// an Idempotency-Key) and its body can be sent again; a connection that never opened carried nothing, so
// that failure is always safe to retry. Then the limits: attempts, the request's deadline, an app's
// Retry-After beyond the cap, and the retry budget.

import { backoffDelay, type BackoffSettings } from './backoff.ts';
import type { AttemptOutcome, OutcomeSet } from './outcome.ts';
import type { RetryBudget } from './retry-budget.ts';

export interface RetrySettings {
  /** Tries in all, the first one included; 1 turns retries off. */
  readonly attempts: number;
  /** Longest wait for one attempt's response headers; 0 leaves only the overall timeout. */
  readonly perTryTimeoutMs: number;
  readonly retryOn: OutcomeSet;
  readonly backoff: BackoffSettings;
  /** The longest Retry-After honoured; an app asking for more gets its answer passed on instead. */
  readonly retryAfterMaxMs: number;
  /** Methods safe to repeat (upper case). */
  readonly methods: ReadonlySet<string>;
  /** Largest request body kept for replay; a larger one is streamed and never retried. */
  readonly bufferLimit: number;
}

/** Why a retryable failure was not retried: the same names appear in events, metrics and logs. */
export type RetryDenial =
  | 'attempts_exhausted'
  | 'unsafe_method'
  | 'body_not_replayable'
  | 'retry_after_too_long'
  | 'deadline'
  | 'budget_exhausted'
  | 'circuit_open';

/** What the exchange knows about its request when an attempt fails. */
export interface RetryFacts {
  /** Attempts made so far (1 after the first). */
  readonly attempt: number;
  /** The method is in `methods`, or the request carries an Idempotency-Key. */
  readonly safe: boolean;
  /** The body can be sent again: none, or buffered whole. */
  readonly replayable: boolean;
  /** Milliseconds the app asked to wait (Retry-After), if it did. */
  readonly retryAfterMs: number | undefined;
  /** When the request's overall timeout expires (Infinity for none). */
  readonly deadline: number;
}

/** The delay before the next attempt (ms, ≥ 0), the reason it will not happen, or null if the outcome is not one to retry. */
export type RetryDecision = number | RetryDenial | null;

export class RetryPolicy {
  readonly settings: RetrySettings;
  readonly #budget: RetryBudget;
  readonly #random: () => number;

  constructor(settings: RetrySettings, budget: RetryBudget, random: () => number) {
    this.settings = settings;
    this.#budget = budget;
    this.#random = random;
  }

  /** Whether a request with this method (and Idempotency-Key or not) may be sent twice. */
  isSafe(method: string, hasIdempotencyKey: boolean): boolean {
    return hasIdempotencyKey || this.settings.methods.has(method);
  }

  decide(outcome: AttemptOutcome, facts: RetryFacts, now: number): RetryDecision {
    const s = this.settings;
    if (!s.retryOn.has(outcome)) return null;
    if (facts.attempt >= s.attempts) return 'attempts_exhausted';
    if (outcome !== 'connect-failure') {
      if (!facts.safe) return 'unsafe_method';
      if (!facts.replayable) return 'body_not_replayable';
    }
    let delay: number;
    if (facts.retryAfterMs !== undefined) {
      if (facts.retryAfterMs > s.retryAfterMaxMs) return 'retry_after_too_long';
      delay = facts.retryAfterMs;
    } else {
      delay = backoffDelay(s.backoff, facts.attempt, this.#random);
    }
    if (now + delay >= facts.deadline) return 'deadline';
    if (!this.#budget.tryWithdraw(now)) return 'budget_exhausted';
    return delay;
  }
}
