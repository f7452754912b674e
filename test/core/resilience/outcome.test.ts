import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAIL_ON_NAMES, RETRY_ON_NAMES } from '../../../src/core/config/policy.ts';
import { ATTEMPT_ERRORS, checkOutcomeName, OutcomeSet, outcomeName, type AttemptError } from '../../../src/core/resilience/outcome.ts';

/** Every status code an OutcomeSet can be asked about, and a few it cannot hold. */
const STATUSES = Array.from({ length: 700 }, (_, i) => i);

function statusesIn(set: OutcomeSet): number[] {
  return STATUSES.filter((s) => set.has(s));
}

function errorsIn(set: OutcomeSet): AttemptError[] {
  return ATTEMPT_ERRORS.filter((e) => set.has(e));
}

describe('outcomeName', () => {
  it('writes a status code as its digits', () => {
    expect(outcomeName(503)).toBe('503');
    expect(outcomeName(200)).toBe('200');
  });

  it('writes an error kind as itself', () => {
    for (const e of ATTEMPT_ERRORS) expect(outcomeName(e)).toBe(e);
  });
});

describe('OutcomeSet: status codes', () => {
  it('5xx covers 500 to 599 and nothing else', () => {
    const set = new OutcomeSet(['5xx']);
    expect(statusesIn(set)).toEqual(STATUSES.filter((s) => s >= 500 && s <= 599));
    expect(errorsIn(set)).toEqual([]);
  });

  it('gateway-error is exactly 502, 503 and 504', () => {
    const set = new OutcomeSet(['gateway-error']);
    expect(statusesIn(set)).toEqual([502, 503, 504]);
    expect(errorsIn(set)).toEqual([]);
  });

  it('explicit codes cover only themselves', () => {
    const set = new OutcomeSet(['429', '503', '100']);
    expect(statusesIn(set)).toEqual([100, 429, 503]);
    expect(errorsIn(set)).toEqual([]);
  });

  it('combines names as a union', () => {
    const set = new OutcomeSet(['gateway-error', '500', 'reset']);
    expect(statusesIn(set)).toEqual([500, 502, 503, 504]);
    expect(errorsIn(set)).toEqual(['reset']);
  });

  it('holds nothing when empty', () => {
    const set = new OutcomeSet([]);
    expect(statusesIn(set)).toEqual([]);
    expect(errorsIn(set)).toEqual([]);
  });

  it('never holds a 4xx unless that code is listed', () => {
    const named = fc.subarray([...FAIL_ON_NAMES, ...RETRY_ON_NAMES, 'timeout']);
    const codes = fc.array(fc.integer({ min: 100, max: 599 }).map(String), { maxLength: 5 });
    fc.assert(
      fc.property(named, codes, (names, explicit) => {
        const set = new OutcomeSet([...names, ...explicit]);
        for (let s = 400; s <= 499; s++) {
          expect(set.has(s)).toBe(explicit.includes(String(s)));
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('does not hold codes outside 100..599 whatever it lists', () => {
    const set = new OutcomeSet(['5xx', 'gateway-error', '599', '100']);
    for (const s of [0, 99, 600, 601, 699, -1, 503.5]) expect(set.has(s)).toBe(false);
  });
});

describe('OutcomeSet: error kinds', () => {
  it('timeout also covers per-try-timeout', () => {
    const set = new OutcomeSet(['timeout']);
    expect(errorsIn(set)).toEqual(['per-try-timeout', 'timeout']);
    expect(statusesIn(set)).toEqual([]);
  });

  it('per-try-timeout alone does not cover the overall timeout', () => {
    const set = new OutcomeSet(['per-try-timeout']);
    expect(errorsIn(set)).toEqual(['per-try-timeout']);
  });

  it('refused-stream is another name for reset', () => {
    const set = new OutcomeSet(['refused-stream']);
    expect(errorsIn(set)).toEqual(['reset']);
    expect(statusesIn(set)).toEqual([]);
  });

  it.each(['connect-failure', 'reset', 'protocol-error'] as const)('%s covers only itself', (name) => {
    const set = new OutcomeSet([name]);
    expect(errorsIn(set)).toEqual([name]);
    expect(statusesIn(set)).toEqual([]);
  });
});

describe('OutcomeSet: unknown names', () => {
  it.each(['4xx', 'Timeout', '600', '099', '50', '5000', 'gateway', '', ' 503'])('throws on %j', (name) => {
    expect(() => new OutcomeSet(['reset', name])).toThrow(`unknown outcome "${name}"`);
  });

  it('accepts every name the config allows for retryOn and failOn', () => {
    for (const name of [...RETRY_ON_NAMES, ...FAIL_ON_NAMES]) {
      expect(() => new OutcomeSet([name])).not.toThrow();
    }
  });
});

describe('checkOutcomeName', () => {
  const allowed = ['connect-failure', 'reset', 'gateway-error'];

  it('accepts an allowed name', () => {
    for (const name of allowed) expect(checkOutcomeName(name, allowed)).toBeUndefined();
  });

  it('accepts any status code from 100 to 599', () => {
    for (const name of ['100', '404', '503', '599']) expect(checkOutcomeName(name, allowed)).toBeUndefined();
  });

  it('accepts refused-stream where reset is allowed', () => {
    expect(checkOutcomeName('refused-stream', allowed)).toBeUndefined();
    expect(checkOutcomeName('refused-stream', ['connect-failure'])).toBe(
      '"refused-stream" is not one of: connect-failure, or a status code such as 503',
    );
  });

  it('names the word and the choices when the name is not allowed', () => {
    expect(checkOutcomeName('5xx', allowed)).toBe('"5xx" is not one of: connect-failure, reset, gateway-error, or a status code such as 503');
    expect(checkOutcomeName('600', allowed)).toBe('"600" is not one of: connect-failure, reset, gateway-error, or a status code such as 503');
    expect(checkOutcomeName('timeout', RETRY_ON_NAMES)).toBe(`"timeout" is not one of: ${RETRY_ON_NAMES.join(', ')}, or a status code such as 503`);
  });

  it('agrees with OutcomeSet: every name it accepts for retryOn or failOn compiles', () => {
    const word = fc.oneof(
      fc.constantFrom(...RETRY_ON_NAMES, ...FAIL_ON_NAMES, '4xx', 'timeouts', '600', '099'),
      fc.integer({ min: 0, max: 999 }).map(String),
    );
    fc.assert(
      fc.property(word, fc.constantFrom(RETRY_ON_NAMES, FAIL_ON_NAMES), (name, list) => {
        if (checkOutcomeName(name, list) === undefined) expect(() => new OutcomeSet([name])).not.toThrow();
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
