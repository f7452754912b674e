// The README's "Deploy on Kubernetes" examples are what the code does: the hand-written pod spec has the
// container inject writes, the inject example's output is what inject prints, and the chart's values are
// the example the chart tests check.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { injectManifests } from '../../../src/adapters/k8s-manifests/inject-manifests.ts';
import { defaultImage, sidecarContainer } from '../../../src/adapters/k8s-manifests/sidecar-container.ts';
import { readConfig } from '../../../src/core/config/model.ts';
import { PROJECT_ROOT } from '../../support/sightline.ts';

const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const version = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The YAML code blocks of the README section under `heading`, in order. */
function yamlBlocks(heading: string): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const next = readme.indexOf('\n### ', start + heading.length + 2);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

type Obj = Record<string, unknown>;
const at = (value: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value);

describe('README: the pod spec by hand', () => {
  const [block = ''] = yamlBlocks('### By hand: a pod spec');
  const [deployment, service] = parseAllDocuments(block).map((d) => d.toJS() as Obj);
  const pod = at(deployment, 'spec', 'template', 'spec') as Obj;

  it('has the very container sightline inject writes', () => {
    const sidecar = (pod.initContainers as Obj[]).find((c) => c.name === 'sightline');
    expect(sidecar).toEqual(sidecarContainer({ image: defaultImage(version), appPort: 8080, native: true }));
  });

  it('sends the Service to Sightline and gives the drain its time', () => {
    expect(at(service, 'spec', 'ports', 0, 'targetPort')).toBe('sightline');
    const { drain } = readConfig({ values: {}, origins: new Map() }).config;
    const preStop = Number(at(pod, 'containers', 0, 'lifecycle', 'preStop', 'sleep', 'seconds'));
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + (drain.delayMs + drain.timeoutMs) / 1000);
  });
});

describe('README: sightline inject', () => {
  const [input = '', excerpt = ''] = yamlBlocks('### With `sightline inject`');
  const result = injectManifests(input, { image: defaultImage(version), version, native: true, takePort: 'http' });

  it('prints, for the example, the lines the README shows, in order', () => {
    expect(result.ok).toBe(true);
    const output = result.ok ? result.text.split('\n') : [];
    let from = 0;
    for (const line of excerpt.split('\n').filter((l) => l.trim() !== '...' && l.trim() !== '')) {
      const found = output.indexOf(line, from);
      expect(found, line).toBeGreaterThanOrEqual(from);
      from = found + 1;
    }
  });

  it('adds the hand-written container, with a health check on the app readiness path', () => {
    const sidecar = at(parseAllDocuments(result.ok ? result.text : '')[0]?.toJS(), 'spec', 'template', 'spec', 'initContainers', 0);
    expect(sidecar).toEqual(sidecarContainer({ image: defaultImage(version), appPort: 8080, native: true, healthPath: '/ready' }));
  });
});

describe('README: the Helm chart', () => {
  it('shows the chart example values, whole', () => {
    const [values = ''] = yamlBlocks('### With the Helm chart');
    const example = readFileSync(join(PROJECT_ROOT, 'charts/sightline/examples/values.yaml'), 'utf8');
    expect(parse(values)).toEqual(parse(example));
  });
});
