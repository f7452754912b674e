// W3C Trace Context (https://www.w3.org/TR/trace-context/): reading the caller's `traceparent`,
// writing ours, and the parent-based sampling decision. Pure: the randomness is injected.

export interface TraceParent {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** The caller's span: 16 lower-case hex digits, not all zero. */
  readonly parentId: string;
  readonly sampled: boolean;
}

const HEX = /^[0-9a-f]+$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/**
 * The caller's trace context, or undefined when the header is missing or invalid (a new trace starts then).
 * Versions above 00 are read by their version-00 prefix, as the spec asks; version ff is invalid.
 */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v.length < 55 || v.charCodeAt(2) !== 45 || v.charCodeAt(35) !== 45 || v.charCodeAt(52) !== 45) return undefined;
  const version = v.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return undefined;
  // Version 00 is exactly 55 characters; later versions may append fields after a '-'.
  if (version === '00' ? v.length !== 55 : v.length > 55 && v.charCodeAt(55) !== 45) return undefined;
  const traceId = v.slice(3, 35);
  const parentId = v.slice(36, 52);
  const flags = v.slice(53, 55);
  if (!HEX.test(traceId) || !HEX.test(parentId) || !HEX.test(flags)) return undefined;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined;
  return { traceId, parentId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/** A version-00 `traceparent` naming `spanId` as the parent of whatever the receiver does next. */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

/**
 * Parent-based sampling: a caller's decision is followed, so a trace is recorded whole or not at all;
 * a request that starts a trace is recorded with probability `ratio`.
 */
export class TraceSampler {
  readonly ratio: number;
  readonly #random: () => number;

  constructor(ratio: number, random: () => number) {
    this.ratio = ratio;
    this.#random = random;
  }

  sample(parent: TraceParent | undefined): boolean {
    if (parent !== undefined) return parent.sampled;
    return this.ratio >= 1 || (this.ratio > 0 && this.#random() < this.ratio);
  }
}
