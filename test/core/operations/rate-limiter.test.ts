import { describe, expect, it } from 'vitest';
import { BUILT_IN_RATE_LIMIT, type RateLimitConfig } from '../../../src/core/config/operations.ts';
import { MAX_KEY_LENGTH, RateLimiter } from '../../../src/core/operations/rate-limiter.ts';
import { retryAfterSeconds } from '../../../src/core/resilience/backoff.ts';
import { FakeRequest } from './request.ts';

const limiter = (settings: Partial<RateLimitConfig>): RateLimiter => new RateLimiter({ ...BUILT_IN_RATE_LIMIT, ...settings });

/** Takes `n` tokens at `now` and returns how many were granted. */
function takeMany(limit: RateLimiter, n: number, now: number, key = ''): number {
  let granted = 0;
  for (let i = 0; i < n; i++) if (limit.take(key, now) === 0) granted++;
  return granted;
}

describe('RateLimiter: one bucket', () => {
  it('lets a full burst through at once, then refuses', () => {
    const limit = limiter({ requestsPerSecond: 10, burst: 5 });
    expect(takeMany(limit, 5, 1000)).toBe(5);
    expect(limit.take('', 1000)).toBeGreaterThan(0);
  });

  it('sizes the bucket at one second of the rate when burst is 0 (at least 1)', () => {
    expect(limiter({ requestsPerSecond: 20 }).burst).toBe(20);
    expect(limiter({ requestsPerSecond: 1 }).burst).toBe(1);
    expect(takeMany(limiter({ requestsPerSecond: 20 }), 30, 0)).toBe(20);
  });

  it('refills at requestsPerSecond, never beyond the burst', () => {
    const limit = limiter({ requestsPerSecond: 10, burst: 5 });
    expect(takeMany(limit, 5, 0)).toBe(5);
    // 100ms later: one token.
    expect(takeMany(limit, 3, 100)).toBe(1);
    // 250ms later: two and a half tokens, two whole ones.
    expect(takeMany(limit, 5, 350)).toBe(2);
    // An hour of quiet: only the burst.
    expect(takeMany(limit, 100, 3_600_000)).toBe(5);
  });

  it('holds a steady rate over time: about requestsPerSecond a second, plus the burst', () => {
    const limit = limiter({ requestsPerSecond: 50, burst: 10 });
    let granted = 0;
    // A request every millisecond for 10 seconds.
    for (let t = 0; t < 10_000; t++) if (limit.take('', t) === 0) granted++;
    expect(granted).toBeGreaterThanOrEqual(500);
    expect(granted).toBeLessThanOrEqual(511);
  });

  it('says how long until the next token: milliseconds, and Retry-After in whole seconds, at least 1', () => {
    const limit = limiter({ requestsPerSecond: 2, burst: 1 });
    expect(limit.take('', 0)).toBe(0);
    expect(limit.take('', 0)).toBe(500);
    expect(limit.take('', 200)).toBeCloseTo(300, 6);
    expect(retryAfterSeconds(300)).toBe(1);
    const slow = limiter({ requestsPerSecond: 1, burst: 1 });
    slow.take('', 0);
    expect(slow.take('', 0)).toBe(1000);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(0.2)).toBe(1);
  });

  it('does not count a refused request against the bucket', () => {
    const limit = limiter({ requestsPerSecond: 10, burst: 1 });
    limit.take('', 0);
    for (let i = 0; i < 100; i++) limit.take('', 50);
    expect(limit.take('', 100)).toBe(0);
  });
});

describe('RateLimiter: a bucket per key', () => {
  it('keeps the buckets of different keys apart', () => {
    const limit = limiter({ requestsPerSecond: 1, burst: 2, key: 'x-api-key' });
    expect(takeMany(limit, 3, 0, 'a')).toBe(2);
    expect(takeMany(limit, 3, 0, 'b')).toBe(2);
    expect(limit.takeFor(new FakeRequest({ 'x-api-key': 'a' }), 0)).toBeGreaterThan(0);
    expect(limit.takeFor(new FakeRequest({ 'x-api-key': 'c' }), 0)).toBe(0);
  });

  it('puts requests without the header in one shared bucket', () => {
    const limit = limiter({ requestsPerSecond: 1, burst: 2, key: 'x-api-key' });
    expect(limit.takeFor(new FakeRequest({}), 0)).toBe(0);
    expect(limit.takeFor(new FakeRequest({}, 'other'), 0)).toBe(0);
    expect(limit.takeFor(new FakeRequest({}, 'third'), 0)).toBeGreaterThan(0);
    expect(limit.takeFor(new FakeRequest({ 'x-api-key': 'k' }), 0)).toBe(0);
  });

  it('keeps at most maxKeys buckets, forgetting the least recently used', () => {
    const limit = limiter({ requestsPerSecond: 1, burst: 1, key: 'x-api-key', maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) expect(limit.take(key, 0)).toBeGreaterThanOrEqual(0);
    expect(limit.keys).toBe(3);
    // a is used again (refused, but used): b is now the least recently used.
    expect(limit.take('a', 0)).toBeGreaterThan(0);
    expect(limit.take('d', 0)).toBe(0);
    expect(limit.keys).toBe(3);
    // a and c are still remembered (and empty); b was forgotten, so it starts full again.
    expect(limit.take('a', 0)).toBeGreaterThan(0);
    expect(limit.take('c', 0)).toBeGreaterThan(0);
    expect(limit.take('b', 0)).toBe(0);
  });

  it('stays bounded however many keys a client sends', () => {
    const limit = limiter({ requestsPerSecond: 5, key: 'x-api-key', maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) limit.take(`key-${i}`, i);
    expect(limit.keys).toBe(100);
  });

  it('cuts long key values, so each kept key costs at most MAX_KEY_LENGTH characters', () => {
    const limit = limiter({ requestsPerSecond: 1, burst: 1, key: 'x-api-key' });
    const long = 'k'.repeat(MAX_KEY_LENGTH);
    expect(limit.take(`${long}-first`, 0)).toBe(0);
    expect(limit.take(`${long}-second`, 0)).toBeGreaterThan(0);
  });
});
