// Where inject puts the sidecar, and what the sidecar is, for every kind of workload it knows.

import { describe, expect, it } from 'vitest';
import { ALL_FIXTURES, IMAGE, documents, fixture, injectOk, injected, podTemplates, sidecarOf, type Data } from './inject-fixtures.ts';

/** The sidecar the Helm chart adds too, for an app on port 8080. */
const CANONICAL = {
  name: 'sightline',
  image: IMAGE,
  args: ['run', '--upstream', 'http://127.0.0.1:8080'],
  ports: [{ name: 'sightline', containerPort: 15001 }, { name: 'sightline-admin', containerPort: 15000 }],
  readinessProbe: { httpGet: { path: '/readyz', port: 'sightline-admin' }, periodSeconds: 2 },
  livenessProbe: { httpGet: { path: '/healthz', port: 'sightline-admin' }, periodSeconds: 10 },
  resources: { requests: { cpu: '100m', memory: '160Mi' }, limits: { memory: '320Mi' } },
  securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
};

const NATIVE_ONLY = {
  restartPolicy: 'Always',
  startupProbe: { httpGet: { path: '/healthz', port: 'sightline-admin' }, periodSeconds: 1, failureThreshold: 30 },
};

function onlyTemplate(text: string): Data {
  const templates = podTemplates(documents(text));
  expect(templates).toHaveLength(1);
  return templates[0] as Data;
}

describe('native sidecar (the default)', () => {
  it('goes last among the init containers, so migrations run first, and the app containers are left alone', () => {
    const input = onlyTemplate(fixture('deployment.yaml'));
    const template = onlyTemplate(injected(fixture('deployment.yaml')));
    expect(template.spec.initContainers.map((c: Data) => c.name)).toEqual(['migrate', 'sightline']);
    expect(template.spec.initContainers[0]).toEqual(input.spec.initContainers[0]);
    expect(template.spec.containers).toEqual(input.spec.containers);
  });

  it('is the canonical container with restartPolicy Always and a startup probe on /healthz', () => {
    const template = onlyTemplate(injected(fixture('deployment.yaml')));
    expect(template.spec.initContainers[1]).toEqual({ ...CANONICAL, ...NATIVE_ONLY });
  });

  it('creates initContainers when the pod has none', () => {
    const template = onlyTemplate(injected(fixture('statefulset.yaml')));
    expect(template.spec.initContainers).toEqual([{ ...CANONICAL, ...NATIVE_ONLY }]);
    expect(template.spec.containers.map((c: Data) => c.name)).toEqual(['ledger']);
  });

  it('replaces an empty initContainers list', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers: []\n  containers:\n    - name: app\n      image: app:1\n      ports: [{containerPort: 8080}]\n';
    const template = onlyTemplate(injected(text));
    expect(template.spec.initContainers.map((c: Data) => c.name)).toEqual(['sightline']);
  });

  it('uses --image when given', () => {
    const template = onlyTemplate(injected(fixture('job.yaml'), { image: 'registry.internal/sightline:pinned' }));
    expect(sidecarOf(template)?.container.image).toBe('registry.internal/sightline:pinned');
  });
});

describe('classic sidecar (--classic)', () => {
  it('is appended to containers as the last container, without a startup probe or restartPolicy', () => {
    const template = onlyTemplate(injected(fixture('deployment.yaml'), { native: false }));
    expect(template.spec.containers.map((c: Data) => c.name)).toEqual(['api', 'log-shipper', 'sightline']);
    expect(template.spec.containers[2]).toEqual(CANONICAL);
    expect(template.spec.initContainers.map((c: Data) => c.name)).toEqual(['migrate']);
  });
});

describe('every kind of workload', () => {
  const cases: [string, string, number][] = [
    ['StatefulSet', 'statefulset.yaml', 8080],
    ['DaemonSet', 'daemonset.yaml', 9100],
    ['Job', 'job.yaml', 8081],
    ['CronJob (spec.jobTemplate.spec.template)', 'cronjob.yaml', 3000],
    ['bare Pod', 'pod.yaml', 5678],
    ['Deployment in a List', 'list.yaml', 8080],
    ['Deployment in a multi-document stream', 'stream.yaml', 8080],
    ['Deployment written as JSON', 'deployment.json', 7000],
  ];
  it.each(cases)('%s gets the sidecar, sent to the app\'s first port', (_kind, file, port) => {
    for (const native of [true, false]) {
      const template = onlyTemplate(injected(fixture(file), { native }));
      const sidecar = sidecarOf(template);
      expect(sidecar?.list).toBe(native ? 'initContainers' : 'containers');
      expect(sidecar?.container.args).toEqual(['run', '--upstream', `http://127.0.0.1:${port}`]);
      expect(sidecar?.container.restartPolicy).toBe(native ? 'Always' : undefined);
    }
  });

  it('leaves documents of other kinds alone and says when there was nothing to inject', () => {
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n';
    const result = injectOk(configMap);
    expect(result.text).toBe(configMap);
    expect(result.warnings.map((w) => w.message)).toEqual([expect.stringContaining('found no pod template to inject into')]);
  });

  it('writes output that parses, with exactly one sidecar per pod template, for every fixture', () => {
    for (const file of ALL_FIXTURES) {
      const templates = podTemplates(documents(injected(fixture(file))));
      expect(templates.length, file).toBeGreaterThan(0);
      for (const template of templates) {
        const names = [...(template.spec.initContainers ?? []), ...template.spec.containers].map((c: Data) => c.name);
        expect(names.filter((n: string) => n === 'sightline'), file).toHaveLength(1);
      }
    }
  });
});

describe('annotations', () => {
  it('adds the scrape annotations and the injected version to the pod template, keeping its own', () => {
    const template = onlyTemplate(injected(fixture('deployment.yaml')));
    expect(template.metadata.annotations).toEqual({
      'kubectl.kubernetes.io/default-container': 'api',
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '15000',
      'prometheus.io/path': '/metrics',
      'sightline.dev/injected': '0.1.0',
    });
  });

  it('creates the annotations, and the template\'s metadata, when missing', () => {
    expect(onlyTemplate(injected(fixture('statefulset.yaml'))).metadata).toEqual({
      labels: { app: 'ledger' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '15000', 'prometheus.io/path': '/metrics', 'sightline.dev/injected': '0.1.0' },
    });
    const job = injected(fixture('job.yaml'));
    expect(onlyTemplate(job).metadata.annotations['prometheus.io/port']).toBe('15000');
    // Written before the template's spec, where a reader looks for it.
    expect(job.indexOf('    metadata:\n      annotations:')).toBeLessThan(job.indexOf('    spec:\n      restartPolicy'));
  });

  it('keeps the pod\'s own prometheus.io annotations (they describe the app\'s scrape target) and still marks it injected', () => {
    const template = onlyTemplate(injected(fixture('daemonset.yaml')));
    expect(template.metadata.annotations).toEqual({ 'prometheus.io/port': '9100', 'prometheus.io/scrape': 'true', 'sightline.dev/injected': '0.1.0' });
  });
});
