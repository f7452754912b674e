// What inject refuses, and what it warns about: each message names the document, the path and the line.

import { describe, expect, it } from 'vitest';
import { formatProblem, type Problem } from '../../../src/adapters/k8s-manifests/problems.ts';
import type { InjectOptions } from '../../../src/adapters/k8s-manifests/inject-options.ts';
import { fixture, inject, injectOk } from './inject-fixtures.ts';

function errorsOf(text: string, options: Partial<InjectOptions> = {}): string[] {
  const result = inject(text, options);
  if (result.ok) throw new Error('expected inject to fail');
  return result.errors.map((e) => formatProblem('in.yaml', e));
}

function warningsOf(text: string, options: Partial<InjectOptions> = {}): Problem[] {
  return [...injectOk(text, options).warnings];
}

describe('errors', () => {
  it('name the document, the resource, the path and the line', () => {
    expect(errorsOf(fixture('bad-containers.yaml'))).toEqual(['in.yaml:22:9: document 2 (Deployment web): spec.template.spec.containers: must be a list']);
  });

  it('a pod whose app container has no port, and no --upstream-port', () => {
    expect(errorsOf(fixture('no-ports.yaml'))).toEqual([
      'in.yaml:15:11: document 1 (Deployment worker): spec.template.spec.containers[0]: has no containerPort to send traffic to: give the app\'s port with --upstream-port (or --take-port)',
    ]);
  });

  it('a YAML syntax error, with its line and column', () => {
    expect(errorsOf(fixture('syntax-error.yaml'))).toEqual([expect.stringMatching(/^in\.yaml:12:1: document 1: YAML syntax error: Flow sequence in block collection must be .* end with a \]$/)]);
    expect(errorsOf('kind: Pod\nspec:\n  containers: []\n---\nkind: Pod\n  bad: indent\n')).toEqual(['in.yaml:5:7: document 2: YAML syntax error: Nested mappings are not allowed in compact mappings']);
  });

  it('every resource that cannot be injected, in a List and across documents', () => {
    const list = fixture('list.yaml').replace('          ports:\n          - containerPort: 8080\n            name: web\n            protocol: TCP\n', '          ports: oops\n');
    const text = `${list}---\n${fixture('no-ports.yaml')}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bare\nspec:\n  replicas: 1\n`;
    expect(errorsOf(text)).toEqual([
      'in.yaml:22:18: document 1 (List), items[0] (Deployment catalog): spec.template.spec.containers[0].ports: must be a list',
      expect.stringMatching(/^in\.yaml:58:11: document 2 \(Deployment worker\): spec\.template\.spec\.containers\[0\]: has no containerPort/),
      'in.yaml:66:3: document 3 (Deployment bare): spec: needs "template"',
    ]);
  });

  it('an empty container list, an unknown --container, an unknown --take-port name, an alias', () => {
    expect(errorsOf('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n')).toEqual(['in.yaml:6:15: document 1 (Pod p): spec.containers: must list at least one container']);
    expect(errorsOf(fixture('deployment.yaml'), { container: 'web' })).toEqual([expect.stringContaining('spec.template.spec.containers: has no container named "web" (--container); it has: api, log-shipper')]);
    expect(errorsOf(fixture('deployment.yaml'), { takePort: 'admin' })).toEqual([expect.stringContaining('spec.template.spec.containers[0].ports: has no port named "admin" (--take-port)')]);
    const aliased = 'x-containers: &containers\n  - name: app\n    ports: [{containerPort: 80}]\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: *containers\n';
    expect(errorsOf(aliased)).toEqual([expect.stringContaining('document 1 (Pod p): spec.containers: is a YAML alias (*containers)')]);
  });
});

describe('warnings', () => {
  it('a Job or CronJob with --classic: the sidecar would keep the pod running', () => {
    for (const [file, subject] of [['job.yaml', 'document 1 (Job reindex-search)'], ['cronjob.yaml', 'document 1 (CronJob nightly-report)']] as const) {
      const warnings = warningsOf(fixture(file), { native: false });
      expect(warnings.map((w) => w.subject)).toEqual([subject]);
      expect(warnings[0]?.message).toContain('have the app POST http://127.0.0.1:15000/shutdown when it is done');
      expect(warningsOf(fixture(file))).toEqual([]);
    }
  });

  it('a bare Pod that runs to completion with --classic, too', () => {
    const pod = fixture('pod.yaml').replace('spec:\n', 'spec:\n    restartPolicy: Never\n');
    expect(warningsOf(pod, { native: false }).map((w) => w.message)).toEqual([expect.stringContaining('the pod never completes')]);
    expect(warningsOf(fixture('pod.yaml'), { native: false })).toEqual([]);
  });

  it('a terminationGracePeriodSeconds shorter than Sightline\'s drain, left as it is', () => {
    const result = injectOk(fixture('statefulset.yaml'));
    expect(result.warnings.map((w) => formatProblem('in.yaml', w))).toEqual([
      expect.stringMatching(/^in\.yaml:30:38: document 2 \(StatefulSet ledger\): spec\.template\.spec\.terminationGracePeriodSeconds: is 10: Sightline drains for up to 25s/),
    ]);
    expect(result.text).toContain('      terminationGracePeriodSeconds: 10\n');
    expect(warningsOf(fixture('statefulset.yaml').replace('terminationGracePeriodSeconds: 10', 'terminationGracePeriodSeconds: 45'))).toEqual([]);
  });

  it('prometheus.io annotations of the pod\'s own, which are kept', () => {
    expect(warningsOf(fixture('daemonset.yaml')).map((w) => formatProblem('in.yaml', w))).toEqual([
      'in.yaml:16:9: document 1 (DaemonSet node-agent): spec.template.metadata.annotations: already has prometheus.io annotations (prometheus.io/port: "9100", prometheus.io/scrape: "true"); they are kept, so Prometheus does not scrape Sightline through them: scrape port 15000 path /metrics another way (a PodMonitor, say)',
    ]);
  });

  it('none for ordinary workloads', () => {
    for (const file of ['deployment.yaml', 'stream.yaml', 'list.yaml', 'pod.yaml', 'deployment.json']) expect(warningsOf(fixture(file)), file).toEqual([]);
  });
});
