// A route's operations policies in config: `rateLimit` (a local token bucket, optionally one per value of
// a request header) and `fault` (injected delays and aborts for chaos rehearsals). Both are inherited from
// defaultRoute like the resilience policies, and both are off unless set. A fault injects nothing unless
// it names a flag (`fault.flag`): a config cannot inject faults by accident; turning the flag on does.

import { headerKey } from './flags.ts';
import type { Invalid, Section } from './reader.ts';

export interface RateLimitConfig {
  /** Tokens added to the bucket per second; 0: no rate limit. */
  readonly requestsPerSecond: number;
  /** The bucket's size: requests allowed at once above the steady rate; 0 for requestsPerSecond's worth. */
  readonly burst: number;
  /** Lower-case request header whose value picks the bucket; '' for one bucket for the whole route. */
  readonly key: string;
  /** Buckets kept when keyed; beyond it, the least recently used is forgotten (a full bucket again). */
  readonly maxKeys: number;
}

export interface FaultConfig {
  /** Only requests that carry this header (lower case, any value) are eligible; '' for every request. */
  readonly header: string;
  /** The flag that must be on for the request; '' (then no share may be set): never. */
  readonly flag: string;
  readonly delay: {
    /** [least, most] milliseconds, drawn uniformly; equal for a fixed delay. */
    readonly durationMs: readonly [number, number];
    /** Share of eligible requests delayed. */
    readonly ratio: number;
  };
  readonly abort: {
    /** The status an aborted request is answered with. */
    readonly status: number;
    /** Share of eligible requests aborted. */
    readonly ratio: number;
  };
}

export const BUILT_IN_RATE_LIMIT: RateLimitConfig = { requestsPerSecond: 0, burst: 0, key: '', maxKeys: 10_000 };

export const BUILT_IN_FAULT: FaultConfig = {
  header: '',
  flag: '',
  delay: { durationMs: [0, 0], ratio: 0 },
  abort: { status: 503, ratio: 0 },
};

/** The longest injected delay: a rehearsal, not a way to hold sockets open for hours. */
const MAX_FAULT_DELAY_MS = 10 * 60_000;

export function readRateLimit(s: Section, base: RateLimitConfig): RateLimitConfig {
  const limit: RateLimitConfig = {
    requestsPerSecond: s.int('requestsPerSecond', base.requestsPerSecond, { min: 0, max: 1_000_000 }),
    burst: s.int('burst', base.burst, { min: 0, max: 1_000_000 }),
    key: s.text('key', base.key, headerKey),
    maxKeys: s.int('maxKeys', base.maxKeys, { min: 1, max: 1_000_000 }),
  };
  if (limit.requestsPerSecond === 0 && (s.has('burst') || s.has('key')) && (limit.burst !== 0 || limit.key !== '')) {
    s.report('requestsPerSecond', 'must be above 0 for burst and key to mean anything (0 turns the rate limit off)');
  }
  return limit;
}

/** `flagReference` checks `flag` against the declared flags (flags.ts). */
export function readFault(s: Section, base: FaultConfig, flagReference: (text: string) => string | Invalid): FaultConfig {
  const flag = s.text<string | null>('flag', null, flagReference);
  const fault: FaultConfig = {
    header: s.text('header', base.header, headerKey),
    flag: flag ?? base.flag,
    delay: s.section('delay', (d) => readDelay(d, base.delay)),
    abort: s.section('abort', (a) => ({
      status: a.int('status', base.abort.status, { min: 400, max: 599 }),
      ratio: a.ratio('percentage', base.abort.ratio, { min: 0, max: 1 }),
    })),
  };
  // Reported where something was written: a route that only inherits has nothing of its own to fix.
  // A flag written wrong is reported as such, not again as missing.
  const written = s.has('header') || s.has('flag') || s.has('delay') || s.has('abort');
  if (written && !(flag === null && s.has('flag')) && fault.flag === '' && (fault.delay.ratio > 0 || fault.abort.ratio > 0)) {
    s.report('flag', 'is required to inject faults: name a flag from flags, so faults happen only while it is on');
  }
  return fault;
}

/** Stands for a duration not written, or written wrong (already reported). */
const NO_DURATION: readonly [number, number] = [NaN, NaN];

function readDelay(d: Section, base: FaultConfig['delay']): FaultConfig['delay'] {
  const duration = d.durationRange('duration', NO_DURATION, { min: 0, max: MAX_FAULT_DELAY_MS });
  const delay = { durationMs: duration === NO_DURATION ? base.durationMs : duration, ratio: d.ratio('percentage', base.ratio, { min: 0, max: 1 }) };
  const wrong = duration === NO_DURATION && d.has('duration');
  if (!wrong && (d.has('duration') || d.has('percentage')) && delay.ratio > 0 && delay.durationMs[1] === 0) {
    d.report('duration', 'must be above 0 when delay.percentage is set');
  }
  return delay;
}

/** The fault injects something, once its flag is on. */
export function injectsFaults(fault: FaultConfig): boolean {
  return fault.flag !== '' && (fault.abort.ratio > 0 || (fault.delay.ratio > 0 && fault.delay.durationMs[1] > 0));
}
