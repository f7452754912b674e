// --take-port: a Service of the input that sends the app's port traffic to injected pods is pointed at
// Sightline's port instead. Services inject does not understand are left as they are.

import { isScalar, type YAMLMap } from 'yaml';
import type { Edit } from './edits.ts';
import { ManifestError, childOf, mapItems, optionalMap, optionalSeq, scalarOf, type At, type Note } from './node-access.ts';
import type { ServiceTarget } from './pod-injection.ts';
import type { Resource } from './resources.ts';
import { PROXY_PORT_NAME } from './sidecar-container.ts';

/** The Service's selector picks the target's pods: every selector label is on them (an empty selector picks none). */
function selects(selector: At<YAMLMap>, target: ServiceTarget): boolean {
  const items = selector.node.items;
  return items.length > 0 && items.every((pair) => isScalar(pair.key) && isScalar(pair.value) && target.labels.get(String(pair.key.value)) === String(pair.value.value));
}

/** The port sends its traffic to the target's app port: targetPort by number or name, or (absent) the port itself. */
function sendsTo(port: At<YAMLMap>, target: ServiceTarget): boolean {
  const targetPort = childOf(port, 'targetPort');
  const value = targetPort === undefined ? scalarOf(port, 'port') : isScalar(targetPort.node) ? targetPort.node.value : undefined;
  return value === target.port || (targetPort !== undefined && typeof value === 'string' && target.portNames.has(value));
}

export function retargetService(service: Resource, targets: readonly ServiceTarget[]): { edits: Edit[]; notes: Note[] } {
  const none = { edits: [], notes: [] };
  try {
    const spec = optionalMap(service.at, 'spec');
    const selector = spec === undefined ? undefined : optionalMap(spec, 'selector');
    const ports = spec === undefined ? undefined : optionalSeq(spec, 'ports');
    if (spec === undefined || selector === undefined || ports === undefined) return none;
    const sameNamespace = (target: ServiceTarget): boolean => service.namespace === undefined || target.namespace === undefined || service.namespace === target.namespace;
    const chosen = targets.filter((target) => sameNamespace(target) && selects(selector, target));
    const edits = mapItems(ports)
      .filter((port) => chosen.some((target) => sendsTo(port, target)))
      .map((port): Edit => ({ kind: 'set', map: port, entries: [['targetPort', PROXY_PORT_NAME]], after: 'port' }));
    const notes: Note[] = [];
    if (edits.length > 0 && scalarOf(spec, 'clusterIP') === 'None') {
      notes.push({
        at: childOf(spec, 'clusterIP') as At<unknown>,
        message: 'is None: a headless Service\'s clients connect to the pods\' own addresses and ports, so its targetPort does not route them through Sightline; have them use port 15001',
      });
    }
    return { edits, notes };
  } catch (error) {
    if (error instanceof ManifestError) return none;
    throw error;
  }
}
