import { describe, expect, it } from 'vitest';
import { isTree, joinPath, mergeLayers, setPath, type RawLayer, type RawTree } from '../../../src/core/config/layers.ts';

function layer(values: RawTree, origins: Record<string, string> = {}): RawLayer {
  return { values, origins: new Map(Object.entries(origins)) };
}

describe('mergeLayers: values', () => {
  it('returns an empty layer for no layers', () => {
    const merged = mergeLayers([]);
    expect(merged.values).toEqual({});
    expect(merged.origins.size).toBe(0);
  });

  it('lets a later layer win key by key', () => {
    const merged = mergeLayers([
      layer({ listen: ':1', admin: ':2' }),
      layer({ listen: ':3' }),
    ]);
    expect(merged.values).toEqual({ listen: ':3', admin: ':2' });
  });

  it('merges maps deeply, keeping keys only the lower layer has', () => {
    const merged = mergeLayers([
      layer({ upstream: { url: 'http://a:1', timeout: '5s', nested: { x: 1, y: 2 } } }),
      layer({ upstream: { url: 'http://b:2', nested: { y: 3 } } }),
      layer({ drain: { delay: '1s' } }),
    ]);
    expect(merged.values).toEqual({
      upstream: { url: 'http://b:2', timeout: '5s', nested: { x: 1, y: 3 } },
      drain: { delay: '1s' },
    });
  });

  it('replaces a map with a scalar and a scalar with a map', () => {
    expect(mergeLayers([layer({ a: { b: 1 } }), layer({ a: 'flat' })]).values).toEqual({ a: 'flat' });
    expect(mergeLayers([layer({ a: 'flat' }), layer({ a: { b: 1 } })]).values).toEqual({ a: { b: 1 } });
  });

  it('replaces lists whole instead of merging them', () => {
    expect(mergeLayers([layer({ a: [1, 2, 3] }), layer({ a: [9] })]).values).toEqual({ a: [9] });
  });

  it('lets a later null override a value (the reader then reports it)', () => {
    expect(mergeLayers([layer({ a: 'x' }), layer({ a: null })]).values).toEqual({ a: null });
  });

  it('does not modify the input layers', () => {
    const low = layer({ upstream: { url: 'http://a:1', timeout: '5s' } }, { 'upstream.url': 'low' });
    const high = layer({ upstream: { url: 'http://b:2' } }, { 'upstream.url': 'high' });
    const merged = mergeLayers([low, high]);
    expect(low.values).toEqual({ upstream: { url: 'http://a:1', timeout: '5s' } });
    expect(high.values).toEqual({ upstream: { url: 'http://b:2' } });
    expect(low.origins.get('upstream.url')).toBe('low');
    (merged.values.upstream as RawTree).url = 'changed';
    expect(low.values.upstream).toEqual({ url: 'http://a:1', timeout: '5s' });
    expect(high.values.upstream).toEqual({ url: 'http://b:2' });
  });
});

describe('mergeLayers: origins', () => {
  it('keeps the places of keys inside a list (routes[0].timeout), and forgets them when a later layer replaces the list', () => {
    const file = layer({ routes: [{ name: 'a', timeout: 'banana' }] }, { routes: 'f.yaml:1:1', 'routes[0]': 'f.yaml:2:5', 'routes[0].timeout': 'f.yaml:3:14' });
    const merged = mergeLayers([layer({}), file]);
    expect(merged.origins.get('routes[0].timeout')).toBe('f.yaml:3:14');
    expect(merged.origins.get('routes[0]')).toBe('f.yaml:2:5');
    const replaced = mergeLayers([file, layer({ routes: [] }, { routes: 'flag --set routes' })]);
    expect(replaced.origins.get('routes[0].timeout')).toBeUndefined();
    expect(replaced.origins.get('routes')).toBe('flag --set routes');
  });

  it('keeps the origin of the layer that wrote each winning value', () => {
    const merged = mergeLayers([
      layer({ listen: ':1', admin: ':2', upstream: { url: 'http://a:1', timeout: '5s' } }, {
        listen: 'f.yaml:1:1', admin: 'f.yaml:2:1', upstream: 'f.yaml:3:1', 'upstream.url': 'f.yaml:4:3', 'upstream.timeout': 'f.yaml:5:3',
      }),
      layer({ listen: ':9' }, { listen: 'env SIGHTLINE_LISTEN' }),
      layer({ upstream: { url: 'http://b:2' } }, { 'upstream.url': 'flag --upstream' }),
    ]);
    expect(merged.origins.get('listen')).toBe('env SIGHTLINE_LISTEN');
    expect(merged.origins.get('admin')).toBe('f.yaml:2:1');
    expect(merged.origins.get('upstream')).toBe('f.yaml:3:1');
    expect(merged.origins.get('upstream.url')).toBe('flag --upstream');
    expect(merged.origins.get('upstream.timeout')).toBe('f.yaml:5:3');
  });

  it('drops the origins of child keys when a map is replaced by a scalar', () => {
    const merged = mergeLayers([
      layer({ upstream: { url: 'http://a:1', timeout: '5s' }, routes: [{ name: 'x' }] }, {
        upstream: 'f.yaml:1:1', 'upstream.url': 'f.yaml:2:3', 'upstream.timeout': 'f.yaml:3:3',
        routes: 'f.yaml:4:1', 'routes[0]': 'f.yaml:5:3', 'routes[0].name': 'f.yaml:5:5',
      }),
      layer({ upstream: 'http://c:3', routes: 'none' }, { upstream: 'flag --set upstream', routes: 'flag --set routes' }),
    ]);
    expect(merged.origins.get('upstream')).toBe('flag --set upstream');
    expect(merged.origins.has('upstream.url')).toBe(false);
    expect(merged.origins.has('upstream.timeout')).toBe(false);
    expect(merged.origins.get('routes')).toBe('flag --set routes');
    expect(merged.origins.has('routes[0]')).toBe(false);
    expect(merged.origins.has('routes[0].name')).toBe(false);
  });

  it('does not drop origins of sibling keys that merely share a prefix', () => {
    const merged = mergeLayers([
      layer({ up: { a: 1 }, upstream: { url: 'x' } }, { 'up.a': 'f.yaml:1:1', 'upstream.url': 'f.yaml:2:1' }),
      layer({ up: 'flat' }, { up: 'flag --set up' }),
    ]);
    expect(merged.origins.get('upstream.url')).toBe('f.yaml:2:1');
    expect(merged.origins.has('up.a')).toBe(false);
  });

  it('takes the origins of a map that replaces a scalar', () => {
    const merged = mergeLayers([
      layer({ health: 'oops' }, { health: 'f.yaml:1:1' }),
      layer({ health: { type: 'http' } }, { health: 'g.yaml:1:1', 'health.type': 'g.yaml:2:3' }),
    ]);
    expect(merged.values).toEqual({ health: { type: 'http' } });
    expect(merged.origins.get('health')).toBe('g.yaml:1:1');
    expect(merged.origins.get('health.type')).toBe('g.yaml:2:3');
  });

  // Regression: when the winning layer has no origin for a key (e.g. the intermediate map `--set listen.host=x`
  // creates), the losing layer's origin survives, so a mistake in the flag is blamed on the file's line.
  it('does not keep the losing layer\'s origin for a value the winning layer replaced', () => {
    const merged = mergeLayers([
      layer({ listen: '0.0.0.0:15001' }, { listen: 'f.yaml:1:1' }),
      layer({ listen: { host: 'x' } }, { 'listen.host': 'flag --set listen.host' }),
    ]);
    expect(merged.values.listen).toEqual({ host: 'x' });
    expect(merged.origins.get('listen')).not.toBe('f.yaml:1:1');
  });
});

describe('setPath', () => {
  it('sets a top-level key', () => {
    const tree: RawTree = {};
    setPath(tree, 'listen', ':1');
    expect(tree).toEqual({ listen: ':1' });
  });

  it('creates the maps on the way', () => {
    const tree: RawTree = {};
    setPath(tree, 'a.b.c', 1);
    expect(tree).toEqual({ a: { b: { c: 1 } } });
  });

  it('adds to existing maps without touching their other keys', () => {
    const tree: RawTree = { drain: { timeout: '20s' } };
    setPath(tree, 'drain.delay', '3s');
    expect(tree).toEqual({ drain: { timeout: '20s', delay: '3s' } });
  });

  it('replaces a scalar in the way with a map', () => {
    const tree: RawTree = { upstream: 'http://a:1' };
    setPath(tree, 'upstream.url', 'http://b:2');
    expect(tree).toEqual({ upstream: { url: 'http://b:2' } });
  });

  it('overwrites an existing value', () => {
    const tree: RawTree = { drain: { delay: '1s' } };
    setPath(tree, 'drain.delay', '2s');
    expect(tree).toEqual({ drain: { delay: '2s' } });
  });
});

describe('helpers', () => {
  it('isTree accepts plain objects only', () => {
    expect(isTree({})).toBe(true);
    expect(isTree({ a: 1 })).toBe(true);
    expect(isTree([])).toBe(false);
    expect(isTree(null)).toBe(false);
    expect(isTree('x')).toBe(false);
    expect(isTree(1)).toBe(false);
  });

  it('joinPath joins with a dot except at the root', () => {
    expect(joinPath('', 'a')).toBe('a');
    expect(joinPath('a', 'b')).toBe('a.b');
    expect(joinPath('a.b', 'c')).toBe('a.b.c');
  });
});
