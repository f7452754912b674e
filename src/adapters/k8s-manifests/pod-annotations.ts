// The annotations inject adds to a pod template.

import { isScalar, type YAMLMap } from 'yaml';
import type { Edit } from './edits.ts';
import { ManifestError, childOf, isEmptyCollection, isEmptyValue, pairOf, requiredMap, scalarOf, type At, type Note } from './node-access.ts';
import { ADMIN_PORT, INJECTED_ANNOTATION, SCRAPE_ANNOTATIONS } from './sidecar-container.ts';

/**
 * The pod template's annotations: Prometheus scrapes Sightline's admin port, and the injected version is
 * recorded. A pod that already has prometheus.io annotations keeps them (they describe the app's own
 * scrape target, and one pod has only one), with a note.
 */
export function annotationEdit(template: At<YAMLMap>, version: string, notes: Note[]): Edit {
  const metadataAt = childOf(template, 'metadata');
  const wanted: Record<string, string> = { ...SCRAPE_ANNOTATIONS, [INJECTED_ANNOTATION]: version };
  if (metadataAt === undefined || isEmptyValue(metadataAt.node) || isEmptyCollection(metadataAt.node)) {
    return { kind: 'set', map: template, entries: [['metadata', { annotations: wanted }]], before: 'spec' };
  }
  const metadata = requiredMap(template, 'metadata');
  const annotationsAt = childOf(metadata, 'annotations');
  if (annotationsAt === undefined || isEmptyValue(annotationsAt.node) || isEmptyCollection(annotationsAt.node)) {
    return { kind: 'set', map: metadata, entries: [['annotations', wanted]] };
  }
  const annotations = requiredMap(metadata, 'annotations');
  const scraping = annotations.node.items.filter((pair) => isScalar(pair.key) && String(pair.key.value).startsWith('prometheus.io/'));
  const entries: [string, string][] = [];
  if (scraping.length === 0) entries.push(...Object.entries(SCRAPE_ANNOTATIONS));
  else if (!Object.entries(SCRAPE_ANNOTATIONS).every(([key, value]) => scalarOf(annotations, key) === value)) {
    // One set of prometheus.io annotations describes one scrape target: the app's own are kept.
    const present = scraping.map((pair) => `${String((pair.key as { value: unknown }).value)}: ${JSON.stringify(isScalar(pair.value) ? pair.value.value : null)}`).join(', ');
    notes.push({ at: annotationsAt, message: `already has prometheus.io annotations (${present}); they are kept, so Prometheus does not scrape Sightline through them: scrape port ${ADMIN_PORT} path /metrics another way (a PodMonitor, say)` });
  }
  const injected = pairOf(annotations.node, INJECTED_ANNOTATION);
  if (injected !== undefined && !isEmptyValue(injected.value) && !isScalar(injected.value)) throw new ManifestError(childOf(annotations, INJECTED_ANNOTATION) as At<unknown>, 'must be a string');
  entries.push([INJECTED_ANNOTATION, version]);
  return { kind: 'set', map: annotations, entries };
}
