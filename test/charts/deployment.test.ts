// The pod the chart deploys: the canonical Sightline container (the one `sightline inject` writes too),
// where it goes in native and classic mode, the app's preStop sleep and the grace period check, the
// config checksum, and the Service and ConfigMap it is wired to.

import { describe, expect, it } from 'vitest';
import { chartYaml, defaultValues, strippedManifest, template, withValues, type Values } from './support/chart.ts';
import { actionsOf, blockOf } from './support/go-template.ts';
import { sidecarContainer } from '../../src/adapters/k8s-manifests/sidecar-container.ts';

/**
 * The container `sightline inject` writes, so the two cannot drift apart, less what the chart sets its
 * own way: the image (from values), the args (a mounted config file) and restartPolicy (native mode only).
 */
const { image: _image, args: _args, restartPolicy: _restartPolicy, ...CANONICAL } = sidecarContainer({ image: 'any', appPort: 8080, native: true });


type Container = Record<string, unknown> & { name?: string };
interface PodSpec { initContainers?: Container[] | null; containers: Container[]; volumes: Record<string, unknown>[]; terminationGracePeriodSeconds: unknown }

function podSpec(values: Values, decide?: (body: string) => boolean | undefined): PodSpec {
  const [deployment] = strippedManifest('deployment.yaml', values, decide);
  return (deployment as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

// The one condition the stripper cannot decide from values alone: initContainers exist in native mode
// or when the user gives some.
const classicWithoutInit = (body: string): boolean | undefined => (body.startsWith('if or .Values.initContainers') ? false : undefined);

const deployment = template('deployment.yaml');

describe('the Sightline container', () => {
  it('is the canonical one, with the default resources', () => {
    const sidecar = podSpec(defaultValues()).initContainers?.find((c) => c.name === 'sightline');
    expect(sidecar).toMatchObject(CANONICAL);
    expect(sidecar?.args).toEqual(['run', '--config', '/etc/sightline/sightline.yaml']);
    expect(sidecar?.image).toBeDefined();
    expect(sidecar?.volumeMounts).toEqual([{ name: 'sightline-config', mountPath: '/etc/sightline', readOnly: true }]);
  });

  it('reads its config from where the ConfigMap is mounted', () => {
    const [configMap] = strippedManifest('configmap.yaml');
    const sidecar = podSpec(defaultValues()).initContainers?.find((c) => c.name === 'sightline') as { args: string[]; volumeMounts: { mountPath: string }[] };
    const fileName = Object.keys((configMap as { data: Record<string, unknown> }).data)[0];
    expect(sidecar.args.at(-1)).toBe(`${sidecar.volumeMounts[0]?.mountPath}/${fileName}`);
    const volume = podSpec(defaultValues()).volumes.find((v) => v.name === 'sightline-config');
    expect(volume).toHaveProperty('configMap.name');
    // The volume and the ConfigMap are named by the same helper.
    expect(deployment).toMatch(/configMap:\n\s+name: \{\{ include "sightline\.fullname" \. \}\}/);
    expect(template('configmap.yaml')).toMatch(/name: \{\{ include "sightline\.fullname" \. \}\}/);
  });

  it('defaults its image tag to the chart appVersion', () => {
    expect(template('_helpers.tpl')).toContain('.Values.sightline.image.tag | default .Chart.AppVersion');
  });
});

describe('native mode (the default)', () => {
  it('lists Sightline as a restartable init container, and only the app in containers', () => {
    const spec = podSpec(defaultValues());
    expect(spec.initContainers?.map((c) => [c.name, c.restartPolicy])).toEqual([['sightline', 'Always']]);
    expect(spec.containers.map((c) => c.name)).toEqual(['app']);
  });

  it('puts it after the user\'s own init containers, so those run first', () => {
    const spec = podSpec(withValues({ initContainers: [{ name: 'migrate', image: 'example/migrate:1' }] }));
    expect(spec.initContainers?.map((c) => c.name)).toEqual(['migrate', 'sightline']);
  });

  it('does so only inside `if eq .Values.sightline.mode "native"`', () => {
    const block = blockOf(deployment, 'if eq .Values.sightline.mode "native"');
    expect(block).toContain('{{- include "sightline.sidecarContainer" . | nindent 10 }}');
    expect(block).toMatch(/^\s+restartPolicy: Always$/m);
    expect(blockOf(deployment, 'if or .Values.initContainers (eq .Values.sightline.mode "native")')).toContain(block);
  });
});

describe('classic mode', () => {
  it('makes Sightline a second container, without restartPolicy, and no init container', () => {
    const spec = podSpec(withValues({ sightline: { mode: 'classic' } }), classicWithoutInit);
    expect(spec.containers.map((c) => c.name)).toEqual(['app', 'sightline']);
    expect(spec.containers[1]).toMatchObject(CANONICAL);
    expect(spec.containers[1]).not.toHaveProperty('restartPolicy');
    expect(spec.initContainers ?? []).toEqual([]);
  });
});

describe('shutdown', () => {
  it('gives the app a preStop sleep of app.preStopSleepSeconds, or the drain delay when that is null', () => {
    const app = podSpec(defaultValues()).containers[0];
    expect(app).toHaveProperty('lifecycle.preStop.sleep.seconds');
    expect(defaultValues()).toMatchObject({ app: { preStopSleepSeconds: null }, sightline: { drain: { delaySeconds: 5, timeoutSeconds: 20 } } });
    const helper = blockOf(template('_config.tpl'), 'define "sightline.preStopSleepSeconds"');
    expect(helper).toMatch(/if kindIs "invalid" \.Values\.app\.preStopSleepSeconds \}\}\n\{\{- int \.Values\.sightline\.drain\.delaySeconds/);
    // 0 turns the hook off: the sleep branch is guarded by it.
    expect(deployment).toMatch(/\{\{- else if gt \$preStopSleep 0 \}\}[\s\S]*sleep:\n\s+seconds: \{\{ \$preStopSleep \}\}/);
  });

  it('uses app.lifecycle instead when given', () => {
    const lifecycle = { preStop: { exec: { command: ['/bin/sleep', '10'] } } };
    const app = podSpec(withValues({ app: { lifecycle } })).containers[0];
    expect(app?.lifecycle).toEqual(lifecycle);
  });

  it('refuses a grace period shorter than preStop sleep + drain delay + drain timeout', () => {
    const check = blockOf(template('_config.tpl'), 'define "sightline.checkValues"');
    expect(check).toContain('{{- $needed := add $sleep $delay $timeout | int }}');
    expect(check).toContain('{{- $grace := int .Values.terminationGracePeriodSeconds }}');
    expect(blockOf(check, 'if lt $grace $needed')).toMatch(/\{\{- fail \(printf "terminationGracePeriodSeconds is %d but must be at least %d/);
    expect(actionsOf(deployment)[0]?.body).toBe('include "sightline.checkValues" .');
  });

  it('has defaults (and an example) that pass that check', () => {
    for (const values of [defaultValues(), withValues(chartYaml('examples/values.yaml') as Values)]) {
      const { app, sightline, terminationGracePeriodSeconds } = values as { app: { preStopSleepSeconds: number | null }; sightline: { drain: { delaySeconds: number; timeoutSeconds: number } }; terminationGracePeriodSeconds: number };
      const sleep = app.preStopSleepSeconds ?? sightline.drain.delaySeconds;
      expect(terminationGracePeriodSeconds).toBeGreaterThanOrEqual(sleep + sightline.drain.delaySeconds + sightline.drain.timeoutSeconds);
    }
  });

  it('refuses native mode before Kubernetes 1.29 and the sleep action before 1.30', () => {
    const check = blockOf(template('_config.tpl'), 'define "sightline.checkValues"');
    expect(check).toContain('(eq .Values.sightline.mode "native") (semverCompare "<1.29.0-0" $kube)');
    expect(check).toContain('(semverCompare "<1.30.0-0" $kube)');
  });
});

describe('wiring', () => {
  it('rolls the pods when the config changes (checksum of the rendered ConfigMap)', () => {
    expect(deployment).toContain('checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}');
    const [d] = strippedManifest('deployment.yaml');
    expect(d).toHaveProperty(['spec', 'template', 'metadata', 'annotations', 'checksum/config']);
  });

  it('points the Service at Sightline\'s named port, and adds the admin port only for a ServiceMonitor', () => {
    const ports = (values: Values): unknown[] => ((strippedManifest('service.yaml', values)[0] as { spec: { ports: unknown[] } }).spec.ports);
    expect(ports(defaultValues())).toEqual([{ name: 'http', port: expect.anything(), targetPort: 'sightline', protocol: 'TCP' }]);
    expect(ports(withValues({ serviceMonitor: { enabled: true } }))).toEqual([
      { name: 'http', port: expect.anything(), targetPort: 'sightline', protocol: 'TCP' },
      { name: 'sightline-admin', port: 15000, targetPort: 'sightline-admin', protocol: 'TCP' },
    ]);
  });

  it('selects the pods by the same labels in the Deployment and the Service', () => {
    const [d] = strippedManifest('deployment.yaml');
    const [s] = strippedManifest('service.yaml');
    const selector = (d as { spec: { selector: { matchLabels: object } } }).spec.selector.matchLabels;
    const podLabels = (d as { spec: { template: { metadata: { labels: object } } } }).spec.template.metadata.labels;
    expect(Object.keys(selector).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    expect(Object.keys((s as { spec: { selector: object } }).spec.selector)).toEqual(Object.keys(selector));
    expect(Object.keys(podLabels)).toEqual(expect.arrayContaining(Object.keys(selector)));
  });

  it('renders the chart-owned keys of Sightline\'s config: listen, admin, upstream, health, drain', () => {
    const config = blockOf(template('_config.tpl'), 'define "sightline.config"');
    expect(config).toContain('"listen" "0.0.0.0:15001" "admin" "0.0.0.0:15000"');
    expect(config).toContain('(printf "http://127.0.0.1:%d" (int .Values.app.port))');
    expect(config).toContain('dict "type" "http" "path" .');
    expect(config).toContain('(printf "%ds" (int .Values.sightline.drain.delaySeconds))');
    // The user's config is merged first and the chart's keys over it, so they always win.
    expect(config).toContain('{{- toYaml (mustMergeOverwrite $user $owned) }}');
    expect(template('configmap.yaml')).toMatch(/sightline\.yaml: \|\n\s{4}\{\{- include "sightline\.config" \. \| nindent 4 \}\}/);
  });
});
