import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent, TraceSampler } from '../../../src/core/tracing/trace-context.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('reads the W3C example, sampled or not', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, parentId: SPAN, sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, parentId: SPAN, sampled: false });
    // Only the sampled bit counts among the flags.
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.sampled).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty (a repeated header)', ''],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with extra fields', `00-${TRACE}-${SPAN}-01-extra`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['wrong separator', `00_${TRACE}-${SPAN}-01`],
    ['non-hex flags', `00-${TRACE}-${SPAN}-0x`],
  ])('refuses a traceparent that is %s', (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('reads a later version by its version-00 prefix, but not one glued to more characters', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-future`)).toEqual({ traceId: TRACE, parentId: SPAN, sampled: true });
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, parentId: SPAN, sampled: true });
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01x`)).toBeUndefined();
  });

  it('reads back whatever formatTraceparent writes', () => {
    const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n }).filter((s) => /[^0]/.test(s));
    fc.assert(fc.property(hex(32), hex(16), fc.boolean(), (traceId, spanId, sampled) => {
      expect(parseTraceparent(formatTraceparent(traceId, spanId, sampled))).toEqual({ traceId, parentId: spanId, sampled });
    }), { numRuns: 500 });
  });
});

describe('TraceSampler', () => {
  it("follows the caller's decision whatever the ratio", () => {
    const never = new TraceSampler(0, () => 0);
    const always = new TraceSampler(1, () => 0.99);
    expect(never.sample({ traceId: TRACE, parentId: SPAN, sampled: true })).toBe(true);
    expect(always.sample({ traceId: TRACE, parentId: SPAN, sampled: false })).toBe(false);
  });

  it('samples a new trace with probability ratio', () => {
    let next = 0;
    const draws = [0.05, 0.0999, 0.1, 0.5];
    const sampler = new TraceSampler(0.1, () => draws[next++] as number);
    expect(draws.map(() => sampler.sample(undefined))).toEqual([true, true, false, false]);
    expect(new TraceSampler(0, () => 0).sample(undefined)).toBe(false);
    expect(new TraceSampler(1, () => 0.999999).sample(undefined)).toBe(true);
  });
});
