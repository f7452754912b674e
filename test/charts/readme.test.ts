// The chart README's values table lists every setting values.yaml has, with the same default, so the
// table cannot drift from the chart.

import { describe, expect, it } from 'vitest';
import { chartFile, defaultValues } from './support/chart.ts';

interface Schema { $ref?: string; properties?: Record<string, Schema>; additionalProperties?: unknown; definitions?: Record<string, Schema> }
const schema = JSON.parse(chartFile('values.schema.json')) as Schema;

/** Settings as the README names them: dotted paths down to where the schema stops listing keys (resources are one setting). */
function settings(value: unknown, node: Schema, path: string, out: Map<string, unknown>): Map<string, unknown> {
  const ref = node.$ref?.split('/').at(-1);
  const resolved = ref === undefined ? node : (schema.definitions?.[ref] ?? {});
  const structured = resolved.properties !== undefined && resolved.additionalProperties === false && ref !== 'resources';
  if (!structured || value === null || typeof value !== 'object') {
    out.set(path, value);
    return out;
  }
  for (const [key, child] of Object.entries(resolved.properties ?? {})) {
    if (key in value) settings((value as Record<string, unknown>)[key], child, path === '' ? key : `${path}.${key}`, out);
  }
  return out;
}

describe('charts/sightline/README.md', () => {
  const rows = new Map([...chartFile('README.md').matchAll(/^\| `([\w.]+)` \| (.*?) \|/gm)].map((m) => [m[1] as string, m[2] as string]));
  const values = settings(defaultValues(), schema, '', new Map());

  it('has a row for every setting of values.yaml, and none for settings that do not exist', () => {
    expect([...values.keys()].filter((key) => !rows.has(key))).toEqual([]);
    expect([...rows.keys()].filter((key) => !values.has(key))).toEqual([]);
    expect(values.size).toBeGreaterThan(50);
  });

  it('gives each the default values.yaml has', () => {
    const wrong = [...values].filter(([key, value]) => {
      const cell = rows.get(key) ?? '';
      // A default written as code must be exact; prose is allowed only for a structured default.
      return cell.startsWith('`') ? cell !== `\`${JSON.stringify(value)}\`` : value === null || typeof value !== 'object';
    });
    expect(wrong.map(([key, value]) => `${key}: README ${rows.get(key)}, values.yaml ${JSON.stringify(value)}`)).toEqual([]);
  });
});
