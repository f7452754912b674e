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

/** A wait as `Retry-After` delay-seconds: whole seconds, rounded up, at least 1 (0 would invite an instant retry). */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * The wait an app asked for in `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds, or undefined when the value is absent or unreadable. `nowEpochMs` is wall-clock
 * time, needed only for the date form.
 */
export function parseRetryAfter(value: string | undefined, nowEpochMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the three HTTP-date forms: Date.parse alone reads '1.5' or '-1' as dates in 2001.
  let date: string;
  if (IMF_FIXDATE.test(text) || RFC850_DATE.test(text)) date = text;
  else if (ASCTIME_DATE.test(text)) date = `${text} GMT`; // asctime carries no zone; HTTP dates are UTC
  else return undefined;
  const at = Date.parse(date);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowEpochMs);
}
