// The operations keys in config: flags (with their env overrides), rateLimit and fault, and every
// mistake in them reported at its key.

import { describe, expect, it } from 'vitest';
import { environmentLayer } from '../../../src/core/config/command-line.ts';
import { mergeLayers, type RawLayer, type RawTree } from '../../../src/core/config/layers.ts';
import { readConfig } from '../../../src/core/config/model.ts';
import { BUILT_IN_FAULT, BUILT_IN_RATE_LIMIT } from '../../../src/core/config/operations.ts';

function layer(values: RawTree, origins: Record<string, string> = {}): RawLayer {
  return { values, origins: new Map(Object.entries(origins)) };
}

function read(values: RawTree, env: Record<string, string> = {}) {
  return readConfig(mergeLayers([layer(values), environmentLayer(env)]));
}

function valid(values: RawTree, env: Record<string, string> = {}) {
  const result = read(values, env);
  expect(result.issues).toEqual([]);
  return result.config;
}

/** The issues of a config, as `path: message`. */
function problems(values: RawTree, env: Record<string, string> = {}): string[] {
  return read(values, env).issues.map((i) => `${i.path}: ${i.message}`);
}

describe('flags', () => {
  it('reads the short form (true, false, a percentage) and the long form with a key', () => {
    expect(valid({ flags: { chaos: false, 'new-retry': '25%', on: true, beta: { enabled: '10%', key: 'X-User-Id' }, all: { enabled: true } } }).flags).toEqual([
      { name: 'chaos', ratio: 0, key: '', source: 'config' },
      { name: 'new-retry', ratio: 0.25, key: '', source: 'config' },
      { name: 'on', ratio: 1, key: '', source: 'config' },
      { name: 'beta', ratio: 0.1, key: 'x-user-id', source: 'config' },
      { name: 'all', ratio: 1, key: '', source: 'config' },
    ]);
  });

  it('has none by default', () => {
    expect(valid({}).flags).toEqual([]);
  });

  it('takes SIGHTLINE_FLAG_<NAME> over the config value (upper case, - as _), keeping the key', () => {
    const flags = valid(
      { flags: { chaos: false, 'new-retry': '25%', beta: { enabled: false, key: 'x-user-id' }, kept: true } },
      { SIGHTLINE_FLAG_CHAOS: 'true', SIGHTLINE_FLAG_NEW_RETRY: '75%', SIGHTLINE_FLAG_BETA: '50%', OTHER: 'x' },
    ).flags;
    expect(flags).toEqual([
      { name: 'chaos', ratio: 1, key: '', source: 'env' },
      { name: 'new-retry', ratio: 0.75, key: '', source: 'env' },
      { name: 'beta', ratio: 0.5, key: 'x-user-id', source: 'env' },
      { name: 'kept', ratio: 1, key: '', source: 'config' },
    ]);
  });

  it('turns a flag off from the environment too', () => {
    expect(valid({ flags: { chaos: true } }, { SIGHTLINE_FLAG_CHAOS: 'false' }).flags).toEqual([{ name: 'chaos', ratio: 0, key: '', source: 'env' }]);
  });

  it('names the variable and the line in its mistakes', () => {
    const result = read({ flags: { chaos: false } }, { SIGHTLINE_FLAG_CHAOS: 'maybe', SIGHTLINE_FLAG_CHOAS: 'true' });
    expect(result.issues).toEqual([
      { path: 'flags.SIGHTLINE_FLAG_CHAOS', origin: 'env SIGHTLINE_FLAG_CHAOS', message: '"maybe" is not true, false or a percentage such as 25%' },
      { path: 'flags.SIGHTLINE_FLAG_CHOAS', origin: 'env SIGHTLINE_FLAG_CHOAS', message: 'overrides no flag: declare it under flags in the config file (declared: chaos)' },
    ]);
  });

  it('reports each mistake at its key', () => {
    expect(problems({
      flags: {
        Chaos: true,
        half: 50,
        big: '101%',
        nokey: { key: 'x-user-id' },
        badkey: { enabled: true, key: 'x user' },
        typo: { enabled: true, kee: 'x-user-id' },
        empty: null,
        list: [true],
      },
    })).toEqual([
      'flags.Chaos: "Chaos" is not a flag name: lower-case letters, digits, - and _, starting with a letter',
      'flags.half: 50 is not true, false or a percentage such as 25%',
      'flags.big: must be at most 100%',
      'flags.nokey.enabled: is required: true, false or a percentage such as 25%',
      'flags.badkey.key: "x user" is not a header name (write it alone, e.g. x-user-id)',
      'flags.typo.kee: unknown key (did you mean "key"?)',
      'flags.empty: has no value: give one or remove the key',
      'flags.list: must be a single value or a map of keys',
    ]);
  });

  it('refuses two flags with the same variable', () => {
    expect(problems({ flags: { 'new-retry': true, new_retry: false } })).toEqual([
      'flags.new_retry: has the same variable SIGHTLINE_FLAG_NEW_RETRY as flag "new-retry": rename one of them',
    ]);
  });

  it('refuses flags that are not a map', () => {
    expect(problems({ flags: 'chaos' })).toEqual(['flags: must be a map such as {name: value}']);
  });
});

describe('rateLimit', () => {
  it('is off by default', () => {
    expect(valid({}).defaultRoute.rateLimit).toEqual(BUILT_IN_RATE_LIMIT);
    expect(BUILT_IN_RATE_LIMIT.requestsPerSecond).toBe(0);
  });

  it('is inherited from defaultRoute, and a route can change or turn it off', () => {
    const config = valid({
      defaultRoute: { rateLimit: { requestsPerSecond: 100, burst: 150, key: 'header:X-Api-Key' } },
      routes: [
        { name: 'inherits', match: { path: '/a' } },
        { name: 'slower', match: { path: '/b' }, rateLimit: { requestsPerSecond: 5 } },
        { name: 'unlimited', match: { path: '/c' }, rateLimit: { requestsPerSecond: 0 } },
      ],
    });
    expect(config.defaultRoute.rateLimit).toEqual({ requestsPerSecond: 100, burst: 150, key: 'x-api-key', maxKeys: 10_000 });
    expect(config.routes.map((r) => r.rateLimit)).toEqual([
      { requestsPerSecond: 100, burst: 150, key: 'x-api-key', maxKeys: 10_000 },
      { requestsPerSecond: 5, burst: 150, key: 'x-api-key', maxKeys: 10_000 },
      { requestsPerSecond: 0, burst: 150, key: 'x-api-key', maxKeys: 10_000 },
    ]);
  });

  it('reports each mistake at its key', () => {
    expect(problems({ defaultRoute: { rateLimit: { requestsPerSecond: -1, burst: 'lots', key: 'x api', maxKeys: 0, perMinute: 5 } } })).toEqual([
      'defaultRoute.rateLimit.requestsPerSecond: must be at least 0',
      'defaultRoute.rateLimit.burst: "lots" is not a whole number',
      'defaultRoute.rateLimit.key: "x api" is not a header name (write it alone, e.g. x-user-id)',
      'defaultRoute.rateLimit.maxKeys: must be at least 1',
      'defaultRoute.rateLimit.perMinute: unknown key',
    ]);
  });

  it('refuses a burst or key without a rate', () => {
    expect(problems({ routes: [{ match: { path: '/a' }, rateLimit: { burst: 10 } }] })).toEqual([
      'routes[0].rateLimit.requestsPerSecond: must be above 0 for burst and key to mean anything (0 turns the rate limit off)',
    ]);
  });
});

describe('fault', () => {
  const flags = { chaos: false };

  it('is inert by default', () => {
    expect(valid({}).defaultRoute.fault).toEqual(BUILT_IN_FAULT);
  });

  it('reads a delay (fixed or a range) and an abort, keyed to a flag and a header', () => {
    const config = valid({
      flags,
      routes: [
        { name: 'fixed', match: { path: '/a' }, fault: { flag: 'chaos', delay: { duration: '100ms', percentage: '10%' } } },
        { name: 'range', match: { path: '/b' }, fault: { flag: 'chaos', header: 'X-Sightline-Fault', delay: { duration: ['50ms', '200ms'], percentage: 1 }, abort: { status: 500, percentage: '5%' } } },
        { name: 'env-range', match: { path: '/c' }, fault: { flag: 'chaos', delay: { duration: '50ms, 2s', percentage: '1%' } } },
      ],
    });
    expect(config.routes.map((r) => r.fault)).toEqual([
      { header: '', flag: 'chaos', delay: { durationMs: [100, 100], ratio: 0.1 }, abort: { status: 503, ratio: 0 } },
      { header: 'x-sightline-fault', flag: 'chaos', delay: { durationMs: [50, 200], ratio: 1 }, abort: { status: 500, ratio: 0.05 } },
      { header: '', flag: 'chaos', delay: { durationMs: [50, 2000], ratio: 0.01 }, abort: { status: 503, ratio: 0 } },
    ]);
  });

  it('needs a flag before it injects anything', () => {
    expect(problems({ routes: [{ match: { path: '/a' }, fault: { abort: { percentage: '5%' } } }] })).toEqual([
      'routes[0].fault.flag: is required to inject faults: name a flag from flags, so faults happen only while it is on',
    ]);
    // Without a share it is inert, and needs none.
    expect(problems({ routes: [{ match: { path: '/a' }, fault: { header: 'x-f' } }] })).toEqual([]);
  });

  it('refuses a flag that is not declared, in fault.flag and in retry.flag', () => {
    expect(problems({ flags, routes: [{ match: { path: '/a' }, fault: { flag: 'choas', abort: { percentage: '5%' } }, retry: { flag: 'new-retry' } }] })).toEqual([
      'routes[0].retry.flag: no flag named "new-retry": declare it under flags (declared: chaos)',
      'routes[0].fault.flag: no flag named "choas": declare it under flags (declared: chaos)',
    ]);
    expect(problems({ defaultRoute: { retry: { flag: 'x' } } })).toEqual([
      'defaultRoute.retry.flag: no flag named "x": declare it under flags (declared: none)',
    ]);
  });

  it('reports a mistake in defaultRoute once, not again in every route that inherits it', () => {
    expect(problems({ defaultRoute: { fault: { abort: { percentage: '5%' } } }, routes: [{ match: { path: '/a' } }, { match: { path: '/b' } }] })).toEqual([
      'defaultRoute.fault.flag: is required to inject faults: name a flag from flags, so faults happen only while it is on',
    ]);
  });

  it('reports each mistake at its key', () => {
    expect(problems({
      flags,
      defaultRoute: {
        fault: {
          flag: 'chaos',
          header: 'bad header',
          delay: { duration: '5', percentage: '120%' },
          abort: { status: 200, percentage: 'often' },
          kind: 'abort',
        },
      },
    })).toEqual([
      'defaultRoute.fault.header: "bad header" is not a header name (write it alone, e.g. x-user-id)',
      'defaultRoute.fault.delay.duration: "5" is not a duration: write e.g. 250ms, 5s, 1m or 1m30s',
      'defaultRoute.fault.delay.percentage: must be at most 100%',
      'defaultRoute.fault.abort.status: must be at least 400',
      'defaultRoute.fault.abort.percentage: "often" is not a share: write e.g. 20% or 0.2',
      'defaultRoute.fault.kind: unknown key',
    ]);
  });

  it('checks a delay range: two durations, shorter first, at most 10m', () => {
    const at = (duration: unknown) => problems({ flags, defaultRoute: { fault: { flag: 'chaos', delay: { duration, percentage: '10%' } } } });
    expect(at(['200ms', '50ms'])).toEqual(['defaultRoute.fault.delay.duration: the range must run from the shorter to the longer: [50ms, 200ms]']);
    expect(at(['50ms', '100ms', '200ms'])).toEqual(['defaultRoute.fault.delay.duration: must be a duration such as 100ms, or a range of two such as [50ms, 200ms]']);
    expect(at(['50ms', 'soon'])).toEqual(['defaultRoute.fault.delay.duration[1]: "soon" is not a duration: write e.g. 50ms or 2s']);
    expect(at('1h')).toEqual(['defaultRoute.fault.delay.duration: must be at most 10m']);
    expect(at(0)).toEqual(['defaultRoute.fault.delay.duration: must be above 0 when delay.percentage is set']);
  });

  it('names the line of a mistake in a file', () => {
    const result = readConfig(layer(
      { flags, routes: [{ match: { path: '/a' }, fault: { flag: 'nope' } }] },
      { 'routes[0].fault.flag': 'sightline.yaml:9:7' },
    ));
    expect(result.issues).toEqual([{ path: 'routes[0].fault.flag', origin: 'sightline.yaml:9:7', message: 'no flag named "nope": declare it under flags (declared: chaos)' }]);
  });
});
