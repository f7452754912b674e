// Graceful shutdown, as Kubernetes needs it:
//   1. readiness fails at once, but new requests are still served for `delay` (endpoints take time to update);
//   2. the listener stops accepting, idle keep-alive connections close, responses carry `Connection: close`;
//   3. in-flight requests finish, for at most `timeout`; whatever is left is cut;
//   4. done.
// A second signal skips to the end.

import type { TimerHandle, Timers } from '../../ports/clock.ts';

export interface DrainTarget {
  /** The drain has begun: from now on responses ask clients to close their connections. */
  beginDraining(): void;
  /** Closes the listeners and idle connections; in-flight requests go on. */
  stopAccepting(): void;
  /** Requests (and upgraded connections) still being served. */
  inFlight(): number;
  /** Destroys whatever is still open. */
  forceClose(): void;
}

export type DrainOutcome = 'drained' | 'timed_out' | 'expedited';

export interface DrainSettings {
  readonly delayMs: number;
  readonly timeoutMs: number;
}

export type DrainPhase = 'serving' | 'delaying' | 'closing' | 'done';

export class DrainSequence {
  #phase: DrainPhase = 'serving';
  #timer: TimerHandle | undefined;
  readonly #target: DrainTarget;
  readonly #timers: Timers;
  readonly #settings: DrainSettings;
  readonly #onDone: (outcome: DrainOutcome) => void;

  constructor(target: DrainTarget, timers: Timers, settings: DrainSettings, onDone: (outcome: DrainOutcome) => void) {
    this.#target = target;
    this.#timers = timers;
    this.#settings = settings;
    this.#onDone = onDone;
  }

  get phase(): DrainPhase {
    return this.#phase;
  }

  /** True from the first signal on: readiness fails and responses ask clients to reconnect elsewhere. */
  get draining(): boolean {
    return this.#phase !== 'serving';
  }

  /** Starts the drain; returns false if it had already started. */
  begin(): boolean {
    if (this.#phase !== 'serving') return false;
    this.#phase = 'delaying';
    this.#target.beginDraining();
    this.#timer = this.#timers.setTimeout(() => this.#close(), this.#settings.delayMs);
    return true;
  }

  /** The adapter calls this whenever its in-flight count drops to zero. */
  notifyIdle(): void {
    if (this.#phase === 'closing' && this.#target.inFlight() === 0) this.#finish('drained');
  }

  /** A second signal: stop now. */
  expedite(): void {
    if (this.#phase === 'done') return;
    this.#target.forceClose();
    this.#finish('expedited');
  }

  #close(): void {
    this.#phase = 'closing';
    this.#target.stopAccepting();
    if (this.#target.inFlight() === 0) {
      this.#finish('drained');
      return;
    }
    this.#timer = this.#timers.setTimeout(() => {
      this.#target.forceClose();
      this.#finish('timed_out');
    }, this.#settings.timeoutMs);
  }

  #finish(outcome: DrainOutcome): void {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#onDone(outcome);
  }
}
