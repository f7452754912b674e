// A ResilienceEvents port that keeps every call, in order, as [method, ...arguments].

import type { FaultKind } from '../../../src/core/operations/fault-injector.ts';
import type { BreakerState } from '../../../src/core/resilience/circuit-breaker.ts';
import type { AttemptOutcome } from '../../../src/core/resilience/outcome.ts';
import type { RetryDenial } from '../../../src/core/resilience/retry-policy.ts';
import type { Rejection, ResilienceEvents } from '../../../src/ports/resilience-events.ts';

export type EventCall = readonly [keyof ResilienceEvents, ...unknown[]];

export class RecordingEvents implements ResilienceEvents {
  readonly calls: EventCall[] = [];

  attemptStarted(route: string, attempt: number): void {
    this.calls.push(['attemptStarted', route, attempt]);
  }

  attemptEnded(route: string, attempt: number, outcome: AttemptOutcome, durationMs: number): void {
    this.calls.push(['attemptEnded', route, attempt, outcome, durationMs]);
  }

  retryScheduled(route: string, attempt: number, outcome: AttemptOutcome, delayMs: number): void {
    this.calls.push(['retryScheduled', route, attempt, outcome, delayMs]);
  }

  retryDenied(route: string, attempt: number, outcome: AttemptOutcome, reason: RetryDenial): void {
    this.calls.push(['retryDenied', route, attempt, outcome, reason]);
  }

  breakerTransition(breaker: string, routes: readonly string[], from: BreakerState, to: BreakerState): void {
    this.calls.push(['breakerTransition', breaker, [...routes], from, to]);
  }

  requestRejected(route: string, reason: Rejection): void {
    this.calls.push(['requestRejected', route, reason]);
  }

  faultInjected(route: string, kind: FaultKind): void {
    this.calls.push(['faultInjected', route, kind]);
  }

  /** The calls of one kind. */
  of(kind: keyof ResilienceEvents): EventCall[] {
    return this.calls.filter((c) => c[0] === kind);
  }

  clear(): void {
    this.calls.length = 0;
  }
}
