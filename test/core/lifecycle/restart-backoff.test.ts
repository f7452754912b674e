import { describe, expect, it } from 'vitest';
import { RestartBackoff, STABLE_UPTIME_MS } from '../../../src/core/lifecycle/restart-backoff.ts';

describe('RestartBackoff', () => {
  it('replaces a worker that ran a while at once', () => {
    const backoff = new RestartBackoff();
    expect(backoff.next(60_000)).toBe(0);
    expect(backoff.next(STABLE_UPTIME_MS)).toBe(0);
    expect(backoff.next(STABLE_UPTIME_MS * 3)).toBe(0);
  });

  it('pauses 1s, 2s, 4s ... up to 30s while workers keep dying soon after they start', () => {
    const backoff = new RestartBackoff();
    const pauses = Array.from({ length: 9 }, () => backoff.next(500));
    expect(pauses).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('starts afresh once a replacement has been stable', () => {
    const backoff = new RestartBackoff();
    backoff.next(100);
    backoff.next(100);
    expect(backoff.next(100)).toBe(2000);
    expect(backoff.next(STABLE_UPTIME_MS + 1)).toBe(0);
    expect(backoff.next(100)).toBe(1000);
  });
});
