// The app's health verdicts over time, for the dashboard: AppHealth says whether the app is healthy
// now; this remembers when that last changed and the last few changes.

import type { Clock } from '../../ports/clock.ts';

export interface HealthChangeRecord {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly healthy: boolean;
  readonly detail: string;
}

export class HealthHistory {
  readonly #clock: Clock;
  readonly #keep: number;
  /** Newest first. */
  readonly #changes: HealthChangeRecord[] = [];

  /** `clock`: epoch milliseconds. */
  constructor(clock: Clock, keep = 20) {
    this.#clock = clock;
    this.#keep = keep;
  }

  record(healthy: boolean, detail: string): void {
    this.#changes.unshift({ at: this.#clock.now(), healthy, detail });
    if (this.#changes.length > this.#keep) this.#changes.length = this.#keep;
  }

  /** When the verdict last changed (null: it never did), and the changes, newest first. */
  view(): { since: number | null; changes: readonly HealthChangeRecord[] } {
    return { since: this.#changes[0]?.at ?? null, changes: [...this.#changes] };
  }
}
