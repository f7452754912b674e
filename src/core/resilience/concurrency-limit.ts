// A cap on requests in flight (Envoy's `max_requests`): beyond it, requests are refused at once rather
// than queued, so a stuck app cannot pile up unbounded memory and sockets in the sidecar.

export class ConcurrencyLimit {
  /** 0 means no limit. */
  readonly max: number;
  #current = 0;

  constructor(max: number) {
    this.max = max;
  }

  get current(): number {
    return this.#current;
  }

  tryAcquire(): boolean {
    if (this.max !== 0 && this.#current >= this.max) return false;
    this.#current++;
    return true;
  }

  release(): void {
    this.#current--;
  }
}
