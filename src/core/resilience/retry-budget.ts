// A retry budget (Finagle's RetryBudget, Linkerd's `retryBudget`): retries may add at most `ratio`
// of the request rate over a sliding window, plus a floor of `minPerSecond` so that a quiet route can
// still retry. Retrying a failure only helps when failures are rare; when they are not, the budget runs
// out and failures are returned as they are, instead of multiplying the load on a struggling app.

import { SlidingWindow } from './sliding-window.ts';

export interface RetryBudgetSettings {
  /** Retries allowed per request in the window, e.g. 0.2. */
  readonly ratio: number;
  /** Retries per second allowed whatever the request rate. */
  readonly minPerSecond: number;
  readonly windowMs: number;
}

export class RetryBudget {
  readonly #ratio: number;
  readonly #floor: number;
  /** first: requests, second: retries. */
  readonly #window: SlidingWindow;

  constructor(settings: RetryBudgetSettings) {
    this.#ratio = settings.ratio;
    this.#floor = settings.minPerSecond * (settings.windowMs / 1000);
    this.#window = new SlidingWindow(settings.windowMs);
  }

  /** Counts a request (not its retries) towards the budget. */
  recordRequest(now: number): void {
    this.#window.advance(now);
    this.#window.add(1, 0);
  }

  /** Takes one retry from the budget if there is one left; false means the budget is exhausted. */
  tryWithdraw(now: number): boolean {
    const w = this.#window;
    w.advance(now);
    if (w.second + 1 > this.#floor + this.#ratio * w.first) return false;
    w.add(0, 1);
    return true;
  }

  /** Retries still allowed in the current window. */
  remaining(now: number): number {
    const w = this.#window;
    w.advance(now);
    return Math.max(0, Math.floor(this.#floor + this.#ratio * w.first - w.second));
  }
}
