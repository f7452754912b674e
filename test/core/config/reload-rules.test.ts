import { describe, expect, it } from 'vitest';
import type { RawLayer, RawTree } from '../../../src/core/config/layers.ts';
import { readConfig } from '../../../src/core/config/model.ts';
import { reloadIssues, type LoadedConfig } from '../../../src/core/config/reload-rules.ts';

function loaded(values: RawTree, origins: Record<string, string> = {}): LoadedConfig {
  const layer: RawLayer = { values, origins: new Map(Object.entries(origins)) };
  const { config, issues } = readConfig(layer);
  expect(issues).toEqual([]);
  return { config, layer };
}

describe('reloadIssues', () => {
  it('accepts changes to routes, defaultRoute and the log level', () => {
    const before = loaded({ routes: [{ name: 'a', match: { path: '/a/*' } }] });
    const after = loaded({ routes: [{ name: 'b', match: { path: '/b/*' }, timeout: '2s' }], defaultRoute: { retry: { attempts: 3 } }, log: { level: 'debug' } });
    expect(reloadIssues(before, after)).toEqual([]);
  });

  it('names each changed key that needs a restart, as written, with its place in the new file', () => {
    const before = loaded({ listen: '0.0.0.0:15001', upstream: { url: 'http://127.0.0.1:8080', connectTimeout: '1s' } });
    const after = loaded({ listen: '0.0.0.0:15002', upstream: { url: 'http://127.0.0.1:8080', connectTimeout: '2s' } }, { listen: 'new.yaml:1:1', 'upstream.connectTimeout': 'new.yaml:4:3' });
    expect(reloadIssues(before, after)).toEqual([
      { path: 'listen', origin: 'new.yaml:1:1', message: 'cannot change on reload (the proxy listener is bound at start): restart Sightline to change it' },
      { path: 'upstream.connectTimeout', origin: 'new.yaml:4:3', message: 'cannot change on reload (the connection pool to the app is built at start): restart Sightline to change it' },
    ]);
  });

  it('compares values as read, not as written: 1s and 1000ms are the same', () => {
    expect(reloadIssues(loaded({ drain: { delay: '1s' } }), loaded({ drain: { delay: '1000ms' } }))).toEqual([]);
  });

  it('names the section when a key that needs a restart goes back to its default', () => {
    const issues = reloadIssues(loaded({ workers: 2 }), loaded({}));
    expect(issues.map((i) => i.path)).toEqual(['workers']);
    expect(issues[0]?.message).toMatch(/worker processes are forked at start/);
  });
});
