// Writing changes into the source text: everything outside a splice keeps its bytes.

/** Replaces source[start, end) with text; start === end inserts. */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Applies splices that do not overlap; those starting at the same offset are written in the order given. */
export function applySplices(source: string, splices: readonly Splice[]): string {
  const ordered = splices.map((splice, order) => ({ splice, order })).sort((a, b) => a.splice.start - b.splice.start || a.order - b.order);
  let out = '';
  let cursor = 0;
  for (const { splice } of ordered) {
    if (splice.start < cursor) throw new Error(`overlapping edits at offset ${splice.start}`);
    out += source.slice(cursor, splice.start) + splice.text;
    cursor = splice.end;
  }
  return out + source.slice(cursor);
}
