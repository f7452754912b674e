// The metric and label names Sightline exports, read from its metrics adapter, so a query that names a
// series Sightline never writes (a typo, a renamed label) fails here rather than on an empty panel.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const METRICS_SOURCE = fileURLToPath(new URL('../../../src/adapters/metrics-prom/', import.meta.url));

/** Labels the Prometheus Operator adds to every target, and the histogram bucket label. */
export const TARGET_LABELS: ReadonlySet<string> = new Set(['namespace', 'job', 'pod', 'instance', 'service', 'container', 'endpoint', 'le']);

/** Every quoted snake_case word in the metrics adapter's source: metric names, label names and values. */
export function exportedNames(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(METRICS_SOURCE).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(METRICS_SOURCE, file), 'utf8').matchAll(/'([a-z][a-z0-9_]*)'/g)) names.add(m[1] as string);
  }
  return names;
}

/** Sightline's series named in a PromQL expression, histogram suffixes removed (recording rules, with colons, skipped). */
export function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:http|sightline)_[a-z0-9_]*)\b(?!:)/g)].map((m) => (m[1] as string).replace(/_(bucket|count|sum)$/, ''));
}

/** Label names an expression groups or filters by. */
export function labelsIn(expr: string): string[] {
  const grouped = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => (m[1] as string).split(',').map((l) => l.trim()).filter(Boolean));
  const matched = [...expr.matchAll(/(\w+)\s*(?:=~|!~|!=|=)\s*"/g)].map((m) => m[1] as string);
  return [...grouped, ...matched];
}
