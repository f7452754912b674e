// The monitoring objects, each off by default: ServiceMonitor and PodMonitor scrape the sidecar's admin
// port, the PrometheusRule carries files/alerts.yaml plus the SLO rules given, and the dashboard
// ConfigMap carries files/grafana-dashboard.json with the label Grafana's sidecar looks for.

import { describe, expect, it } from 'vitest';
import { chartFile, defaultValues, strippedManifest, template, withValues } from './support/chart.ts';
import { blockOf } from './support/go-template.ts';

const SELECTOR_KEYS = ['app.kubernetes.io/instance', 'app.kubernetes.io/name'];

describe('monitoring switches', () => {
  it('are all off by default', () => {
    const values = defaultValues() as Record<string, { enabled: boolean }>;
    for (const key of ['serviceMonitor', 'podMonitor', 'prometheusRule', 'grafanaDashboard']) expect(values[key]?.enabled, key).toBe(false);
  });

  it('refuse a ServiceMonitor and a PodMonitor together (every pod would be scraped twice)', () => {
    const check = blockOf(template('_config.tpl'), 'define "sightline.checkValues"');
    expect(blockOf(check, 'if and .Values.serviceMonitor.enabled .Values.podMonitor.enabled')).toContain('fail');
  });
});

describe('ServiceMonitor', () => {
  const [monitor] = strippedManifest('servicemonitor.yaml', withValues({ serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } }));

  it('scrapes /metrics on the Service port sightline-admin', () => {
    expect(monitor).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { labels: { release: 'kube-prometheus-stack' } },
      spec: { endpoints: [{ port: 'sightline-admin', path: '/metrics' }] },
    });
    expect(Object.keys((monitor as { spec: { selector: { matchLabels: object } } }).spec.selector.matchLabels).sort()).toEqual(SELECTOR_KEYS);
  });

  it('names a port the Service and the container both have', () => {
    const [service] = strippedManifest('service.yaml', withValues({ serviceMonitor: { enabled: true } }));
    expect((service as { spec: { ports: { name: string }[] } }).spec.ports.map((p) => p.name)).toContain('sightline-admin');
    expect(template('_sidecar.tpl')).toContain('- { name: sightline-admin, containerPort: 15000 }');
  });
});

describe('PodMonitor', () => {
  it('scrapes /metrics on each pod\'s sightline-admin container port', () => {
    const [monitor] = strippedManifest('podmonitor.yaml', withValues({ podMonitor: { enabled: true, labels: { team: 'web' } } }));
    expect(monitor).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { labels: { team: 'web' } },
      spec: { podMetricsEndpoints: [{ port: 'sightline-admin', path: '/metrics' }] },
    });
    expect(Object.keys((monitor as { spec: { selector: { matchLabels: object } } }).spec.selector.matchLabels).sort()).toEqual(SELECTOR_KEYS);
  });
});

describe('PrometheusRule', () => {
  const rule = template('prometheusrule.yaml');

  it('is a PrometheusRule with a groups list under spec', () => {
    const [doc] = strippedManifest('prometheusrule.yaml', withValues({ prometheusRule: { enabled: true } }));
    expect(doc).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', spec: {} });
    expect(doc?.spec).toHaveProperty('groups');
    expect(rule).toMatch(/^spec:\n {2}groups:\n {4}\{\{- toYaml \$groups \| nindent 4 \}\}$/m);
  });

  it('starts from the groups of files/alerts.yaml', () => {
    expect(rule).toContain('{{- $groups := (.Files.Get "files/alerts.yaml" | fromYaml).groups }}');
  });

  it('appends the groups of prometheusRule.sloRules, refusing text that is not a rule file', () => {
    const slo = blockOf(rule, 'with .Values.prometheusRule.sloRules');
    expect(slo).toContain('{{- $slo := fromYaml . }}');
    expect(blockOf(slo, 'if hasKey $slo "Error"')).toContain('fail');
    expect(blockOf(slo, 'if not (kindIs "slice" $slo.groups)')).toContain('fail');
    expect(slo).toContain('{{- $groups = concat $groups $slo.groups }}');
  });

  it('refuses two groups of one name (Prometheus would refuse the whole object)', () => {
    expect(blockOf(rule, 'range $groups')).toMatch(/if has \.name \$names[\s\S]*fail/);
  });
});

describe('Grafana dashboard ConfigMap', () => {
  const [configMap] = strippedManifest('grafana-dashboard.yaml', withValues({ grafanaDashboard: { enabled: true } }));

  it('carries the grafana_dashboard label the sidecar picks up', () => {
    expect(configMap).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { labels: { grafana_dashboard: '1' } } });
  });

  it('holds files/grafana-dashboard.json, intact', () => {
    const data = (configMap as { data: Record<string, string> }).data;
    expect(Object.keys(data)).toEqual(['sightline-dashboard.json']);
    expect(JSON.parse(data['sightline-dashboard.json'] as string)).toEqual(JSON.parse(chartFile('files/grafana-dashboard.json')));
  });
});
