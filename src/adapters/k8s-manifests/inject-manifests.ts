// `sightline inject` without the I/O: Kubernetes YAML in, the same YAML with the sidecar added out
// (or the reasons it cannot be), byte for byte the same wherever nothing was added.

import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { detectStyle } from './document-style.ts';
import { splicesOf } from './edit-splices.ts';
import type { Edit } from './edits.ts';
import type { InjectOptions } from './inject-options.ts';
import { ManifestError, formatPath, offsetOf, type At, type Note } from './node-access.ts';
import { planPodInjection, type ServiceTarget } from './pod-injection.ts';
import type { Problem } from './problems.ts';
import { expectedData, firstMismatch } from './read-back.ts';
import { isService, resourcesOf, workloadOf, type Resource } from './resources.ts';
import { retargetService } from './service-retarget.ts';
import { PROXY_PORT_NAME } from './sidecar-container.ts';
import { applySplices, type Splice } from './text-splices.ts';

export type InjectResult =
  | { readonly ok: true; readonly text: string; readonly warnings: readonly Problem[]; readonly injected: number }
  | { readonly ok: false; readonly errors: readonly Problem[] };

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

export function injectManifests(source: string, options: InjectOptions): InjectResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(source, { lineCounter: lines, prettyErrors: false });
  const position = (offset: number | undefined): { line?: number; col?: number } => (offset === undefined ? {} : lines.linePos(offset));

  // Only a document's first syntax error: the parser's later ones mostly follow from it.
  const syntaxErrors = docs.flatMap((doc, i) => doc.errors.slice(0, 1).map((error): Problem => ({
    subject: `document ${i + 1}`, path: '', message: `YAML syntax error: ${firstLine(error.message)}`, ...position(error.pos[0]),
  })));
  if (syntaxErrors.length > 0) return { ok: false, errors: syntaxErrors };

  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const problemAt = (resource: Resource, at: At<unknown>, message: string, offset: number | undefined): Problem => ({
    subject: resource.subject, path: formatPath(at.path, resource.base), message, ...position(offset),
  });
  const failure = (resource: Resource, error: ManifestError): Problem => problemAt(resource, { node: null, path: error.path }, error.message, error.offset);
  const noteOf = (resource: Resource, note: Note): Problem => problemAt(resource, note.at, note.message, offsetOf(note.at.node));

  const edits: Edit[][] = docs.map(() => []);
  const targets: ServiceTarget[] = [];
  const services: { docIndex: number; resource: Resource }[] = [];
  let workloads = 0;
  let injected = 0;
  docs.forEach((doc, docIndex) => {
    const { resources, failed } = resourcesOf(doc, docIndex);
    if (failed !== undefined) errors.push(failure(failed.resource, failed.error));
    for (const resource of resources) {
      if (isService(resource)) services.push({ docIndex, resource });
      const workload = workloadOf(resource);
      if (workload === undefined) continue;
      workloads++;
      try {
        const plan = planPodInjection(resource, workload, options);
        if (plan.kind === 'already-injected') continue;
        injected++;
        (edits[docIndex] as Edit[]).push(...plan.edits);
        warnings.push(...plan.notes.map((note) => noteOf(resource, note)));
        if (plan.target !== undefined) targets.push(plan.target);
      } catch (error) {
        if (!(error instanceof ManifestError)) throw error;
        errors.push(failure(resource, error));
      }
    }
  });
  if (errors.length > 0) return { ok: false, errors };

  let retargeted = 0;
  for (const { docIndex, resource } of services) {
    const retarget = retargetService(resource, targets);
    retargeted += retarget.edits.length;
    (edits[docIndex] as Edit[]).push(...retarget.edits);
    warnings.push(...retarget.notes.map((note) => noteOf(resource, note)));
  }

  if (workloads === 0) {
    warnings.push({ subject: '', path: '', message: 'found no pod template to inject into (a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod or a List of them); the input is written unchanged' });
  }
  if (options.takePort !== undefined && injected > 0 && retargeted === 0) {
    warnings.push({ subject: '', path: '', message: `--take-port ${options.takePort}: no Service in the input selects the injected pods and sends traffic to that port; point your Service's targetPort at "${PROXY_PORT_NAME}" yourself` });
  }

  const text = writeEdits(source, docs, edits);
  const mismatch = firstMismatch(text, docs.map((doc, i) => expectedData(doc, edits[i] as Edit[])));
  if (mismatch !== undefined) {
    return { ok: false, errors: [{ subject: `document ${mismatch + 1}`, path: '', message: 'internal error: the edited document does not read back as planned, so nothing was written; please report this with the input' }] };
  }
  const byPosition = (p: Problem): number => p.line ?? Number.POSITIVE_INFINITY;
  return { ok: true, text, warnings: [...warnings].sort((a, b) => byPosition(a) - byPosition(b)), injected };
}

function writeEdits(source: string, docs: readonly Document[], edits: readonly (readonly Edit[])[]): string {
  const splices: Splice[] = [];
  docs.forEach((doc, i) => {
    const docEdits = edits[i] as readonly Edit[];
    if (docEdits.length === 0) return;
    const style = detectStyle(source, doc);
    for (const edit of docEdits) splices.push(...splicesOf(edit, source, style));
  });
  return applySplices(source, splices);
}
