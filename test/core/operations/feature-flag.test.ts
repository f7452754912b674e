import { describe, expect, it } from 'vitest';
import { flagEnvVariable, flagStates, parseFlagValue, type FlagConfig } from '../../../src/core/config/flags.ts';
import { Invalid } from '../../../src/core/config/reader.ts';
import { compileFlags, FeatureFlag } from '../../../src/core/operations/feature-flag.ts';
import { fnv1a, stableFraction } from '../../../src/core/operations/stable-hash.ts';
import { FakeRequest } from './request.ts';

const flag = (ratio: number, key = '', name = 'beta'): FeatureFlag => new FeatureFlag({ name, ratio, key, source: 'config' });

describe('stable hash', () => {
  it('is FNV-1a: the published test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('places a string at the same fraction every time, in [0, 1)', () => {
    const x = stableFraction('user-42');
    expect(stableFraction('user-42')).toBe(x);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThan(1);
    expect(stableFraction('user-43')).not.toBe(x);
  });
});

describe('FeatureFlag: on and off', () => {
  it('is on for every request at 100% and off at 0%, without reading any header', () => {
    const on = flag(1, 'x-user-id');
    const off = flag(0, 'x-user-id');
    const request = new FakeRequest({ 'x-user-id': 'u1' });
    expect(on.isOnFor(request)).toBe(true);
    expect(off.isOnFor(request)).toBe(false);
    expect(request.asked).toEqual([]);
  });
});

describe('FeatureFlag: percentages', () => {
  it.each([0.1, 0.25, 0.5, 0.9])('is on for about %f of 20000 users keyed by header (±1.5 points)', (ratio) => {
    const f = flag(ratio, 'x-user-id');
    let on = 0;
    for (let i = 0; i < 20_000; i++) if (f.isOnFor(new FakeRequest({ 'x-user-id': `user-${i}` }))) on++;
    expect(Math.abs(on / 20_000 - ratio)).toBeLessThan(0.015);
  });

  it('keeps one key on one side, request after request', () => {
    const f = flag(0.5, 'x-user-id');
    for (let i = 0; i < 50; i++) {
      const first = f.isOnFor(new FakeRequest({ 'x-user-id': `user-${i}` }, 'id-a'));
      for (let j = 0; j < 20; j++) expect(f.isOnFor(new FakeRequest({ 'x-user-id': `user-${i}` }, `id-${j}`))).toBe(first);
    }
  });

  it('keeps a user on when the share grows (the hash threshold only moves up)', () => {
    const small = flag(0.1, 'x-user-id');
    const large = flag(0.3, 'x-user-id');
    for (let i = 0; i < 2000; i++) {
      const r = new FakeRequest({ 'x-user-id': `user-${i}` });
      if (small.isOnFor(r)) expect(large.isOnFor(r)).toBe(true);
    }
  });

  it('splits users differently for two flags at the same share', () => {
    const a = flag(0.5, 'x-user-id', 'a');
    const b = flag(0.5, 'x-user-id', 'b');
    let differ = 0;
    for (let i = 0; i < 1000; i++) {
      const r = new FakeRequest({ 'x-user-id': `user-${i}` });
      if (a.isOnFor(r) !== b.isOnFor(r)) differ++;
    }
    expect(differ).toBeGreaterThan(400);
    expect(differ).toBeLessThan(600);
  });

  it('falls back to the request id without the key header, and hashes the request id without a key', () => {
    const keyed = flag(0.5, 'x-user-id');
    const byId = flag(0.5);
    let keyedOn = 0;
    let byIdOn = 0;
    for (let i = 0; i < 4000; i++) {
      const r = new FakeRequest({}, `request-${i}`);
      if (keyed.isOnFor(r)) keyedOn++;
      if (byId.isOnFor(r)) byIdOn++;
      expect(keyed.isOnFor(r)).toBe(keyed.isOnForValue(`request-${i}`));
    }
    expect(Math.abs(keyedOn / 4000 - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(byIdOn / 4000 - 0.5)).toBeLessThan(0.03);
  });
});

describe('flag values and their variables', () => {
  it.each<[string | boolean | number, number]>([
    [true, 1], [false, 0], ['true', 1], ['false', 0], [' TRUE ', 1], ['25%', 0.25], ['0%', 0], ['100%', 1], ['12.5%', 0.125],
  ])('reads %j as %f', (text, ratio) => {
    expect(parseFlagValue(text)).toBe(ratio);
  });

  it.each<[string | number, string]>([
    [1, '1 is not true, false or a percentage such as 25%'],
    ['0.5', '"0.5" is not true, false or a percentage such as 25%'],
    ['on', '"on" is not true, false or a percentage such as 25%'],
    ['150%', 'must be at most 100%'],
    ['-5%', '"-5%" is not true, false or a percentage such as 25%'],
  ])('refuses %j', (text, message) => {
    const result = parseFlagValue(text);
    expect(result).toBeInstanceOf(Invalid);
    expect((result as Invalid).message).toBe(message);
  });

  it('names the variable upper-cased, - as _', () => {
    expect(flagEnvVariable('new-retry')).toBe('SIGHTLINE_FLAG_NEW_RETRY');
    expect(flagEnvVariable('chaos')).toBe('SIGHTLINE_FLAG_CHAOS');
  });

  it('gives the effective settings as JSON-ready data (flagStates)', () => {
    const flags: FlagConfig[] = [
      { name: 'chaos', ratio: 1, key: '', source: 'env' },
      { name: 'new-retry', ratio: 0.25, key: '', source: 'config' },
      { name: 'beta', ratio: 0.1, key: 'x-user-id', source: 'config' },
      { name: 'off', ratio: 0, key: '', source: 'config' },
    ];
    const states = flagStates(flags);
    expect(JSON.parse(JSON.stringify(states))).toEqual([
      { name: 'chaos', value: true, key: null, source: 'env', env: 'SIGHTLINE_FLAG_CHAOS' },
      { name: 'new-retry', value: '25%', key: null, source: 'config', env: 'SIGHTLINE_FLAG_NEW_RETRY' },
      { name: 'beta', value: '10%', key: 'x-user-id', source: 'config', env: 'SIGHTLINE_FLAG_BETA' },
      { name: 'off', value: false, key: null, source: 'config', env: 'SIGHTLINE_FLAG_OFF' },
    ]);
  });

  it('builds each declared flag once, by name', () => {
    const flags = compileFlags([{ name: 'a', ratio: 0.5, key: 'x-k', source: 'config' }]);
    expect([...flags.keys()]).toEqual(['a']);
    expect(flags.get('a')).toMatchObject({ name: 'a', ratio: 0.5, key: 'x-k' });
  });
});
