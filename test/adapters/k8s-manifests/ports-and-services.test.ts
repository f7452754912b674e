// Which port Sightline sends traffic to, which Services --take-port points at it, and how its health
// check follows the app's readiness probe.

import { describe, expect, it } from 'vitest';
import { documents, fixture, inject, injectOk, injected, podTemplates, sidecarOf, type Data } from './inject-fixtures.ts';

function upstreamOf(text: string): string {
  const [template] = podTemplates(documents(text));
  return sidecarOf(template as Data)?.container.args[2] as string;
}

function servicePorts(text: string, name: string): Data[] {
  const resources = documents(text).flatMap((doc) => (doc.kind === 'List' ? (doc.items as Data[]) : [doc]));
  const service = resources.find((r) => r.kind === 'Service' && r.metadata.name === name);
  return service?.spec.ports as Data[];
}

describe('the app port', () => {
  it('is the first containerPort of the first container by default', () => {
    expect(upstreamOf(injected(fixture('deployment.yaml')))).toBe('http://127.0.0.1:8080');
  });

  it('is --upstream-port when given, whatever the container declares', () => {
    expect(upstreamOf(injected(fixture('deployment.yaml'), { upstreamPort: 9090 }))).toBe('http://127.0.0.1:9090');
    expect(upstreamOf(injected(fixture('no-ports.yaml'), { upstreamPort: 3000 }))).toBe('http://127.0.0.1:3000');
  });

  it('is the port of the container named by --container', () => {
    const text = fixture('deployment.yaml').replace('        - name: log-shipper\n          image: fluent/fluent-bit:3.1.9\n', '        - name: log-shipper\n          image: fluent/fluent-bit:3.1.9\n          ports:\n            - containerPort: 2020\n');
    expect(upstreamOf(injected(text, { container: 'log-shipper' }))).toBe('http://127.0.0.1:2020');
  });

  it('is the --take-port port, by number or by the container port\'s name', () => {
    expect(upstreamOf(injected(fixture('deployment.yaml'), { takePort: 9090 }))).toBe('http://127.0.0.1:9090');
    expect(upstreamOf(injected(fixture('deployment.yaml'), { takePort: 'grpc' }))).toBe('http://127.0.0.1:9090');
    expect(upstreamOf(injected(fixture('deployment.yaml'), { takePort: 'grpc', upstreamPort: 9091 }))).toBe('http://127.0.0.1:9091');
  });
});

describe('--take-port and Services', () => {
  it('points a matching Service\'s targetPort (by number) at Sightline, and no other port or Service', () => {
    const out = injected(fixture('stream.yaml'), { takePort: 8080 });
    expect(servicePorts(out, 'checkout')).toEqual([
      { name: 'http', port: 80, targetPort: 'sightline' },
      { name: 'debug', port: 6060, targetPort: 6060 },
    ]);
    expect(servicePorts(out, 'payments')).toEqual([{ port: 80, targetPort: 8080 }]);
  });

  it('matches a targetPort that names the app port, given --take-port by number or by name', () => {
    for (const takePort of [8080, 'web']) {
      expect(servicePorts(injected(fixture('list.yaml'), { takePort }), 'catalog')).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'sightline' }]);
    }
  });

  it('adds targetPort to a Service port that has none (it targets its own port number)', () => {
    const result = injectOk(fixture('statefulset.yaml'), { takePort: 'http' });
    expect(servicePorts(result.text, 'ledger')).toEqual([{ name: 'http', port: 8080, targetPort: 'sightline' }]);
    expect(result.text).toContain('      port: 8080\n      targetPort: sightline\n');
    // A headless Service's clients dial the pods directly: targetPort does not route them.
    expect(result.warnings.map((w) => `${w.subject}: ${w.path}`)).toContain('document 1 (Service ledger): spec.clusterIP');
  });

  it('leaves a Service alone when its selector does not pick the pods, is empty, or is in another namespace', () => {
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n  namespace: one\nspec:\n  template:\n    metadata:\n      labels: {app: a, tier: web}\n    spec:\n      containers:\n        - name: a\n          ports: [{containerPort: 8080}]\n';
    const service = (name: string, selector: string, namespace = 'one'): string => `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  selector: ${selector}\n  ports:\n    - port: 80\n      targetPort: 8080\n`;
    const text = deployment + service('wider', '{app: a, tier: db}') + service('empty', '{}') + service('elsewhere', '{app: a}', 'two') + service('subset', '{app: a}');
    const out = injected(text, { takePort: 8080 });
    expect(servicePorts(out, 'wider')[0]?.targetPort).toBe(8080);
    expect(servicePorts(out, 'empty')[0]?.targetPort).toBe(8080);
    expect(servicePorts(out, 'elsewhere')[0]?.targetPort).toBe(8080);
    expect(servicePorts(out, 'subset')[0]?.targetPort).toBe('sightline');
  });

  it('leaves Services alone without --take-port', () => {
    const out = injected(fixture('stream.yaml'));
    expect(servicePorts(out, 'checkout')[0]?.targetPort).toBe(8080);
    expect(out.split('---')[3]).toBe(fixture('stream.yaml').split('---')[3]);
  });

  it('warns when no Service in the input sends traffic to the taken port', () => {
    const result = injectOk(fixture('job.yaml'), { takePort: 8081 });
    expect(result.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^--take-port 8081: no Service in the input selects the injected pods/)]);
  });
});

describe('Sightline\'s health check', () => {
  it('follows the app\'s http readiness probe on the taken port (by port name), and the app\'s probes stay as they were', () => {
    const input = podTemplates(documents(fixture('deployment.yaml')))[0] as Data;
    const template = podTemplates(documents(injected(fixture('deployment.yaml'), { takePort: 'http' })))[0] as Data;
    expect(sidecarOf(template)?.container.args).toEqual(['run', '--upstream', 'http://127.0.0.1:8080', '--set', 'health.type=http', '--set', 'health.path=/ready']);
    expect(template.spec.containers[0].readinessProbe).toEqual(input.spec.containers[0].readinessProbe);
    expect(template.spec.containers[0].livenessProbe).toEqual(input.spec.containers[0].livenessProbe);
  });

  it('follows a readiness probe given by port number', () => {
    const template = podTemplates(documents(injected(fixture('list.yaml'), { takePort: 'web' })))[0] as Data;
    expect(sidecarOf(template)?.container.args.slice(3)).toEqual(['--set', 'health.type=http', '--set', 'health.path=/healthz/ready']);
  });

  it('stays a TCP check without --take-port, or when the probe is on another port', () => {
    expect(sidecarOf(podTemplates(documents(injected(fixture('deployment.yaml'))))[0] as Data)?.container.args).toHaveLength(3);
    expect(sidecarOf(podTemplates(documents(injected(fixture('deployment.yaml'), { takePort: 'grpc' })))[0] as Data)?.container.args).toHaveLength(3);
  });
});

describe('ports Sightline needs', () => {
  it('refuses a pod whose containers already use 15000 or 15001, or an app on one of them', () => {
    const clash = fixture('deployment.yaml').replace('          image: fluent/fluent-bit:3.1.9\n', '          image: fluent/fluent-bit:3.1.9\n          ports:\n            - containerPort: 15001\n');
    const result = inject(clash);
    expect(result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      expect.stringMatching(/^spec\.template\.spec\.containers\[1\]\.ports\[0\]: containerPort 15001 is one Sightline listens on/),
    ]);
    const appOnAdminPort = inject(fixture('job.yaml'), { upstreamPort: 15000 });
    expect(appOnAdminPort.ok ? [] : appOnAdminPort.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^the app's port 15000 is one Sightline listens on/)]);
  });
});
