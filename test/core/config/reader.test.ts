import { describe, expect, it } from 'vitest';
import { formatIssue, invalid, readLayer, sortIssues, type ConfigIssue, type Section } from '../../../src/core/config/reader.ts';
import type { RawLayer, RawTree } from '../../../src/core/config/layers.ts';

function layer(values: RawTree, origins: Record<string, string> = {}): RawLayer {
  return { values, origins: new Map(Object.entries(origins)) };
}

/** A small schema exercising every reader kind. */
function readSample(root: Section) {
  return {
    name: root.text('name', 'anon', (t) => (t.length > 0 ? t : invalid('must not be empty'))),
    retries: root.int('retries', 2, { min: 0, max: 10 }),
    enabled: root.bool('enabled', false),
    mode: root.oneOf('mode', ['fast', 'safe'] as const, 'safe'),
    timer: root.section('timer', (s) => ({
      delay: s.duration('delay', 1000, { min: 10, max: 60_000 }),
      buffer: s.size('buffer', 4096, { min: 1024, max: 1024 * 1024 }),
    })),
  };
}

const DEFAULTS = { name: 'anon', retries: 2, enabled: false, mode: 'safe', timer: { delay: 1000, buffer: 4096 } };

function read(values: RawTree, origins: Record<string, string> = {}) {
  return readLayer(layer(values, origins), readSample);
}

describe('readLayer: values', () => {
  it('gives the fallbacks for an empty layer, with no issues', () => {
    const result = read({});
    expect(result.config).toEqual(DEFAULTS);
    expect(result.issues).toEqual([]);
  });

  it('reads valid values of every kind', () => {
    const result = read({ name: 'svc', retries: '5', enabled: 'true', mode: 'fast', timer: { delay: '1m', buffer: '64KiB' } });
    expect(result.issues).toEqual([]);
    expect(result.config).toEqual({ name: 'svc', retries: 5, enabled: true, mode: 'fast', timer: { delay: 60_000, buffer: 65_536 } });
  });

  it('accepts native YAML types: numbers for ints and sizes, booleans, and numbers for text', () => {
    const result = read({ name: 42, retries: 3, enabled: true, timer: { buffer: 2048 } });
    expect(result.issues).toEqual([]);
    expect(result.config).toMatchObject({ name: '42', retries: 3, enabled: true, timer: { buffer: 2048 } });
  });

  it('treats a section written with no value (null) as empty', () => {
    const result = read({ timer: null });
    expect(result.issues).toEqual([]);
    expect(result.config.timer).toEqual(DEFAULTS.timer);
  });

  it('lists every key a reader asked for, sections included, in reading order', () => {
    expect(read({}).knownKeys).toEqual(['name', 'retries', 'enabled', 'mode', 'timer', 'timer.delay', 'timer.buffer']);
  });
});

describe('readLayer: one issue per mistake, with path, origin and a helpful message', () => {
  it.each<[string, RawTree, string, string]>([
    ['an unknown key near a known one', { timer: { dealy: '1s' } }, 'timer.dealy', 'unknown key (did you mean "delay"?)'],
    ['an unknown key at the root', { retires: 3 }, 'retires', 'unknown key (did you mean "retries"?)'],
    ['an unknown key differing only in case', { Mode: 'fast' }, 'Mode', 'unknown key (did you mean "mode"?)'],
    ['an unknown key far from every known one', { colour: 'blue' }, 'colour', 'unknown key'],
    ['a null value', { retries: null }, 'retries', 'has no value: give one or remove the key'],
    ['a map where a value is expected', { retries: { a: 1 } }, 'retries', 'must be a single value, not a map or list'],
    ['a list where a value is expected', { name: ['a', 'b'] }, 'name', 'must be a single value, not a map or list'],
    ['a section that is not a map', { timer: '5s' }, 'timer', 'must be a map of keys'],
    ['a section that is a list', { timer: ['5s'] }, 'timer', 'must be a map of keys'],
    ['a word for an int', { retries: 'many' }, 'retries', '"many" is not a whole number'],
    ['a fraction for an int', { retries: 1.5 }, 'retries', '1.5 is not a whole number'],
    ['an int below the minimum', { retries: -1 }, 'retries', 'must be at least 0'],
    ['an int above the maximum', { retries: '11' }, 'retries', 'must be at most 10'],
    ['a bad boolean', { enabled: 'yes' }, 'enabled', '"yes" is not true or false'],
    ['a value not among the choices', { mode: 'turbo' }, 'mode', '"turbo" is not one of: fast, safe'],
    ['a bool where text is expected', { name: true }, 'name', 'true must be a string'],
    ['text refused by its parser', { name: '' }, 'name', 'must not be empty'],
    ['a duration without a unit', { timer: { delay: 5 } }, 'timer.delay', 'needs a unit: write 5ms or 5s'],
    ['a malformed duration', { timer: { delay: '5 seconds' } }, 'timer.delay', '"5 seconds" is not a duration: write e.g. 250ms, 5s, 1m or 1m30s'],
    ['a boolean duration', { timer: { delay: false } }, 'timer.delay', 'must be a duration such as 250ms, 5s or 1m'],
    ['a duration below the minimum', { timer: { delay: '5ms' } }, 'timer.delay', 'must be at least 10ms'],
    ['a duration above the maximum', { timer: { delay: '2m' } }, 'timer.delay', 'must be at most 1m'],
    ['a zero duration below the minimum', { timer: { delay: '0' } }, 'timer.delay', 'must be at least 10ms'],
    ['a malformed size', { timer: { buffer: '12 apples' } }, 'timer.buffer', '"12 apples" is not a size: write e.g. 512B, 64KiB or 1MiB'],
    ['a size below the minimum', { timer: { buffer: '512B' } }, 'timer.buffer', 'must be at least 1KiB'],
    ['a size above the maximum', { timer: { buffer: '2MiB' } }, 'timer.buffer', 'must be at most 1MiB'],
  ])('%s', (_what, values, path, message) => {
    const result = read(values, { [path]: 'file.yaml:7:3' });
    expect(result.issues).toEqual([{ path, message, origin: 'file.yaml:7:3' }]);
  });

  it('accepts the number 0 as a duration (YAML `requestTimeout: 0`) when no minimum forbids it', () => {
    const result = readLayer(layer({ t: 0 }), (root) => root.duration('t', 5000));
    expect(result.issues).toEqual([]);
    expect(result.config).toBe(0);
  });

  // BUG: Section.duration returns 0 for the number 0 before checking limits, so YAML `delay: 0`
  // slips past `min` while the string '0' is refused.
  it('applies the minimum to the number 0 as it does to the string "0"', () => {
    const result = read({ timer: { delay: 0 } }, { 'timer.delay': 'file.yaml:7:3' });
    expect(result.issues).toEqual([{ path: 'timer.delay', message: 'must be at least 10ms', origin: 'file.yaml:7:3' }]);
    expect(result.config.timer.delay).toBe(1000);
  });

  it('leaves the origin out when the key has none', () => {
    expect(read({ retries: 'many' }).issues).toEqual([{ path: 'retries', message: '"many" is not a whole number' }]);
  });

  it('falls back to the default for the key in error and keeps the other values', () => {
    const result = read({ retries: 'many', mode: 'fast', timer: { delay: 'soon', buffer: '2KiB' } });
    expect(result.config).toEqual({ ...DEFAULTS, mode: 'fast', timer: { delay: 1000, buffer: 2048 } });
    expect(result.issues.map((i) => i.path)).toEqual(['retries', 'timer.delay']);
  });

  it('reports every mistake, not just the first', () => {
    const result = read({ retries: 'x', enabled: 'x', mode: 'x', extra: 1, timer: { delay: 'x', more: 2 } });
    expect(result.issues.map((i) => i.path).sort()).toEqual(['enabled', 'extra', 'mode', 'retries', 'timer.delay', 'timer.more']);
  });

  it('reports cross-field problems through Section.report with the key\'s origin', () => {
    const result = readLayer(layer({ s: { a: 2, b: 1 } }, { 's.b': 'f.yaml:3:3' }), (root) =>
      root.section('s', (s) => {
        const a = s.int('a', 0);
        const b = s.int('b', 0);
        if (b < a) s.report('b', 'must not be less than s.a');
        return { a, b };
      }));
    expect(result.issues).toEqual([{ path: 's.b', message: 'must not be less than s.a', origin: 'f.yaml:3:3' }]);
  });

  it('returns its issues sorted by place', () => {
    const result = read({ retries: 'x', mode: 'x' }, { retries: 'f.yaml:9:1', mode: 'f.yaml:2:1' });
    expect(result.issues.map((i) => i.path)).toEqual(['mode', 'retries']);
  });
});

describe('sortIssues', () => {
  const issue = (origin: string | undefined, path = 'k'): ConfigIssue =>
    origin === undefined ? { path, message: 'm' } : { path, message: 'm', origin };

  it('orders by file, then line, then column (numerically), unplaced issues last', () => {
    const issues = [
      issue(undefined, 'nowhere'),
      issue('b.yaml:1:1'),
      issue('a.yaml:10:1'),
      issue('a.yaml:9:5'),
      issue('a.yaml:9:2'),
      issue('env SIGHTLINE_LISTEN'),
    ];
    expect(sortIssues(issues).map((i) => i.origin)).toEqual([
      'a.yaml:9:2', 'a.yaml:9:5', 'a.yaml:10:1', 'b.yaml:1:1', 'env SIGHTLINE_LISTEN', undefined,
    ]);
  });

  it('keeps the input order of issues at the same place and does not modify its input', () => {
    const input = [issue('a.yaml:1:1', 'second'), issue('a.yaml:1:1', 'first'), issue('a.yaml:0:1', 'zero')];
    const sorted = sortIssues(input);
    expect(sorted.map((i) => i.path)).toEqual(['zero', 'second', 'first']);
    expect(input.map((i) => i.path)).toEqual(['second', 'first', 'zero']);
  });
});

describe('formatIssue', () => {
  it.each<[ConfigIssue, string]>([
    [{ path: 'drain.delay', message: 'bad', origin: 'f.yaml:3:3' }, 'f.yaml:3:3: drain.delay: bad'],
    [{ path: 'drain.delay', message: 'bad' }, 'drain.delay: bad'],
    [{ path: '', message: 'cannot read the config file: no such file', origin: 'f.yaml' }, 'f.yaml: cannot read the config file: no such file'],
    [{ path: '', message: 'whole file' }, 'whole file'],
    [{ path: 'listen', message: 'bad', origin: 'env SIGHTLINE_LISTEN' }, 'env SIGHTLINE_LISTEN: listen: bad'],
  ])('formats %j', (issue, text) => {
    expect(formatIssue(issue)).toBe(text);
  });
});
