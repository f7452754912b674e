// How a document is written, so inserted lines look like their neighbours: the indentation step,
// whether block lists are indented under their key, JSON or YAML, and the line ending.

import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';

export interface DocumentStyle {
  /** Spaces per nesting level. */
  readonly indent: number;
  /** `key:\n  - item` (true) or `key:\n- item` (false, kubectl's own output). */
  readonly indentSeq: boolean;
  /** The document is JSON (its root is a flow map): what inject adds is written as JSON too. */
  readonly json: boolean;
  readonly eol: string;
}

export function columnOf(source: string, offset: number): number {
  return offset - (source.lastIndexOf('\n', offset - 1) + 1);
}

/** The column of the `-` that introduces a block list item, if it stands on the item's first line. */
export function dashColumnOf(source: string, itemStart: number): number | undefined {
  const lineStart = source.lastIndexOf('\n', itemStart - 1) + 1;
  const before = source.slice(lineStart, itemStart);
  const dash = before.lastIndexOf('-');
  return dash >= 0 && before.slice(dash + 1).trim() === '' && before.slice(dash + 1).length > 0 ? dash : undefined;
}

export function detectStyle(source: string, doc: Document): DocumentStyle {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  // Looks at nested collections in document order until both are known: the first nesting decides.
  const visit = (node: unknown): void => {
    if (indent !== undefined && indentSeq !== undefined) return;
    if (isSeq(node)) for (const item of node.items) visit(item);
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const keyStart = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      const value = pair.value as Node | null;
      if (keyStart !== undefined && value !== null) {
        const keyCol = columnOf(source, keyStart);
        if (indent === undefined && isMap(value)) {
          const childStart = (value.items[0]?.key as Node | undefined)?.range?.[0];
          const onItsOwnLine = childStart !== undefined && source.slice(keyStart, childStart).includes('\n');
          if (onItsOwnLine && columnOf(source, childStart) > keyCol) indent = columnOf(source, childStart) - keyCol;
        }
        if (indentSeq === undefined && isSeq(value) && !value.flow) {
          const itemStart = (value.items[0] as Node | undefined)?.range?.[0];
          const dashCol = itemStart === undefined ? undefined : dashColumnOf(source, itemStart);
          if (dashCol !== undefined) indentSeq = dashCol > keyCol;
        }
      }
      visit(value);
    }
  };
  visit(doc.contents);
  return {
    indent: indent ?? 2,
    indentSeq: indentSeq ?? true,
    json: isMap(doc.contents) && doc.contents.flow === true,
    eol: source.includes('\r\n') ? '\r\n' : '\n',
  };
}

export function isMultiLine(source: string, node: Node): boolean {
  const range = node.range;
  return range !== undefined && range !== null && source.slice(range[0], range[1]).trimEnd().includes('\n');
}
