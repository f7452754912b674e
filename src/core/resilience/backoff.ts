// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
// the wait before retry n is uniform in [0, min(max, base × 2^(n-1))). Full jitter spreads the
// retries of many clients that failed together, instead of sending them back in synchronised waves.

export interface BackoffSettings {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Milliseconds to wait before retry number `retry` (1 for the first retry).
 * `random` returns a number in [0, 1), as Math.random does.
 */
export function backoffDelay(settings: BackoffSettings, retry: number, random: () => number): number {
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(retry - 1, 30));
  return Math.floor(random() * ceiling);
}

/**
 * The wait an app asked for in `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds, or undefined when the value is absent or unreadable. `nowEpochMs` is wall-clock
 * time, needed only for the date form.
 */
export function parseRetryAfter(value: string | undefined, nowEpochMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowEpochMs);
}
