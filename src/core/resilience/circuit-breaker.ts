// A circuit breaker guarding the app for one route or a named group of routes. Closed, it counts
// attempt outcomes; it trips open on a run of consecutive failures or on a failure rate over a sliding
// window. Open, it refuses attempts at once for `openFor`, doubling on every trip in a row up to
// `maxOpenFor`. Then it lets `halfOpenRequests` probes through: a probe's success closes it, a
// failure opens it again.
//
// Every admitted attempt gets a ticket (the breaker's generation at admission). An outcome counts only
// against the generation that admitted it, so a slow attempt from before a trip can never close or
// re-open the breaker, and a half-open breaker never has more probes out than it allows.
//
// A config reload builds new breakers; each continues the one it replaces (continueFrom), which from
// then on passes everything on to it, so the attempts it admitted before the reload still count.

import { SlidingWindow } from './sliding-window.ts';
import type { AttemptOutcome, OutcomeSet } from './outcome.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerSettings {
  /** Failures in a row that trip the breaker; 0 turns this trigger off. */
  readonly consecutiveFailures: number;
  /** Share of failed attempts over the window that trips it (0..1); 0 turns this trigger off. */
  readonly failureRate: number;
  /** Attempts the window must hold before the failure rate counts. */
  readonly minRequests: number;
  readonly windowMs: number;
  readonly openForMs: number;
  readonly maxOpenForMs: number;
  readonly halfOpenRequests: number;
  /** Which outcomes are failures. */
  readonly failOn: OutcomeSet;
}

export type BreakerTransitionListener = (breaker: CircuitBreaker, from: BreakerState, to: BreakerState) => void;

/** What `admit` returns when the breaker refuses an attempt. */
export const REFUSED = -1;

export class CircuitBreaker {
  readonly name: string;
  readonly #s: CircuitBreakerSettings;
  readonly #onTransition: BreakerTransitionListener;
  /** first: attempts, second: failures; only counted while closed. */
  readonly #window: SlidingWindow;
  #state: BreakerState = 'closed';
  #generation = 0;
  #consecutive = 0;
  /** Trips since the breaker last closed: sets how long it stays open. */
  #trips = 0;
  #openUntil = 0;
  #probesOut = 0;
  /** Set when a config reload replaced this breaker: everything is passed on to it. */
  #successor: CircuitBreaker | null = null;

  constructor(name: string, settings: CircuitBreakerSettings, onTransition: BreakerTransitionListener) {
    this.name = name;
    this.#s = settings;
    this.#onTransition = onTransition;
    this.#window = new SlidingWindow(settings.windowMs);
  }

  get state(): BreakerState {
    return this.#successor === null ? this.#state : this.#successor.state;
  }

  /**
   * Takes over from `previous`, this route's (or group's) breaker before a config reload: its state, its
   * open-until time, its counts (the window too, when its length is unchanged) and its generation, so a
   * reload neither closes an open breaker nor forgets recent failures. Attempts `previous` admitted
   * report here from now on.
   */
  continueFrom(previous: CircuitBreaker): void {
    const p = previous.#latest();
    this.#state = p.#state;
    this.#generation = p.#generation;
    this.#consecutive = p.#consecutive;
    this.#trips = p.#trips;
    this.#openUntil = p.#openUntil;
    this.#probesOut = p.#probesOut;
    if (p.#s.windowMs === this.#s.windowMs) this.#window.copyFrom(p.#window);
    p.#successor = this;
  }

  #latest(): CircuitBreaker {
    return this.#successor === null ? this : this.#successor.#latest();
  }

  /** A ticket (≥ 0) for an attempt the breaker lets through, or REFUSED. */
  admit(now: number): number {
    if (this.#successor !== null) return this.#successor.admit(now);
    if (this.#state === 'closed') return this.#generation;
    if (this.#state === 'open') {
      if (now < this.#openUntil) return REFUSED;
      this.#moveTo('half-open');
    }
    if (this.#probesOut >= this.#s.halfOpenRequests) return REFUSED;
    this.#probesOut++;
    return this.#generation;
  }

  /** Reports how an admitted attempt ended. */
  record(ticket: number, outcome: AttemptOutcome, now: number): void {
    if (this.#successor !== null) {
      this.#successor.record(ticket, outcome, now);
      return;
    }
    if (ticket !== this.#generation) return; // admitted before the last transition: no longer relevant
    const failed = this.#s.failOn.has(outcome);
    if (this.#state === 'half-open') {
      this.#probesOut--;
      if (failed) this.#trip(now);
      else this.#close();
      return;
    }
    if (this.#state !== 'closed') return;
    const w = this.#window;
    w.advance(now);
    w.add(1, failed ? 1 : 0);
    if (!failed) {
      this.#consecutive = 0;
      return;
    }
    this.#consecutive++;
    const s = this.#s;
    if (
      (s.consecutiveFailures > 0 && this.#consecutive >= s.consecutiveFailures) ||
      (s.failureRate > 0 && w.first >= s.minRequests && w.second >= s.failureRate * w.first)
    ) {
      this.#trip(now);
    }
  }

  /** An admitted attempt ended without a verdict (the client left): frees its probe slot. */
  release(ticket: number): void {
    if (this.#successor !== null) {
      this.#successor.release(ticket);
      return;
    }
    if (ticket === this.#generation && this.#state === 'half-open') this.#probesOut--;
  }

  /** How long a refused caller should wait before trying again, in milliseconds. */
  retryAfterMs(now: number): number {
    if (this.#successor !== null) return this.#successor.retryAfterMs(now);
    return this.#state === 'open' ? Math.max(0, this.#openUntil - now) : this.#s.openForMs;
  }

  #trip(now: number): void {
    this.#trips++;
    const s = this.#s;
    this.#openUntil = now + Math.min(s.maxOpenForMs, s.openForMs * 2 ** Math.min(this.#trips - 1, 30));
    this.#moveTo('open');
  }

  #close(): void {
    this.#trips = 0;
    this.#consecutive = 0;
    this.#window.reset();
    this.#moveTo('closed');
  }

  #moveTo(state: BreakerState): void {
    const from = this.#state;
    this.#state = state;
    this.#generation++;
    this.#probesOut = 0;
    this.#onTransition(this, from, state);
  }
}
