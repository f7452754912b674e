// config/sightline.yaml is the documentation of the config: it must name every key, state the
// built-in defaults, and explain each key in a comment.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { yamlLayer } from '../../../src/adapters/config-yaml/yaml-layer.ts';
import { loadConfig } from '../../../src/adapters/config-yaml/load-config.ts';
import { readConfig } from '../../../src/core/config/model.ts';

const FILE = 'config/sightline.yaml';
const text = readFileSync(FILE, 'utf8');

describe('the default config file', () => {
  const parsed = yamlLayer(text, FILE);
  if (!('layer' in parsed)) throw new Error(`default config does not parse: ${JSON.stringify(parsed.issues)}`);
  const { knownKeys } = readConfig({ values: {}, origins: new Map() });
  // Items of a list (`retryOn[0]`) are values, not keys.
  const fileKeys = [...parsed.layer.origins.keys()].filter((k) => !k.includes('['));

  it('names every key the config model reads, and no other', () => {
    expect([...fileKeys].sort()).toEqual([...knownKeys].sort());
  });

  it('states exactly the built-in defaults', () => {
    const fromFile = readConfig(parsed.layer);
    expect(fromFile.issues).toEqual([]);
    expect(fromFile.config).toEqual(readConfig({ values: {}, origins: new Map() }).config);
  });

  it('explains every key in a comment right above it', () => {
    const lines = text.split('\n');
    const undocumented: string[] = [];
    for (const key of fileKeys) {
      const origin = parsed.layer.origins.get(key) as string;
      const line = Number(origin.split(':')[1]);
      const above = lines[line - 2] ?? '';
      if (!above.trim().startsWith('#')) undocumented.push(key);
    }
    // Section keys (upstream:, retry:, ...) are introduced by the comments of their children.
    expect(undocumented.filter((k) => !fileKeys.some((other) => other.startsWith(`${k}.`)))).toEqual([]);
  });
});

describe('the example routes in the default config file', () => {
  it('are valid, and the first has the SLO its comments describe', () => {
    const lines = text.split('\n');
    const first = lines.findIndex((l) => l.startsWith('#   - name: users'));
    const last = lines.findIndex((l) => l.startsWith('routes:'));
    expect(first).toBeGreaterThan(0);
    const example = ['routes:', ...lines.slice(first, last).map((l) => l.slice(1))].join('\n');
    const parsed = yamlLayer(example, 'example');
    if (!('layer' in parsed)) throw new Error(`the example routes do not parse: ${JSON.stringify(parsed.issues)}`);
    const { config, issues } = readConfig(parsed.layer);
    expect(issues).toEqual([]);
    expect(config.routes.map((r) => r.name)).toEqual(['users', 'uploads']);
    expect(config.routes[0]?.slo).toEqual({
      availability: expect.closeTo(0.999, 12),
      latency: { thresholdSeconds: 0.25, target: expect.closeTo(0.99, 12) },
      windowMs: 30 * 86_400_000,
    });
  });
});

describe('the README configuration table', () => {
  it('lists every key', () => {
    const readme = readFileSync('README.md', 'utf8');
    const { knownKeys } = readConfig({ values: {}, origins: new Map() });
    const leaves = knownKeys.filter((k) => !knownKeys.some((other) => other.startsWith(`${k}.`)));
    expect(leaves.filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
  });
});

describe('loadConfig layering', () => {
  it('reports the env variable when SIGHTLINE_CONFIG points at a missing file', () => {
    const result = loadConfig({ env: { SIGHTLINE_CONFIG: '/nonexistent/sightline.yaml' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toContain('no such file');
  });

  it('uses built-in defaults when no file is given', () => {
    const result = loadConfig({ env: {} });
    expect(result.ok && result.config.listen).toEqual({ host: '0.0.0.0', port: 15001 });
    expect(result.ok && result.config.admin).toEqual({ host: '0.0.0.0', port: 15000 });
    expect(result.ok && result.config.upstream.origin).toBe('http://127.0.0.1:8080');
  });
});
