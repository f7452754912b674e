// Turns an edit into splices of the source text. New lines go after the end of the last line they
// follow (past any comment on it) and take the indentation of their neighbours, so every existing
// line, comment and blank line keeps its bytes; only values replaced in place change a line.

import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Edit } from './edits.ts';
import { columnOf, isMultiLine, type DocumentStyle } from './document-style.ts';
import { pairOf, isEmptyValue } from './node-access.ts';
import { blockLines, blockPairLines, flowPairText, flowText, jsonLines, jsonPairLines } from './render-values.ts';
import type { Splice } from './text-splices.ts';

export function splicesOf(edit: Edit, source: string, style: DocumentStyle): Splice[] {
  return edit.kind === 'append' ? [appendSplice(edit.seq.node, edit.value, source, style)] : setSplices(edit.map.node, edit.entries, edit, source, style);
}

const pad = (columns: number): string => ' '.repeat(columns);

/** Lines joined so each starts on a new line at `column` (blank lines stay empty). */
function placeLines(lines: readonly string[], column: number, eol: string): string {
  return lines.map((line) => eol + (line === '' ? '' : pad(column) + line)).join('');
}

function startOf(node: Node): number {
  return rangeOf(node)[0];
}

function rangeOf(node: Node): readonly [number, number] {
  const range = node.range;
  if (range === undefined || range === null) throw new Error('a node without a source range cannot be edited');
  return [range[0], range[1]];
}

/** Where the line holding `offset` ends (before its line break, or at the end of the text). */
function lineEndFrom(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  if (newline < 0) return source.length;
  return source[newline - 1] === '\r' ? newline - 1 : newline;
}

function valueOrKey(pair: Pair): Node {
  return (pair.value ?? pair.key) as Node;
}

/** The offset of the line break that ends the node's last line: where a following line can be inserted. */
export function insertionPointAfter(source: string, node: Node): number {
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1] as Pair | Node;
    return insertionPointAfter(source, isPair(last) ? valueOrKey(last) : last);
  }
  const end = rangeOf(node)[1];
  if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
    // A block scalar's range ends past its final line break; its last line ends before it.
    let point = end;
    if (source[point - 1] === '\n') point--;
    if (source[point - 1] === '\r') point--;
    return point;
  }
  return lineEndFrom(source, end);
}

function appendSplice(seq: YAMLSeq, value: unknown, source: string, style: DocumentStyle): Splice {
  const first = seq.items[0] as Node | undefined;
  const last = seq.items[seq.items.length - 1] as Node | undefined;
  if (first === undefined || last === undefined) throw new Error('append needs a list with items');
  if (seq.flow) {
    const end = rangeOf(last)[1];
    if (style.json && isMultiLine(source, seq)) {
      const column = columnOf(source, startOf(first));
      const [head = '', ...rest] = jsonLines(value, style);
      return { start: end, end, text: `,${style.eol}${pad(column)}${head}${placeLines(rest, column, style.eol)}` };
    }
    return { start: end, end, text: `, ${flowText(value, style)}` };
  }
  const dashColumn = columnOf(source, startOf(seq));
  const firstStart = startOf(first);
  const sameLine = !source.slice(startOf(seq), firstStart).includes('\n');
  const contentColumn = sameLine ? columnOf(source, firstStart) : dashColumn + 2;
  const [head = '', ...rest] = blockLines(value, style);
  const at = insertionPointAfter(source, seq);
  return { start: at, end: at, text: `${style.eol}${pad(dashColumn)}-${pad(contentColumn - dashColumn - 1)}${head}${placeLines(rest, contentColumn, style.eol)}` };
}

interface Placement {
  readonly after?: string;
  readonly before?: string;
}

function setSplices(map: YAMLMap, entries: readonly (readonly [string, unknown])[], placement: Placement, source: string, style: DocumentStyle): Splice[] {
  const splices: Splice[] = [];
  const added: (readonly [string, unknown])[] = [];
  for (const [key, value] of entries) {
    const pair = pairOf(map, key);
    if (pair === undefined) added.push([key, value]);
    else splices.push(...replaceSplices(map, key, pair, value, source, style));
  }
  if (added.length === 0) return splices;
  const before = placement.before === undefined || map.flow ? undefined : pairOf(map, placement.before);
  splices.push((before === undefined ? undefined : addPairsBeforeSplice(before, added, source, style)) ?? addPairsSplice(map, added, placement.after, source, style));
  return splices;
}

/** New pairs on the lines just above `before` (and above the comments about it); undefined if that key does not begin its line. */
function addPairsBeforeSplice(before: Pair, entries: readonly (readonly [string, unknown])[], source: string, style: DocumentStyle): Splice | undefined {
  const keyStart = startOf(before.key as Node);
  const at = lineStartAbove(source, keyStart);
  if (at === undefined) return undefined;
  const column = columnOf(source, keyStart);
  const lines = entries.flatMap(([key, value]) => blockPairLines(key, value, style));
  return { start: at, end: at, text: lines.map((line) => (line === '' ? '' : pad(column) + line) + style.eol).join('') };
}

/**
 * The start of the line of a key that begins its line, moved up over comment lines just above at the
 * same column (they are about that key); undefined if the key does not begin its line.
 */
function lineStartAbove(source: string, keyStart: number): number | undefined {
  let lineStart = source.lastIndexOf('\n', keyStart - 1) + 1;
  const indentation = source.slice(lineStart, keyStart);
  if (indentation.trim() !== '') return undefined;
  while (lineStart > 0) {
    const above = source.lastIndexOf('\n', lineStart - 2) + 1;
    const line = source.slice(above, lineStart).replace(/\r?\n$/, '');
    if (!line.startsWith(`${indentation}#`)) break;
    lineStart = above;
  }
  return lineStart;
}

function isCollection(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** Replaces a scalar, empty or `[]`/`{}` value with a new one. */
function replaceSplices(map: YAMLMap, key: string, pair: Pair, value: unknown, source: string, style: DocumentStyle): Splice[] {
  const old = pair.value as Node | null;
  const keyEnd = rangeOf(pair.key as Node)[1];
  if (old !== null && (isMap(old) || isSeq(old)) && old.items.length > 0) throw new Error('set replaces only scalar or empty values');
  const [oldStart, oldEnd] = old === null ? [keyEnd, keyEnd] : rangeOf(old);
  const afterColon = source.indexOf(':', keyEnd) + 1;
  const saysNothing = old === null || (isEmptyValue(old) && oldStart === oldEnd);
  // An empty value is written right after the colon; anything else is replaced where it stands.
  const [start, end, lead] = saysNothing ? [afterColon, Math.max(afterColon, oldEnd), ' '] : [oldStart, oldEnd, ''];
  if (map.flow) {
    if (style.json && isCollection(value) && isMultiLine(source, map)) {
      const column = columnOf(source, startOf(pair.key as Node));
      const [head = '', ...rest] = jsonLines(value, style);
      return [{ start, end, text: `${lead}${head}${placeLines(rest, column, style.eol)}` }];
    }
    return [{ start, end, text: lead + flowText(value, style) }];
  }
  if (!isCollection(value)) return [{ start, end, text: lead + (blockLines(value, style)[0] ?? '') }];
  // A block collection starts on the next line: the old value goes, the new one follows the line's end
  // (past any comment on it). The space before a comment stays, or it would no longer be a comment.
  const column = columnOf(source, startOf(pair.key as Node));
  const at = insertionPointAfter(source, old ?? (pair.key as Node));
  const restOfLine = source.slice(oldEnd, lineEndFrom(source, oldEnd));
  const removed = saysNothing ? [] : [{ start: restOfLine.trim() === '' ? afterColon : oldStart, end: oldEnd, text: '' }];
  return [...removed, { start: at, end: at, text: placeLines(blockPairLines(key, value, style).slice(1), column, style.eol) }];
}

function addPairsSplice(map: YAMLMap, entries: readonly (readonly [string, unknown])[], after: string | undefined, source: string, style: DocumentStyle): Splice {
  const anchor = (after === undefined ? undefined : pairOf(map, after)) ?? map.items[map.items.length - 1];
  if (anchor === undefined) {
    if (!map.flow) throw new Error('a block map always has a key');
    const close = rangeOf(map)[1] - 1;
    return { start: close, end: close, text: entries.map(([key, value]) => flowPairText(key, value, style)).join(', ') };
  }
  const column = columnOf(source, startOf(map.items[0]?.key as Node));
  if (map.flow) {
    const end = rangeOf(valueOrKey(anchor))[1];
    if (style.json && isMultiLine(source, map)) {
      const text = entries.map(([key, value]) => {
        const [head = '', ...rest] = jsonPairLines(key, value, style);
        return `,${style.eol}${pad(column)}${head}${placeLines(rest, column, style.eol)}`;
      }).join('');
      return { start: end, end, text };
    }
    return { start: end, end, text: entries.map(([key, value]) => `, ${flowPairText(key, value, style)}`).join('') };
  }
  const at = insertionPointAfter(source, valueOrKey(anchor));
  return { start: at, end: at, text: placeLines(entries.flatMap(([key, value]) => blockPairLines(key, value, style)), column, style.eol) };
}
