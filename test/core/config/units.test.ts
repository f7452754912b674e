import { describe, expect, it } from 'vitest';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../../src/core/config/units.ts';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['1m30s', 90_000],
    ['1h1m1s1ms', 3_661_001],
    ['1d', 86_400_000],
    ['30d', 30 * 86_400_000],
    ['1.5d', 36 * 3_600_000],
    ['1d12h', 36 * 3_600_000],
    ['0', 0],
    ['0s', 0],
    ['  5s  ', 5000],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['5', '5 seconds', 's', '-1s', '', '   ', '1x', '5s5', '1.s', '.5s', '5 s', '1e3ms', '1D', 'd', '1dd', '30days'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('is not confused by a previous failed parse (the pattern keeps no state between calls)', () => {
    expect(parseDuration('1m30x')).toBeUndefined();
    expect(parseDuration('30s')).toBe(30_000);
  });
});

describe('parseSize', () => {
  it.each([
    ['512', 512],
    ['512B', 512],
    ['512b', 512],
    ['64KiB', 64 * 1024],
    ['64 KiB', 64 * 1024],
    ['1MiB', 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['1KB', 1000],
    ['1MB', 1_000_000],
    ['1.5GB', 1_500_000_000],
    ['0', 0],
  ])('reads %j as %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['12 apples', 'KiB', '', '-1KiB', '1 KiB B', '1TiB'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0'],
    [250, '250ms'],
    [1500, '1500ms'],
    [5000, '5s'],
    [90_000, '90s'],
    [60_000, '1m'],
    [3_600_000, '1h'],
    [7_200_000, '2h'],
    [36 * 3_600_000, '36h'],
    [86_400_000, '1d'],
    [30 * 86_400_000, '30d'],
  ])('formats %i ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([0, 1, 250, 999, 1000, 1500, 59_000, 60_000, 90_000, 3_600_000, 3_661_001, 86_400_000, 90_061_001])('round-trips %i ms through parseDuration', (ms) => {
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('formatSize', () => {
  it.each([
    [0, '0B'],
    [512, '512B'],
    [1000, '1000B'],
    [1024, '1KiB'],
    [1536, '1536B'],
    [64 * 1024, '64KiB'],
    [1024 ** 2, '1MiB'],
    [3 * 1024 ** 3, '3GiB'],
  ])('formats %i bytes as %j', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it.each([0, 1, 512, 1000, 1024, 1536, 16 * 1024, 1024 ** 2 + 1, 1024 ** 3])('round-trips %i bytes through parseSize', (bytes) => {
    expect(parseSize(formatSize(bytes))).toBe(bytes);
  });
});
