// The Kubernetes objects in a YAML document: the document's own, or a List's items, each with the
// words that name it in messages and where its pod template is, if it has one.

import { isMap, type Document, type YAMLMap } from 'yaml';
import { ManifestError, childOf, expectMap, expectSeq, isEmptyValue, stringOf, type At, type Path } from './node-access.ts';

export interface Resource {
  /** "document 2 (Deployment web)" or "document 1 (List), items[0] (Deployment web)". */
  readonly subject: string;
  /** The resource's own path in its document: [] or ['items', 0]. Messages give paths relative to it. */
  readonly base: Path;
  readonly at: At<YAMLMap>;
  readonly kind: string | undefined;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  /** The API group: '' for the core group (apiVersion v1); undefined without an apiVersion. */
  readonly group: string | undefined;
}

export interface Workload {
  readonly groups: readonly string[];
  /** The keys from the resource to its pod template (metadata + spec); [] for a Pod itself. */
  readonly template: readonly string[];
  /** Its pods run to completion. */
  readonly completes: boolean;
}

const WORKLOADS: Readonly<Record<string, Workload>> = {
  Deployment: { groups: ['apps', 'extensions'], template: ['spec', 'template'], completes: false },
  StatefulSet: { groups: ['apps'], template: ['spec', 'template'], completes: false },
  DaemonSet: { groups: ['apps', 'extensions'], template: ['spec', 'template'], completes: false },
  ReplicaSet: { groups: ['apps', 'extensions'], template: ['spec', 'template'], completes: false },
  ReplicationController: { groups: [''], template: ['spec', 'template'], completes: false },
  Job: { groups: ['batch'], template: ['spec', 'template'], completes: true },
  CronJob: { groups: ['batch'], template: ['spec', 'jobTemplate', 'spec', 'template'], completes: true },
  Pod: { groups: [''], template: [], completes: false },
  PodTemplate: { groups: [''], template: ['template'], completes: false },
};

function kindIs(resource: Resource, kind: string, groups: readonly string[]): boolean {
  return resource.kind === kind && (resource.group === undefined || groups.includes(resource.group));
}

/** How to find the resource's pod template, if it is a workload inject knows. */
export function workloadOf(resource: Resource): Workload | undefined {
  const workload = resource.kind === undefined ? undefined : WORKLOADS[resource.kind];
  return workload !== undefined && kindIs(resource, resource.kind as string, workload.groups) ? workload : undefined;
}

export function isService(resource: Resource): boolean {
  return kindIs(resource, 'Service', ['']);
}

function isList(resource: Resource): boolean {
  return kindIs(resource, 'List', ['']);
}

function describe(at: At<YAMLMap>, base: Path, subject: string): Resource {
  const apiVersion = stringOf(at, 'apiVersion');
  const kind = stringOf(at, 'kind');
  const metadata = childOf(at, 'metadata');
  const meta = metadata !== undefined && isMap(metadata.node) ? (metadata as At<YAMLMap>) : undefined;
  const name = meta === undefined ? undefined : stringOf(meta, 'name');
  const label = [kind, name].filter((part) => part !== undefined).join(' ');
  return {
    subject: label === '' ? subject : `${subject} (${label})`,
    base,
    at,
    kind,
    name,
    namespace: meta === undefined ? undefined : stringOf(meta, 'namespace'),
    group: apiVersion === undefined ? undefined : apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '',
  };
}

/**
 * The resources of one document. A document that is not a map (empty, or not Kubernetes at all) has none
 * and passes through. Throws a ManifestError, with the List as its resource, for a malformed List.
 */
export function resourcesOf(doc: Document, docIndex: number): { resources: Resource[]; failed?: { resource: Resource; error: ManifestError } } {
  if (!isMap(doc.contents)) return { resources: [] };
  const top = describe({ node: doc.contents, path: [] }, [], `document ${docIndex + 1}`);
  if (!isList(top)) return { resources: [top] };
  try {
    const items = childOf(top.at, 'items');
    if (items === undefined || isEmptyValue(items.node)) return { resources: [] };
    const seq = expectSeq(items);
    const resources = seq.node.items.map((_, i) => {
      const item = expectMap({ node: seq.node.items[i], path: ['items', i] });
      return describe(item, item.path, `${top.subject}, items[${i}]`);
    });
    return { resources };
  } catch (error) {
    if (error instanceof ManifestError) return { resources: [], failed: { resource: top, error } };
    throw error;
  }
}
