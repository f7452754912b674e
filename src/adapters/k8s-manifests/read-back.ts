// The safety net under the text splicing: the output is parsed again and must hold exactly the input's
// data with the planned edits applied, document by document. Anything else is a bug in inject, and
// nothing is written.

import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, type Document } from 'yaml';
import type { Edit } from './edits.ts';
import type { Path } from './node-access.ts';

function follow(data: unknown, path: Path): unknown {
  let here = data;
  for (const key of path) here = (here as Record<string | number, unknown>)[key];
  return here;
}

/** The document's data as it should read after the edits. */
export function expectedData(doc: Document, edits: readonly Edit[]): unknown {
  const data: unknown = doc.toJS();
  for (const edit of edits) {
    if (edit.kind === 'append') (follow(data, edit.seq.path) as unknown[]).push(structuredClone(edit.value));
    else {
      const map = follow(data, edit.map.path) as Record<string, unknown>;
      for (const [key, value] of edit.entries) map[key] = structuredClone(value);
    }
  }
  return data;
}

/** The 0-based index of the first document of `text` that does not read as expected, or undefined if all do. */
export function firstMismatch(text: string, expected: readonly unknown[]): number | undefined {
  const docs = parseAllDocuments(text);
  for (let i = 0; i < Math.max(docs.length, expected.length); i++) {
    const doc = docs[i];
    if (doc === undefined || doc.errors.length > 0 || !isDeepStrictEqual(doc.toJS(), expected[i])) return i;
  }
  return undefined;
}
