// A local rate limit (Envoy's local_ratelimit): a token bucket that holds up to `burst` tokens and gains
// `requestsPerSecond` a second; each request takes one, and a request that finds none is refused at once,
// told when the next token comes. Keyed by a request header, each value gets its own bucket, and the
// buckets kept are bounded: beyond `maxKeys` the least recently used one is forgotten (Map keeps
// insertion order; a bucket used again moves to the end), so no client can grow memory without bound.

import type { RateLimitConfig } from '../config/operations.ts';
import type { RequestKeys } from './request-keys.ts';

/** Longer key values are cut to this: a client cannot make each kept key cost more. */
export const MAX_KEY_LENGTH = 256;

class Bucket {
  tokens: number;
  updatedAt: number;

  constructor(tokens: number, now: number) {
    this.tokens = tokens;
    this.updatedAt = now;
  }
}

export class RateLimiter {
  /** Lower-case header whose value picks the bucket; '' for one bucket. */
  readonly key: string;
  readonly burst: number;
  readonly maxKeys: number;
  readonly #perMs: number;
  /** The one bucket when not keyed. */
  readonly #single: Bucket | null;
  readonly #buckets = new Map<string, Bucket>();
  /** The most recently used key: already last in the map, so a client's run of requests moves nothing. */
  #lastKey: string | null = null;

  constructor(config: RateLimitConfig) {
    this.key = config.key;
    this.burst = config.burst > 0 ? config.burst : Math.max(1, config.requestsPerSecond);
    this.maxKeys = config.maxKeys;
    this.#perMs = config.requestsPerSecond / 1000;
    // Full from the start, whenever that is on the clock's scale.
    this.#single = config.key === '' ? new Bucket(this.burst, -Infinity) : null;
  }

  /** Buckets kept right now (keyed limits). */
  get keys(): number {
    return this.#buckets.size;
  }

  /** Takes a token for the request's bucket: 0 when it may go, else milliseconds until a token is there. */
  takeFor(request: RequestKeys, now: number): number {
    if (this.#single !== null) return this.#take(this.#single, now);
    // Requests without the header share one bucket: leaving it out is no way around the limit.
    return this.take(request.header(this.key) ?? '', now);
  }

  /** Takes a token from the bucket of one key value. */
  take(key: string, now: number): number {
    if (this.#single !== null) return this.#take(this.#single, now);
    const k = key.length > MAX_KEY_LENGTH ? key.slice(0, MAX_KEY_LENGTH) : key;
    const buckets = this.#buckets;
    let bucket = buckets.get(k);
    if (bucket === undefined) {
      if (buckets.size >= this.maxKeys) buckets.delete(buckets.keys().next().value as string);
      bucket = new Bucket(this.burst, now);
      buckets.set(k, bucket);
    } else if (k !== this.#lastKey) {
      buckets.delete(k);
      buckets.set(k, bucket);
    }
    this.#lastKey = k;
    return this.#take(bucket, now);
  }

  #take(bucket: Bucket, now: number): number {
    const elapsed = now - bucket.updatedAt;
    if (elapsed > 0) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.#perMs);
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / this.#perMs;
  }
}
