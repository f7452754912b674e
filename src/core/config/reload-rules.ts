// What a config reload may change. Routes and their policies (and the flags they read) are looked up
// per request in the live route table, so a new table can simply replace the old one; the log level is
// one property. Everything else was built into sockets, pools, exporters or processes at start: a
// reload that changes it is refused, key by key, rather than half-applied or silently ignored.

import { isTree, type RawLayer } from './layers.ts';
import type { Config } from './model.ts';
import type { ConfigIssue } from './reader.ts';

/** Top-level keys a reload applies. */
export const RELOADABLE_KEYS: readonly string[] = ['defaultRoute', 'routes', 'flags', 'log'];

/** Why a key outside RELOADABLE_KEYS holds still; the rest share the generic reason. */
const WHY_FIXED: Readonly<Record<string, string>> = {
  listen: 'the proxy listener is bound at start',
  admin: 'the admin listener is bound at start',
  workers: 'the worker processes are forked at start',
  upstream: 'the connection pool to the app is built at start',
};

/** A config as loaded: the model, and the merged layers it was read from (keys as written, with their places). */
export interface LoadedConfig {
  readonly config: Config;
  readonly layer: RawLayer;
}

/**
 * Changes `next` makes that a reload cannot apply. Values are compared as read (`1s` and `1000ms` are
 * the same), and each change is named by the keys as written, where the new file has them.
 */
export function reloadIssues(current: LoadedConfig, next: LoadedConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const before = current.config as unknown as Record<string, unknown>;
  const after = next.config as unknown as Record<string, unknown>;
  for (const key of Object.keys(after)) {
    if (RELOADABLE_KEYS.includes(key) || JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    const written = changedPaths(key, current.layer.values[key], next.layer.values[key]);
    const message = `cannot change on reload (${WHY_FIXED[key] ?? 'it is applied at start'}): restart Sightline to change it`;
    for (const path of written.length > 0 ? written : [key]) {
      const origin = next.layer.origins.get(path) ?? current.layer.origins.get(path);
      issues.push(origin === undefined ? { path, message } : { path, message, origin });
    }
  }
  return issues;
}

/** The deepest key paths under `path` whose written values differ (maps compared key by key). */
function changedPaths(path: string, a: unknown, b: unknown): string[] {
  if (isTree(a) && isTree(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => changedPaths(`${path}.${k}`, a[k], b[k]));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}
