// What injecting one pod template takes: the sidecar in the right list, the scrape annotations, and
// what the Services of the input need to know to send the app's traffic through it.

import { isScalar, type YAMLMap } from 'yaml';
import { appContainerOf, appPortOf, portsOf, readinessPathOf, refuseSightlinePorts, takenPortOf } from './app-container.ts';
import type { Edit } from './edits.ts';
import type { InjectOptions } from './inject-options.ts';
import {
  ManifestError, childOf, expectSeq, isEmptyCollection, isEmptyValue, mapItems, optionalMap, optionalSeq, requiredMap, scalarOf, stringOf, type At, type Note,
} from './node-access.ts';
import { annotationEdit } from './pod-annotations.ts';
import type { Resource, Workload } from './resources.ts';
import { ADMIN_PORT, SIDECAR_NAME, sidecarContainer } from './sidecar-container.ts';

/** Pods whose Services should now send the app's traffic through Sightline. */
export interface ServiceTarget {
  readonly namespace: string | undefined;
  readonly labels: ReadonlyMap<string, string>;
  /** The app port taken over, and the names the app container gives it. */
  readonly port: number;
  readonly portNames: ReadonlySet<string>;
}

export type PodPlan =
  | { readonly kind: 'already-injected' }
  | { readonly kind: 'inject'; readonly edits: readonly Edit[]; readonly notes: readonly Note[]; readonly target: ServiceTarget | undefined };

/** Sightline drains for drain.delay (5s) + drain.timeout (20s) by default, and then needs a moment to exit. */
const GRACE_NEEDED_SECONDS = 30;

/** Adds an item to the list under `key`, creating the list (after the key `after`) if it is absent or empty. */
function addToList(map: At<YAMLMap>, key: string, item: unknown, after: string): Edit {
  const existing = childOf(map, key);
  if (existing === undefined || isEmptyValue(existing.node) || isEmptyCollection(existing.node)) return { kind: 'set', map, entries: [[key, [item]]], after };
  return { kind: 'append', seq: expectSeq(existing), value: item };
}

function labelsOf(metadata: At<YAMLMap> | undefined): Map<string, string> {
  const labels = metadata === undefined ? undefined : optionalMap(metadata, 'labels');
  const out = new Map<string, string>();
  for (const pair of labels?.node.items ?? []) {
    if (isScalar(pair.key) && isScalar(pair.value)) out.set(String(pair.key.value), String(pair.value.value));
  }
  return out;
}

/** Plans the injection of one pod template; throws a ManifestError for a template it cannot read. */
export function planPodInjection(resource: Resource, workload: Workload, options: InjectOptions): PodPlan {
  let template = resource.at;
  for (const key of workload.template) template = requiredMap(template, key);
  const spec = requiredMap(template, 'spec');
  const containersAt = childOf(spec, 'containers');
  if (containersAt === undefined) throw new ManifestError(spec, 'needs "containers"');
  const containers = isEmptyValue(containersAt.node) ? [] : mapItems(expectSeq(containersAt));
  if (containers.length === 0) throw new ManifestError(containersAt, 'must list at least one container');
  const initSeq = optionalSeq(spec, 'initContainers');
  const initContainers = initSeq === undefined ? [] : mapItems(initSeq);
  if ([...containers, ...initContainers].some((c) => stringOf(c, 'name') === SIDECAR_NAME)) return { kind: 'already-injected' };

  const app = appContainerOf(containersAt, containers, options.container);
  const ports = portsOf(app);
  const takenPort = takenPortOf(app, ports, options.takePort);
  const appPort = appPortOf(app, ports, options.upstreamPort, takenPort);
  refuseSightlinePorts([...containers, ...initContainers]);

  const takenNames = new Set(ports.filter((p) => p.number === takenPort && p.name !== undefined).map((p) => p.name as string));
  const healthPath = takenPort === appPort ? readinessPathOf(app, appPort, takenNames) : undefined;
  const sidecar = sidecarContainer({ image: options.image, appPort, native: options.native, ...(healthPath === undefined ? {} : { healthPath }) });

  const notes: Note[] = [];
  const edits: Edit[] = [
    options.native ? addToList(spec, 'initContainers', sidecar, 'containers') : { kind: 'append', seq: expectSeq(containersAt), value: sidecar },
    annotationEdit(template, options.version, notes),
  ];

  const grace = scalarOf(spec, 'terminationGracePeriodSeconds');
  if (typeof grace === 'number' && grace < GRACE_NEEDED_SECONDS) {
    notes.push({
      at: childOf(spec, 'terminationGracePeriodSeconds') as At<unknown>,
      message: `is ${grace}: Sightline drains for up to 25s by default (drain.delay 5s + drain.timeout 20s) and is killed after ${grace}s, cutting requests still in flight; give the pod at least ${GRACE_NEEDED_SECONDS}s, or shorten drain.delay and drain.timeout`,
    });
  }
  const restartPolicy = stringOf(spec, 'restartPolicy');
  if (!options.native && (workload.completes || restartPolicy === 'Never' || restartPolicy === 'OnFailure')) {
    notes.push({
      at: containersAt,
      message: `with --classic the sidecar keeps running after the app exits, so the pod never completes: have the app POST http://127.0.0.1:${ADMIN_PORT}/shutdown when it is done (the admin port accepts it from loopback), or leave out --classic (a native sidecar stops with the app; Kubernetes >= 1.29)`,
    });
  }

  const target = takenPort === undefined ? undefined : {
    namespace: resource.namespace,
    labels: labelsOf(optionalMap(template, 'metadata')),
    port: takenPort,
    portNames: takenNames,
  };
  return { kind: 'inject', edits, notes, target };
}
