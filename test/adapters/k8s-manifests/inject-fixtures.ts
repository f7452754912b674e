// Shared by the inject tests: the fixture manifests, the pure function with test defaults, and ways to
// look into its output.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { injectManifests, type InjectResult } from '../../../src/adapters/k8s-manifests/inject-manifests.ts';
import type { InjectOptions } from '../../../src/adapters/k8s-manifests/inject-options.ts';

export const VERSION = '0.1.0';
export const IMAGE = `ghcr.io/sightline/sightline:${VERSION}`;

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
}

export function fixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

export const ALL_FIXTURES = [
  'deployment.yaml', 'statefulset.yaml', 'daemonset.yaml', 'job.yaml', 'cronjob.yaml', 'pod.yaml',
  'list.yaml', 'stream.yaml', 'already-injected.yaml', 'deployment.json',
] as const;

export function inject(text: string, options: Partial<InjectOptions> = {}): InjectResult {
  return injectManifests(text, { image: IMAGE, version: VERSION, native: true, ...options });
}

/** The successful result; fails the test with the errors if there are any. */
export function injectOk(text: string, options: Partial<InjectOptions> = {}): Extract<InjectResult, { ok: true }> {
  const result = inject(text, options);
  if (!result.ok) throw new Error(`inject failed: ${JSON.stringify(result.errors)}`);
  return result;
}

/** The injected text; fails the test with the errors if there are any. */
export function injected(text: string, options: Partial<InjectOptions> = {}): string {
  return injectOk(text, options).text;
}

// Parsed manifests are walked freely in assertions.
export type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every document as plain data; throws if the text is not valid YAML. */
export function documents(text: string): Data[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0]?.message}`);
    return doc.toJS() as Data;
  });
}

const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'], StatefulSet: ['spec', 'template'], DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'], Job: ['spec', 'template'], CronJob: ['spec', 'jobTemplate', 'spec', 'template'], Pod: [],
};

/** The pod templates (metadata + spec) of the workloads among the documents, List items included. */
export function podTemplates(docs: readonly Data[]): Data[] {
  return docs.filter((doc) => doc !== null).flatMap((doc) => (doc.kind === 'List' ? (doc.items as Data[]) : [doc])).flatMap((resource) => {
    const path = TEMPLATE_PATHS[resource.kind as string];
    return path === undefined ? [] : [path.reduce((here: Data, key) => here[key] as Data, resource)];
  });
}

export function sidecarOf(template: Data): { list: 'initContainers' | 'containers'; index: number; container: Data } | undefined {
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = (template.spec[list] ?? []) as Data[];
    const index = containers.findIndex((c) => c.name === 'sightline');
    if (index >= 0) return { list, index, container: containers[index] as Data };
  }
  return undefined;
}

/**
 * The input lines that are not kept, in order, among the output's lines (a longest common subsequence):
 * when inject only inserts lines, none.
 */
export function linesNotKept(input: string, output: string): string[] {
  const a = input.split('\n');
  const b = output.split('\n');
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const missing: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length) {
    if (j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && lengths[i]![j + 1]! >= lengths[i + 1]![j]!) j++;
    else missing.push(a[i++] as string);
  }
  return missing;
}

/** Each document's own text (from its first node or `---` to its end), as the parser delimits it. */
export function documentTexts(text: string): string[] {
  return parseAllDocuments(text).map((doc) => text.slice(doc.range[0], doc.range[2]));
}
