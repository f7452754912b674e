// One route's last few minutes, one slot per second in fixed ring buffers: counting a request is a few
// array writes, with no allocation and no work proportional to the window. A slot whose second has
// passed out of the window is zeroed the first time its index comes round again.

import { LATENCY_BUCKETS, latencyBucket } from './latency-buckets.ts';
import type { RouteSeries } from './stats-snapshot.ts';

const REQUESTS = 0;
const ERRORS = 1;
const RETRIES = 2;
const BUDGET_DENIED = 3;
const REJECTED = 4;
const SUM_MS = 5;
const MAX_MS = 6;
const FIELDS = 7;

export class RouteWindow {
  readonly name: string;
  readonly #seconds: number;
  /** The second each slot counts (epoch seconds); -1 for never used. */
  readonly #stamps: Float64Array;
  readonly #fields: Float64Array;
  readonly #histogram: Uint32Array;

  constructor(name: string, seconds: number) {
    this.name = name;
    this.#seconds = seconds;
    this.#stamps = new Float64Array(seconds).fill(-1);
    this.#fields = new Float64Array(seconds * FIELDS);
    this.#histogram = new Uint32Array(seconds * LATENCY_BUCKETS);
  }

  /** A request ended in `second`, after `durationMs`; `error`: answered 5xx. */
  recordRequest(second: number, durationMs: number, error: boolean): void {
    const slot = this.#slot(second);
    const f = slot * FIELDS;
    const fields = this.#fields;
    fields[f + REQUESTS] = (fields[f + REQUESTS] as number) + 1;
    if (error) fields[f + ERRORS] = (fields[f + ERRORS] as number) + 1;
    fields[f + SUM_MS] = (fields[f + SUM_MS] as number) + durationMs;
    if (durationMs > (fields[f + MAX_MS] as number)) fields[f + MAX_MS] = durationMs;
    const bucket = slot * LATENCY_BUCKETS + latencyBucket(durationMs);
    this.#histogram[bucket] = (this.#histogram[bucket] as number) + 1;
  }

  recordRetry(second: number): void {
    this.#count(second, RETRIES);
  }

  recordBudgetDenial(second: number): void {
    this.#count(second, BUDGET_DENIED);
  }

  recordRejection(second: number): void {
    this.#count(second, REJECTED);
  }

  #count(second: number, field: number): void {
    const at = this.#slot(second) * FIELDS + field;
    this.#fields[at] = (this.#fields[at] as number) + 1;
  }

  /** The window's counts as plain arrays, oldest second first, ending with `endSecond`. */
  series(endSecond: number): RouteSeries {
    const n = this.#seconds;
    const columns = Array.from({ length: FIELDS }, () => new Array<number>(n).fill(0));
    const histogram = new Array<number>(n * LATENCY_BUCKETS).fill(0);
    for (let i = 0; i < n; i++) {
      const second = endSecond - n + 1 + i;
      const slot = second % n;
      if (this.#stamps[slot] !== second) continue;
      for (let c = 0; c < FIELDS; c++) (columns[c] as number[])[i] = this.#fields[slot * FIELDS + c] as number;
      for (let k = 0; k < LATENCY_BUCKETS; k++) histogram[i * LATENCY_BUCKETS + k] = this.#histogram[slot * LATENCY_BUCKETS + k] as number;
    }
    const column = (c: number): number[] => columns[c] as number[];
    return {
      name: this.name,
      requests: column(REQUESTS),
      errors: column(ERRORS),
      retries: column(RETRIES),
      retryBudgetDenied: column(BUDGET_DENIED),
      rejected: column(REJECTED),
      durationSumMs: column(SUM_MS),
      maxMs: column(MAX_MS),
      histogram,
    };
  }

  /** The slot counting `second`, zeroed first if it still holds an older second. */
  #slot(second: number): number {
    const slot = second % this.#seconds;
    const stamp = this.#stamps[slot] as number;
    // A clock stepped back counts in the newer slot rather than wiping it.
    if (stamp === second || stamp > second) return slot;
    this.#stamps[slot] = second;
    this.#fields.fill(0, slot * FIELDS, (slot + 1) * FIELDS);
    this.#histogram.fill(0, slot * LATENCY_BUCKETS, (slot + 1) * LATENCY_BUCKETS);
    return slot;
  }
}
