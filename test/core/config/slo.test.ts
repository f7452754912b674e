// A route's `slo`: read from YAML as a user writes it, so every refusal is checked with its key and line.

import { describe, expect, it } from 'vitest';
import { yamlLayer } from '../../../src/adapters/config-yaml/yaml-layer.ts';
import { readConfig } from '../../../src/core/config/model.ts';
import { formatIssue } from '../../../src/core/config/reader.ts';

const DAY = 86_400_000;

function read(text: string) {
  const parsed = yamlLayer(text, 'sightline.yaml');
  if (!('layer' in parsed)) throw new Error(`test YAML does not parse: ${JSON.stringify(parsed.issues)}`);
  return readConfig(parsed.layer);
}

/** A config whose one route has `slo` with these lines (indented by 6), from line 5 on. */
function withSlo(...lines: string[]): string {
  return ['routes:', '  - name: checkout', '    match: {path: /checkout/*}', '    slo:', ...lines.map((l) => `      ${l}`), ''].join('\n');
}

function sloOf(text: string) {
  const result = read(text);
  expect(result.issues.map(formatIssue)).toEqual([]);
  return result.config.routes[0]?.slo;
}

function problems(text: string): string[] {
  return read(text).issues.map(formatIssue);
}

describe('slo config: what it reads', () => {
  it('reads availability, latency and window', () => {
    expect(sloOf(withSlo('availability: 99.9%', 'latency:', '  threshold: 250ms', '  target: 99%', 'window: 7d'))).toEqual({
      availability: expect.closeTo(0.999, 12),
      latency: { thresholdSeconds: 0.25, target: expect.closeTo(0.99, 12) },
      windowMs: 7 * DAY,
    });
  });

  it('has a 30-day window by default and either objective alone', () => {
    expect(sloOf(withSlo('availability: 0.995'))).toEqual({ availability: 0.995, windowMs: 30 * DAY });
    expect(sloOf(withSlo('latency: {threshold: 1s, target: 99.5%}'))).toEqual({
      latency: { thresholdSeconds: 1, target: expect.closeTo(0.995, 12) },
      windowMs: 30 * DAY,
    });
  });

  it.each([
    ['5ms', 0.005],
    ['100ms', 0.1],
    ['0.75s', 0.75],
    ['2.5s', 2.5],
    ['10s', 10],
  ])('takes the bucket bound %s as a threshold of %d seconds', (threshold, seconds) => {
    expect(sloOf(withSlo(`latency: {threshold: ${threshold}, target: 99%}`))?.latency?.thresholdSeconds).toBe(seconds);
  });

  it('leaves a route without slo without one', () => {
    const result = read('routes:\n  - name: search\n    match: {path: /search}\n');
    expect(result.issues).toEqual([]);
    expect(result.config.routes[0]).not.toHaveProperty('slo');
    expect(read('').config.defaultRoute).not.toHaveProperty('slo');
  });

  it('gives defaultRoute an slo of its own that no route inherits', () => {
    const result = read('defaultRoute:\n  slo: {availability: 99%}\nroutes:\n  - name: search\n    match: {path: /search}\n');
    expect(result.issues).toEqual([]);
    expect(result.config.defaultRoute.slo).toEqual({ availability: 0.99, windowMs: 30 * DAY });
    expect(result.config.routes[0]).not.toHaveProperty('slo');
  });
});

describe('slo config: refusals name the key and the line', () => {
  const BUCKETS = '5ms, 10ms, 25ms, 50ms, 75ms, 100ms, 250ms, 500ms, 750ms, 1s, 2.5s, 5s, 7.5s, 10s';
  it.each([
    ['a 100% target', withSlo('availability: 100%'),
      'sightline.yaml:5:7: routes[0].slo.availability: must be less than 100%: a 100% target leaves no error budget to alert on'],
    ['a 0% target', withSlo('availability: 0%'),
      'sightline.yaml:5:7: routes[0].slo.availability: must be more than 0%, e.g. 99.9%'],
    ['a percentage without %', withSlo('availability: 99.9'),
      'sightline.yaml:5:7: routes[0].slo.availability: must be less than 100% (a number without % is a fraction: 99.9% is 0.999)'],
    ['a target no fast burn can reach', withSlo('availability: 90%'),
      'sightline.yaml:5:7: routes[0].slo.availability: must be more than 93.06%: the fast-burn page fires when 14.4× the allowed share of requests is bad, and 14.4 × 10% is more than all of them'],
    ['a target that is no share', withSlo('availability: high'),
      'sightline.yaml:5:7: routes[0].slo.availability: "high" is not a share: write e.g. 20% or 0.2'],
    ['a threshold between buckets', withSlo('latency: {threshold: 300ms, target: 99%}'),
      `sightline.yaml:5:17: routes[0].slo.latency.threshold: must be a bucket bound of http_server_request_duration_seconds, one of: ${BUCKETS}`],
    ['a threshold that is no duration', withSlo('latency: {threshold: fast, target: 99%}'),
      'sightline.yaml:5:17: routes[0].slo.latency.threshold: "fast" is not a duration: write e.g. 250ms, 5s, 1m or 1m30s'],
    ['a 100% latency target', withSlo('latency: {threshold: 1s, target: 100%}'),
      'sightline.yaml:5:32: routes[0].slo.latency.target: must be less than 100%: a 100% target leaves no error budget to alert on'],
    ['a latency without target', withSlo('latency:', '  threshold: 250ms'),
      'sightline.yaml:5:7: routes[0].slo.latency: needs target, e.g. {threshold: 250ms, target: 99%}'],
    ['an empty latency', withSlo('availability: 99.9%', 'latency: {}'),
      'sightline.yaml:6:7: routes[0].slo.latency: needs threshold and target, e.g. {threshold: 250ms, target: 99%}'],
    ['a window under an hour', withSlo('availability: 99.9%', 'window: 30m'),
      'sightline.yaml:6:7: routes[0].slo.window: must be at least 1h'],
    ['a window without a unit', withSlo('availability: 99.9%', 'window: 30'),
      'sightline.yaml:6:7: routes[0].slo.window: needs a unit: write 30ms or 30s'],
    ['an slo with no objective', withSlo('window: 7d'),
      'sightline.yaml:4:5: routes[0].slo: needs availability, latency or both, e.g. {availability: 99.9%}'],
    ['an slo written empty', 'routes:\n  - name: checkout\n    match: {path: /checkout/*}\n    slo:\n',
      'sightline.yaml:4:5: routes[0].slo: needs availability, latency or both, e.g. {availability: 99.9%}'],
    ['a bad defaultRoute slo', 'defaultRoute:\n  slo:\n    availability: 100%\n',
      'sightline.yaml:3:5: defaultRoute.slo.availability: must be less than 100%: a 100% target leaves no error budget to alert on'],
  ])('refuses %s with one message', (_name, text, expected) => {
    expect(problems(text)).toEqual([expected]);
  });

  it('names a misspelt key with the one it resembles', () => {
    expect(problems(withSlo('availability: 99.9%', 'windw: 7d'))).toEqual([
      'sightline.yaml:6:7: routes[0].slo.windw: unknown key (did you mean "window"?)',
    ]);
  });
});
