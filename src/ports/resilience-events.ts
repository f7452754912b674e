// Every decision the resilience policies take, published for observers (metrics, traces, logs) so that
// the policies never know who is listening. Route names are route templates, never raw paths.

import type { FaultKind } from '../core/operations/fault-injector.ts';
import type { ShadowResult } from '../core/operations/shadow-policy.ts';
import type { BreakerState } from '../core/resilience/circuit-breaker.ts';
import type { AttemptOutcome } from '../core/resilience/outcome.ts';
import type { RetryDenial } from '../core/resilience/retry-policy.ts';

/** Why a request was answered by Sightline without reaching the app (`fault`: an injected abort). */
export type Rejection = 'circuit_open' | 'overloaded' | 'rate_limited' | 'fault';

export interface ResilienceEvents {
  /** Attempt `attempt` (1 for the first) of a request on `route` is being sent. */
  attemptStarted(route: string, attempt: number): void;
  attemptEnded(route: string, attempt: number, outcome: AttemptOutcome, durationMs: number): void;
  retryScheduled(route: string, attempt: number, outcome: AttemptOutcome, delayMs: number): void;
  /** A failure that could have been retried was not, for `reason`; it goes to the client as it is. */
  retryDenied(route: string, attempt: number, outcome: AttemptOutcome, reason: RetryDenial): void;
  /** `breaker` is the breaker's name (its route's, or its group's); `routes` are the routes it guards. */
  breakerTransition(breaker: string, routes: readonly string[], from: BreakerState, to: BreakerState): void;
  requestRejected(route: string, reason: Rejection): void;
  /**
   * A fault was injected into a request of `route` (an abort is also a rejection, `fault`). Optional:
   * observers that do not care about fault injection leave it out.
   */
  faultInjected?(route: string, kind: FaultKind): void;
  /** A shadow request of `route` ended, or was not sent (ShadowResult says which). Optional, as above. */
  shadowEnded?(route: string, result: ShadowResult, durationMs: number): void;
}

/** Listens to nothing: the default until observers subscribe. */
export const IGNORE_RESILIENCE_EVENTS: ResilienceEvents = {
  attemptStarted() {},
  attemptEnded() {},
  retryScheduled() {},
  retryDenied() {},
  breakerTransition() {},
  requestRejected() {},
  faultInjected() {},
  shadowEnded() {},
};

/** One listener that tells each of `listeners`, in order. */
export function allOf(...listeners: readonly ResilienceEvents[]): ResilienceEvents {
  return {
    attemptStarted: (route, attempt) => { for (const l of listeners) l.attemptStarted(route, attempt); },
    attemptEnded: (route, attempt, outcome, durationMs) => { for (const l of listeners) l.attemptEnded(route, attempt, outcome, durationMs); },
    retryScheduled: (route, attempt, outcome, delayMs) => { for (const l of listeners) l.retryScheduled(route, attempt, outcome, delayMs); },
    retryDenied: (route, attempt, outcome, reason) => { for (const l of listeners) l.retryDenied(route, attempt, outcome, reason); },
    breakerTransition: (breaker, routes, from, to) => { for (const l of listeners) l.breakerTransition(breaker, routes, from, to); },
    requestRejected: (route, reason) => { for (const l of listeners) l.requestRejected(route, reason); },
    faultInjected: (route, kind) => { for (const l of listeners) l.faultInjected?.(route, kind); },
    shadowEnded: (route, result, durationMs) => { for (const l of listeners) l.shadowEnded?.(route, result, durationMs); },
  };
}
