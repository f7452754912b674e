// The chart's files, read straight from charts/sightline.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { decideFromValues, definesOf, stripTemplate, type StripOptions } from './go-template.ts';

export const CHART_DIR = fileURLToPath(new URL('../../../charts/sightline/', import.meta.url));

export function chartFile(relative: string): string {
  return readFileSync(join(CHART_DIR, relative), 'utf8');
}

export function chartYaml(relative: string): unknown {
  return parse(chartFile(relative));
}

export type Values = Record<string, unknown>;

export function defaultValues(): Values {
  return chartYaml('values.yaml') as Values;
}

/** File names under templates/: helpers (_*.tpl), manifests (*.yaml) and NOTES.txt. */
export function templateFiles(): string[] {
  return readdirSync(join(CHART_DIR, 'templates')).sort();
}

export function manifestTemplates(): string[] {
  return templateFiles().filter((f) => f.endsWith('.yaml'));
}

export function helperTemplates(): string[] {
  return templateFiles().filter((f) => f.startsWith('_') && f.endsWith('.tpl'));
}

export function template(name: string): string {
  return chartFile(join('templates', name));
}

export function chartDefines(): Map<string, string> {
  return definesOf(...helperTemplates().map(template));
}

/**
 * A manifest template stripped (see go-template.ts) and parsed: one object per YAML document.
 * `values` decides the simple conditions (`if .Values.x`, `if eq .Values.x "y"`, `with .Values.x`) the
 * way Helm would with those values; `decide` overrides single conditions first.
 */
export function strippedManifest(name: string, values: Values = defaultValues(), decide: StripOptions['decide'] = () => undefined): Record<string, unknown>[] {
  const fromValues = decideFromValues(values);
  const text = stripTemplate(template(name), {
    defines: chartDefines(),
    files: chartFile,
    values,
    decide: (body) => decide(body) ?? fromValues(body),
  });
  return parseAllDocuments(text, { uniqueKeys: false })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${name}: ${doc.errors.map((e) => e.message).join('; ')}\n${text}`);
      return doc.toJS() as Record<string, unknown> | null;
    })
    .filter((doc): doc is Record<string, unknown> => doc !== null);
}

/** Deep-merges `override` into a copy of `base` (maps merge, everything else replaces), like Helm's -f. */
export function withValues(override: Values, base: Values = defaultValues()): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const old = merged[key];
    merged[key] = isMap(old) && isMap(value) ? withValues(value, old) : value;
  }
  return merged;
}

function isMap(v: unknown): v is Values {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
