// /debug/config's redaction: what may be a secret is replaced, everything else is shown as it is.

import { describe, expect, it } from 'vitest';
import { effectiveConfigView, redact, redactUrls, REDACTED } from '../../../src/core/config/redact.ts';

describe('redactUrls', () => {
  it.each([
    ['http://bob:hunter2@collector:4318/v1/traces', `http://bob:${REDACTED}@collector:4318/v1/traces`],
    ['https://ghp_abc123@example.com/x', `https://${REDACTED}@example.com/x`],
    ['http://collector:4318/v1/traces?api_key=k1&region=eu&access_token=t2', `http://collector:4318/v1/traces?api_key=${REDACTED}&region=eu&access_token=${REDACTED}`],
    ['http://collector:4318/v1/traces', 'http://collector:4318/v1/traces'],
    ['not a url, user@example.com', 'not a url, user@example.com'],
  ])('%s', (input, output) => {
    expect(redactUrls(input)).toBe(output);
  });
});

describe('redact', () => {
  it('replaces values under secret-like keys, at any depth, whatever their type', () => {
    const out = redact({
      tracing: { endpoint: 'http://u:p@c/v1', headers: { 'x-team': 'blue', Authorization: 'Bearer x' } },
      db: { password: 'pw', passwordFile: '', apiKey: 42, 'api-key': ['a'], clientSecret: { nested: 'v' }, Token: null },
      plain: { path: '/tokens', keep: 'secret-looking value under an innocent key' },
    });
    expect(out).toEqual({
      tracing: { endpoint: `http://u:${REDACTED}@c/v1`, headers: { 'x-team': REDACTED, Authorization: REDACTED } },
      db: { password: REDACTED, passwordFile: '', apiKey: REDACTED, 'api-key': REDACTED, clientSecret: REDACTED, Token: null },
      plain: { path: '/tokens', keep: 'secret-looking value under an innocent key' },
    });
  });

  it('replaces the value of [name, value] pairs named like a secret (resource attributes, header matches)', () => {
    const out = redact({
      tracing: { resourceAttributes: [['deployment.environment', 'prod'], ['vendor.api_key', 'k']] },
      routes: [{ match: { headers: [['x-canary', '1'], ['authorization', 'Basic abc']] } }],
    });
    expect(out).toEqual({
      tracing: { resourceAttributes: [['deployment.environment', 'prod'], ['vendor.api_key', REDACTED]] },
      routes: [{ match: { headers: [['x-canary', '1'], ['authorization', REDACTED]] } }],
    });
  });

  it('redacts every exporter header under tracing, as pairs too, but not route header matches', () => {
    expect(redact({ tracing: { exporter: { headers: [['x-honeycomb-team', 'abc']] } } })).toEqual({ tracing: { exporter: { headers: [['x-honeycomb-team', REDACTED]] } } });
    expect(redact({ routes: [{ match: { headers: [['x-team', 'blue']] } }] })).toEqual({ routes: [{ match: { headers: [['x-team', 'blue']] } }] });
  });

  it('turns Maps and Sets into JSON, and leaves numbers, booleans and nulls alone', () => {
    expect(redact({ m: new Map<string, unknown>([['a', 1], ['token', 'x']]), s: new Set(['http://a:b@h']), n: 1, b: false, z: null }))
      .toEqual({ m: { a: 1, token: REDACTED }, s: [`http://a:${REDACTED}@h`], n: 1, b: false, z: null });
  });
});

describe('effectiveConfigView', () => {
  it('says where the config came from and when, and redacts extra sections too', () => {
    const view = effectiveConfigView({ a: 1 }, { file: '/etc/sightline.yaml', loadedAt: Date.UTC(2025, 0, 1) }, { flags: { token: 'x', beta: true } });
    expect(view).toEqual({
      source: { file: '/etc/sightline.yaml', layers: 'built-in defaults < YAML file < environment < flags', loadedAt: '2025-01-01T00:00:00.000Z' },
      config: { a: 1 },
      flags: { token: REDACTED, beta: true },
    });
    expect(effectiveConfigView({}, { file: undefined, loadedAt: 0 }).source).toMatchObject({ file: null });
  });
});
