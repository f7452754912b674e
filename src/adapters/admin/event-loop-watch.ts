// Liveness evidence: how late a periodic timer fires tells how blocked the event loop has been.

export class EventLoopWatch {
  #lagMs = 0;
  #expected = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(periodMs = 500) {
    this.#expected = performance.now() + periodMs;
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#lagMs = Math.max(0, now - this.#expected);
      this.#expected = now + periodMs;
    }, periodMs);
    this.#timer.unref();
  }

  /** Lateness of the last tick, in milliseconds. */
  get lagMs(): number {
    return this.#lagMs;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
