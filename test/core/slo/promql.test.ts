import { describe, expect, it } from 'vitest';
import { approxDuration, formatPercent, promDuration, promString, templateLiteral, tidy } from '../../../src/core/slo/promql.ts';
import { DURATION_BUCKETS_SECONDS, durationBucketAt, formatBucketBound } from '../../../src/core/slo/request-duration-metric.ts';

describe('promString', () => {
  it.each([
    ['checkout', '"checkout"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['\\"', '"\\\\\\""'],
    ['two\nlines', '"two\\nlines"'],
  ])('quotes %j as %s', (text, quoted) => {
    expect(promString(text)).toBe(quoted);
  });
});

describe('numbers and durations', () => {
  it('drops floating-point noise from thresholds', () => {
    expect(14.4 * (1 - 0.999)).not.toBe(0.0144);
    expect(tidy(14.4 * (1 - 0.999))).toBe(0.0144);
    expect(formatPercent(1 - 99.9 / 100)).toBe('0.1%');
  });

  it.each([
    [30 * 86_400_000, '30d'],
    [36 * 3_600_000, '36h'],
    [90 * 60_000, '90m'],
    [3_600_000, '1h'],
    [1500, '1500ms'],
  ])('writes %i ms as the Prometheus duration %s', (ms, text) => {
    expect(promDuration(ms)).toBe(text);
  });

  it.each([
    [30 * 86_400_000 / 14.4, '2.1d'],
    [30 * 86_400_000 / 6, '5d'],
    [3_600_000 / 14.4, '4.2m'],
    [2.01 * 86_400_000, '2.1d'],
    [1.1 * 3_600_000, '1.1h'],
  ])('rounds %d ms up to %s for people', (ms, text) => {
    expect(approxDuration(ms)).toBe(text);
  });
});

describe('templateLiteral', () => {
  it('leaves text without template delimiters as it is, and prints text with them from a string constant', () => {
    expect(templateLiteral('checkout')).toBe('checkout');
    expect(templateLiteral('a }} b')).toBe('a }} b');
    expect(templateLiteral('{{ .X }} "q"')).toBe('{{ "{{ .X }} \\"q\\"" }}');
  });
});

describe('the request duration buckets', () => {
  it('finds a bound by its milliseconds, and only a bound', () => {
    expect(DURATION_BUCKETS_SECONDS.map((s) => durationBucketAt(Math.round(s * 1000)))).toEqual(DURATION_BUCKETS_SECONDS);
    expect(durationBucketAt(300)).toBeUndefined();
    expect(durationBucketAt(0)).toBeUndefined();
  });

  it('writes bounds as a config would', () => {
    expect(DURATION_BUCKETS_SECONDS.map(formatBucketBound).join(' ')).toBe('5ms 10ms 25ms 50ms 75ms 100ms 250ms 500ms 750ms 1s 2.5s 5s 7.5s 10s');
  });
});
