// Every template, read without Helm: it strips to YAML of the expected kinds, and everything it refers
// to exists (values, helpers, chart files, template functions), and block helpers are indented where
// they land.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART_DIR, chartDefines, chartYaml, defaultValues, manifestTemplates, strippedManifest, template, templateFiles, withValues, type Values } from './support/chart.ts';
import { actionsOf } from './support/go-template.ts';
import { HELM_FUNCTIONS, TEMPLATE_KEYWORDS } from './support/helm-functions.ts';

/** Each manifest, what it renders, and the values that switch it on (none: on by default). */
const expectedKinds: Record<string, { apiVersion: string; kind: string; switchedOnBy?: Values }> = {
  'configmap.yaml': { apiVersion: 'v1', kind: 'ConfigMap' },
  'deployment.yaml': { apiVersion: 'apps/v1', kind: 'Deployment' },
  'service.yaml': { apiVersion: 'v1', kind: 'Service' },
  'serviceaccount.yaml': { apiVersion: 'v1', kind: 'ServiceAccount', switchedOnBy: { serviceAccount: { create: true } } },
  'servicemonitor.yaml': { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', switchedOnBy: { serviceMonitor: { enabled: true } } },
  'podmonitor.yaml': { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', switchedOnBy: { podMonitor: { enabled: true } } },
  'prometheusrule.yaml': { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', switchedOnBy: { prometheusRule: { enabled: true } } },
  'grafana-dashboard.yaml': { apiVersion: 'v1', kind: 'ConfigMap', switchedOnBy: { grafanaDashboard: { enabled: true } } },
};

/** Every action of every template file (helpers and NOTES.txt included), with the file it is in. */
function allActions(): { file: string; body: string }[] {
  return templateFiles().flatMap((file) => actionsOf(template(file)).map((a) => ({ file, body: a.body })));
}

describe('Chart.yaml', () => {
  it('names the chart and the Kubernetes versions it supports', () => {
    expect(chartYaml('Chart.yaml')).toMatchObject({ apiVersion: 'v2', name: 'sightline', version: '0.1.0', appVersion: '0.1.0', kubeVersion: '>=1.25.0-0', type: 'application' });
  });

  it('ships the Sightline this repository builds: appVersion (the default image tag) is package.json\'s version', () => {
    const pkg = JSON.parse(readFileSync(join(CHART_DIR, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(chartYaml('Chart.yaml')).toHaveProperty('appVersion', pkg.version);
  });
});

describe('manifest templates', () => {
  it('are exactly the expected files', () => {
    expect(manifestTemplates()).toEqual(Object.keys(expectedKinds).sort());
  });

  it.each(Object.entries(expectedKinds))('%s strips to one document of its kind, or none while switched off', (file, expected) => {
    const byDefault = strippedManifest(file, defaultValues());
    expect(byDefault).toHaveLength(expected.switchedOnBy === undefined ? 1 : 0);
    const on = strippedManifest(file, withValues(expected.switchedOnBy ?? {}));
    expect(on).toHaveLength(1);
    expect(on[0]).toMatchObject({ apiVersion: expected.apiVersion, kind: expected.kind, metadata: { name: expect.any(String) } });
    expect(on[0]?.metadata).toHaveProperty('labels.app\\.kubernetes\\.io/instance');
  });

  it('strip to the app, its Service and config, and every monitoring object with the example values', () => {
    const example = withValues(chartYaml('examples/values.yaml') as Values);
    const kinds = manifestTemplates().flatMap((file) => strippedManifest(file, example).map((doc) => doc.kind));
    expect(kinds.sort()).toEqual(['ConfigMap', 'ConfigMap', 'Deployment', 'PrometheusRule', 'Service', 'ServiceMonitor']);
  });
});

describe('references in the templates', () => {
  it('every .Values path exists in values.yaml', () => {
    const values = defaultValues();
    const missing = new Set<string>();
    for (const { file, body } of allActions()) {
      for (const m of body.matchAll(/\.Values((?:\.[A-Za-z_]\w*)+)/g)) {
        let node: unknown = values;
        for (const key of (m[1] as string).split('.').slice(1)) {
          if (node === null || typeof node !== 'object' || !(key in node)) {
            missing.add(`${file}: .Values${m[1]}`);
            break;
          }
          node = (node as Record<string, unknown>)[key];
        }
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('every include names a define of the helper files, and every define is used', () => {
    const defined = new Set(chartDefines().keys());
    const included = new Set(allActions().flatMap(({ body }) => [...body.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)].map((m) => m[1] as string)));
    expect([...included].filter((name) => !defined.has(name))).toEqual([]);
    expect([...defined].filter((name) => !included.has(name))).toEqual([]);
    expect(defined).toContain('sightline.fullname');
  });

  it('every function called is a Helm template function (catches toYml, nindnet, ...)', () => {
    const unknown = new Set<string>();
    for (const { file, body } of allActions()) {
      if (body.startsWith('/*')) continue;
      const code = body.replaceAll(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
      for (const m of code.matchAll(/(?:^|[\s(|])([A-Za-z_]\w*)/g)) {
        const word = m[1] as string;
        if (!HELM_FUNCTIONS.has(word) && !TEMPLATE_KEYWORDS.has(word)) unknown.add(`${file}: ${word}`);
      }
    }
    expect([...unknown]).toEqual([]);
  });

  it('every chart file read with .Files.Get exists', () => {
    const paths = allActions().flatMap(({ body }) => [...body.matchAll(/\.Files\.Get\s+"([^"]+)"/g)].map((m) => m[1] as string));
    expect(paths.sort()).toEqual(['files/alerts.yaml', 'files/grafana-dashboard.json']);
    for (const path of paths) expect(existsSync(join(CHART_DIR, path)), path).toBe(true);
  });

  it('a block written with nindent N sits at column N (or is a list item whose mapping starts there)', () => {
    const misplaced: string[] = [];
    for (const file of templateFiles()) {
      for (const line of template(file).split('\n')) {
        const n = /\|\s*nindent\s+(\d+)\s*-?\}\}/.exec(line)?.[1];
        if (n === undefined) continue;
        const before = line.slice(0, line.indexOf('{{'));
        const column = before.trim() === '-' ? before.indexOf('-') + 2 : before.length;
        if (before.trim() !== '' && before.trim() !== '-') misplaced.push(`${file}: inline nindent: ${line.trim()}`);
        else if (column !== Number(n)) misplaced.push(`${file}: at column ${column}, nindent ${n}: ${line.trim()}`);
      }
    }
    expect(misplaced).toEqual([]);
  });
});
