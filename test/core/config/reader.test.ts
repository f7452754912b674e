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

  // Regression: Section.duration once returned 0 for the number 0 before checking limits, so YAML `delay: 0`
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

describe('Section.ratio', () => {
  const readRatio = (value: unknown, limits: { min?: number; max?: number } = { min: 0, max: 1 }) =>
    readLayer(layer({ r: value }, { r: 'f.yaml:4:3' }), (root) => root.ratio('r', 0.5, limits));

  it.each<[unknown, number]>([
    ['20%', 0.2],
    ['12.5%', 0.125],
    ['100%', 1],
    ['0%', 0],
    [' 20% ', 0.2],
    [0.2, 0.2],
    ['0.2', 0.2],
    ['.25', 0.25],
    [1, 1],
    [0, 0],
  ])('reads %j as %d', (value, expected) => {
    const result = readRatio(value);
    expect(result.issues).toEqual([]);
    expect(result.config).toBe(expected);
  });

  it('gives the fallback when the key is absent', () => {
    const result = readLayer(layer({}), (root) => root.ratio('r', 0.5));
    expect(result).toMatchObject({ config: 0.5, issues: [], knownKeys: ['r'] });
  });

  it.each<[unknown, string]>([
    ['lots', '"lots" is not a share: write e.g. 20% or 0.2'],
    ['', '"" is not a share: write e.g. 20% or 0.2'],
    ['  ', '"  " is not a share: write e.g. 20% or 0.2'],
    ['20%%', '"20%%" is not a share: write e.g. 20% or 0.2'],
    ['Infinity', '"Infinity" is not a share: write e.g. 20% or 0.2'],
    [true, 'true is not a share: write e.g. 20% or 0.2'],
    ['150%', 'must be at most 100%'],
    [1.5, 'must be at most 100%'],
    ['-1%', 'must be at least 0%'],
    [-0.5, 'must be at least 0%'],
    [null, 'has no value: give one or remove the key'],
    [['20%'], 'must be a single value, not a map or list'],
  ])('refuses %j with the fallback kept', (value, message) => {
    const result = readRatio(value);
    expect(result.issues).toEqual([{ path: 'r', message, origin: 'f.yaml:4:3' }]);
    expect(result.config).toBe(0.5);
  });

  it('shows limits as percentages', () => {
    expect(readRatio('1001%', { max: 10 }).issues[0]?.message).toBe('must be at most 1000%');
    expect(readRatio('12%', { min: 0.125 }).issues[0]?.message).toBe('must be at least 12.5%');
    expect(readRatio('1000%', { max: 10 }).issues).toEqual([]);
  });

  // Regression: Section.ratio once turned a lone "%" into Number('') / 100 = 0: `failureRate: "%"` silently
  // becomes 0 (which turns the failure-rate trigger off) instead of being refused like "".
  it('refuses a lone "%"', () => {
    const result = readRatio('%');
    expect(result.issues).toEqual([{ path: 'r', message: '"%" is not a share: write e.g. 20% or 0.2', origin: 'f.yaml:4:3' }]);
    expect(result.config).toBe(0.5);
  });
});

describe('Section.words', () => {
  const upper = (w: string) => (/^[a-z]+$/i.test(w) ? w.toUpperCase() : invalid(`"${w}" is not a word`));
  const readWords = (values: RawTree, origins: Record<string, string> = {}, fallback: readonly string[] = ['DEF']) =>
    readLayer(layer(values, origins), (root) => root.section('s', (s) => s.words('w', fallback, upper)));

  it('reads a YAML list, each word passed through the check', () => {
    const result = readWords({ s: { w: ['get', 'Put', 'HEAD'] } });
    expect(result.issues).toEqual([]);
    expect(result.config).toEqual(['GET', 'PUT', 'HEAD']);
  });

  it('takes numbers in a list as words', () => {
    const result = readLayer(layer({ w: [503, '5xx'] }), (root) => root.words('w', [], (w) => w));
    expect(result.issues).toEqual([]);
    expect(result.config).toEqual(['503', '5xx']);
  });

  it('reads a comma-separated string (env or flag), trimming and skipping empty items', () => {
    const result = readWords({ s: { w: ' get, put,,head ' } });
    expect(result.issues).toEqual([]);
    expect(result.config).toEqual(['GET', 'PUT', 'HEAD']);
  });

  it('gives a copy of the fallback when the key is absent, and an empty list for []', () => {
    const fallback = ['A', 'B'];
    const absent = readWords({ s: {} }, {}, fallback);
    expect(absent.config).toEqual(['A', 'B']);
    expect(absent.config).not.toBe(fallback);
    expect(absent.knownKeys).toEqual(['s', 's.w']);
    expect(readWords({ s: { w: [] } }).config).toEqual([]);
  });

  it('reports each bad item of a list at its index and keeps the good ones', () => {
    const result = readWords({ s: { w: ['get', 'p-ut', 'head', 'x1'] } }, { 's.w[1]': 'f.yaml:3:7', 's.w[3]': 'f.yaml:3:19' });
    expect(result.issues).toEqual([
      { path: 's.w[1]', message: '"p-ut" is not a word', origin: 'f.yaml:3:7' },
      { path: 's.w[3]', message: '"x1" is not a word', origin: 'f.yaml:3:19' },
    ]);
    expect(result.config).toEqual(['GET', 'HEAD']);
  });

  it('reports a bad item of a comma string at the key itself, where its origin is', () => {
    const result = readWords({ s: { w: 'get,p-ut' } }, { 's.w': 'env SIGHTLINE_S_W' });
    expect(result.issues).toEqual([{ path: 's.w', message: '"p-ut" is not a word', origin: 'env SIGHTLINE_S_W' }]);
    expect(result.config).toEqual(['GET']);
  });

  it.each<[unknown, string]>([
    [{ a: 1 }, '{"a":1} must be a single word'],
    [['x'], '["x"] must be a single word'],
    [null, 'null must be a single word'],
    [true, 'true must be a single word'],
  ])('refuses the list item %j at its index', (item, message) => {
    const result = readWords({ s: { w: ['get', item] } }, { 's.w[1]': 'f.yaml:3:9' });
    expect(result.issues).toEqual([{ path: 's.w[1]', message, origin: 'f.yaml:3:9' }]);
    expect(result.config).toEqual(['GET']);
  });

  it.each<[string, unknown]>([
    ['a number', 5],
    ['a boolean', true],
    ['a map', { a: 'get' }],
    ['null', null],
  ])('refuses %s where a list is expected, keeping the fallback', (_what, value) => {
    const result = readWords({ s: { w: value } }, { 's.w': 'f.yaml:2:3' });
    expect(result.issues).toEqual([{ path: 's.w', message: 'must be a list such as [a, b]', origin: 'f.yaml:2:3' }]);
    expect(result.config).toEqual(['DEF']);
  });
});

describe('Section.stringMap', () => {
  const header = (name: string, value: string): [string, string] | ReturnType<typeof invalid> =>
    (/^[a-z-]+$/i.test(name) ? [name.toLowerCase(), value] : invalid(`"${name}" is not a header name`));
  const readMap = (values: RawTree, origins: Record<string, string> = {}) =>
    readLayer(layer(values, origins), (root) => root.section('m', (s) => s.stringMap('h', header)));

  it('reads every entry in order, values of any scalar type as strings, keys through the check', () => {
    const result = readMap({ m: { h: { 'X-Tenant': 'blue', 'x-version': 2, 'X-Flag': true } } });
    expect(result.issues).toEqual([]);
    expect(result.config).toEqual([['x-tenant', 'blue'], ['x-version', '2'], ['x-flag', 'true']]);
  });

  it('gives no entries when the key is absent or the map is empty, and does not call its keys unknown', () => {
    expect(readMap({ m: {} })).toMatchObject({ config: [], issues: [] });
    expect(readMap({ m: { h: {} } })).toMatchObject({ config: [], issues: [] });
    expect(readMap({ m: {} }).knownKeys).toEqual(['m', 'm.h']);
  });

  it.each<[string, unknown]>([
    ['a string', 'x-tenant: blue'],
    ['a list', [['x-tenant', 'blue']]],
    ['a number', 1],
  ])('refuses %s where a map is expected', (_what, value) => {
    const result = readMap({ m: { h: value } }, { 'm.h': 'f.yaml:5:5' });
    expect(result.issues).toEqual([{ path: 'm.h', message: expect.stringMatching(/^must be a map such as \{name: value\}/), origin: 'f.yaml:5:5' }]);
    expect(result.config).toEqual([]);
  });

  it('reads name=value,name=value (as an env variable writes a map), percent-decoding the values', () => {
    expect(readMap({ m: { h: 'x-tenant=blue, x-zone=eu%2Dwest' } }).config).toEqual([['x-tenant', 'blue'], ['x-zone', 'eu-west']]);
    expect(readMap({ m: { h: 'a=%zz' } }).issues).toEqual([{ path: 'm.h', message: 'entry 1 ("a=%zz") has an invalid %-escape' }]);
  });

  it('reports a value that is not a single value at its entry, keeping the other entries', () => {
    const result = readMap({ m: { h: { a: { b: 1 }, ok: 'yes', c: ['x'], d: null } } }, { 'm.h.a': 'f.yaml:6:7' });
    expect(result.issues).toEqual([
      { path: 'm.h.a', message: 'must be a single value', origin: 'f.yaml:6:7' },
      { path: 'm.h.c', message: 'must be a single value' },
      { path: 'm.h.d', message: 'must be a single value' },
    ]);
    expect(result.config).toEqual([['ok', 'yes']]);
  });

  it('reports what the check refuses at the entry', () => {
    const result = readMap({ m: { h: { 'x tenant': 'blue', ok: '1' } } }, { 'm.h.x tenant': 'f.yaml:6:7' });
    expect(result.issues).toEqual([{ path: 'm.h.x tenant', message: '"x tenant" is not a header name', origin: 'f.yaml:6:7' }]);
    expect(result.config).toEqual([['ok', '1']]);
  });
});

describe('Section.list', () => {
  interface Item { readonly index: number; readonly path: string; readonly name: string; readonly count: number }
  const readItem = (s: Section, index: number): Item =>
    ({ index, path: s.path, name: s.text('name', 'anon', (t) => t), count: s.int('count', 1, { min: 0, max: 9 }) });
  const readList = (values: RawTree, origins: Record<string, string> = {}) =>
    readLayer(layer(values, origins), (root) => root.list('routes', readItem));

  it('reads each map of a list as a section of its own, named by its index', () => {
    const result = readList({ routes: [{ name: 'a', count: 3 }, {}] });
    expect(result.issues).toEqual([]);
    expect(result.config).toEqual([
      { index: 0, path: 'routes[0]', name: 'a', count: 3 },
      { index: 1, path: 'routes[1]', name: 'anon', count: 1 },
    ]);
    expect(result.knownKeys).toEqual(['routes', 'routes[0].name', 'routes[0].count', 'routes[1].name', 'routes[1].count']);
  });

  it('gives an empty list for an absent or null key', () => {
    expect(readList({})).toMatchObject({ config: [], issues: [] });
    expect(readList({ routes: null })).toMatchObject({ config: [], issues: [] });
    expect(readList({ routes: [] })).toMatchObject({ config: [], issues: [] });
  });

  it.each<[string, unknown]>([
    ['a map', { name: 'a' }],
    ['a string', 'a,b'],
    ['a number', 3],
  ])('refuses %s where a list is expected', (_what, value) => {
    const result = readList({ routes: value }, { routes: 'f.yaml:9:1' });
    expect(result.issues).toEqual([{ path: 'routes', message: 'must be a list (each item starting with "- ")', origin: 'f.yaml:9:1' }]);
    expect(result.config).toEqual([]);
  });

  it('reports an item that is not a map at its index and still reads the others', () => {
    const result = readList({ routes: ['a', { name: 'b' }, null, ['c']] }, { 'routes[0]': 'f.yaml:10:5', 'routes[3]': 'f.yaml:13:5' });
    expect(result.issues).toEqual([
      { path: 'routes[0]', message: 'must be a map of keys', origin: 'f.yaml:10:5' },
      { path: 'routes[3]', message: 'must be a map of keys', origin: 'f.yaml:13:5' },
      { path: 'routes[2]', message: 'must be a map of keys' },
    ]);
    expect(result.config).toEqual([{ index: 1, path: 'routes[1]', name: 'b', count: 1 }]);
  });

  it('reports unknown keys inside an item at the item\'s path, with a hint', () => {
    const result = readList(
      { routes: [{ name: 'a' }, { nmae: 'b', bogus: 1 }] },
      { 'routes[1].nmae': 'f.yaml:12:5', 'routes[1].bogus': 'f.yaml:13:5' },
    );
    expect(result.issues).toEqual([
      { path: 'routes[1].nmae', message: 'unknown key (did you mean "name"?)', origin: 'f.yaml:12:5' },
      { path: 'routes[1].bogus', message: 'unknown key', origin: 'f.yaml:13:5' },
    ]);
    expect(result.config[1]).toEqual({ index: 1, path: 'routes[1]', name: 'anon', count: 1 });
  });

  it('reports a bad value inside an item at its indexed path, keeping the item\'s fallback', () => {
    const result = readList({ routes: [{ count: 5 }, { count: 10 }] }, { 'routes[1].count': 'f.yaml:14:12' });
    expect(result.issues).toEqual([{ path: 'routes[1].count', message: 'must be at most 9', origin: 'f.yaml:14:12' }]);
    expect(result.config.map((i) => i.count)).toEqual([5, 1]);
  });

  it('nests under a section: items are named by the full path', () => {
    const result = readLayer(layer({ a: { routes: [{ bogus: 1 }] } }), (root) => root.section('a', (s) => s.list('routes', readItem)));
    expect(result.issues).toEqual([{ path: 'a.routes[0].bogus', message: 'unknown key' }]);
    expect(result.config[0]?.path).toBe('a.routes[0]');
  });
});
