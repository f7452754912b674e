// Every decision the resilience policies take, published for observers (metrics, traces, logs) so that
// the policies never know who is listening. Route names are route templates, never raw paths.

import type { BreakerState } from '../core/resilience/circuit-breaker.ts';
import type { AttemptOutcome } from '../core/resilience/outcome.ts';
import type { RetryDenial } from '../core/resilience/retry-policy.ts';

/** Why a request was answered by Sightline without reaching the app. */
export type Rejection = 'circuit_open' | 'overloaded';

export interface ResilienceEvents {
  /** Attempt `attempt` (1 for the first) of a request on `route` is being sent. */
  attemptStarted(route: string, attempt: number): void;
  attemptEnded(route: string, attempt: number, outcome: AttemptOutcome, durationMs: number): void;
  retryScheduled(route: string, attempt: number, outcome: AttemptOutcome, delayMs: number): void;
  /** A failure that could have been retried was not, for `reason`; it goes to the client as it is. */
  retryDenied(route: string, attempt: number, outcome: AttemptOutcome, reason: RetryDenial): void;
  /** `breaker` is the breaker's name: its route's, or its group's. */
  breakerTransition(breaker: string, from: BreakerState, to: BreakerState): void;
  requestRejected(route: string, reason: Rejection): void;
}

/** Listens to nothing: the default until observers subscribe. */
export const IGNORE_RESILIENCE_EVENTS: ResilienceEvents = {
  attemptStarted() {},
  attemptEnded() {},
  retryScheduled() {},
  retryDenied() {},
  breakerTransition() {},
  requestRejected() {},
};
