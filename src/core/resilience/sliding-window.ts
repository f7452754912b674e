// Two running counts over a sliding time window (requests and retries, attempts and failures), kept in
// ten buckets so the window slides a tenth at a time, with O(1) updates and no allocation.

const BUCKETS = 10;

export class SlidingWindow {
  readonly #bucketMs: number;
  readonly #first = new Float64Array(BUCKETS);
  readonly #second = new Float64Array(BUCKETS);
  /** The bucket the latest update fell in, counted in bucket widths from time 0. */
  #head = 0;
  /** Sum of the first count over the window. */
  first = 0;
  /** Sum of the second count over the window. */
  second = 0;

  constructor(windowMs: number) {
    this.#bucketMs = windowMs / BUCKETS;
  }

  /** Slides the window up to `now`; call before reading the sums. */
  advance(now: number): void {
    const bucket = Math.floor(now / this.#bucketMs);
    if (bucket <= this.#head) return;
    // Clear every bucket that slid out (all of them after a quiet spell longer than the window).
    const steps = Math.min(bucket - this.#head, BUCKETS);
    for (let i = 1; i <= steps; i++) {
      const slot = (this.#head + i) % BUCKETS;
      this.first -= this.#first[slot] as number;
      this.second -= this.#second[slot] as number;
      this.#first[slot] = 0;
      this.#second[slot] = 0;
    }
    this.#head = bucket;
  }

  /** Adds to the counts of the current bucket; `advance(now)` first. */
  add(first: number, second: number): void {
    const slot = this.#head % BUCKETS;
    this.#first[slot] = (this.#first[slot] as number) + first;
    this.#second[slot] = (this.#second[slot] as number) + second;
    this.first += first;
    this.second += second;
  }

  /** Takes the counts of `other`, a window of the same length. */
  copyFrom(other: SlidingWindow): void {
    this.#first.set(other.#first);
    this.#second.set(other.#second);
    this.#head = other.#head;
    this.first = other.first;
    this.second = other.second;
  }

  reset(): void {
    this.#first.fill(0);
    this.#second.fill(0);
    this.first = 0;
    this.second = 0;
  }
}
