// Plain values written as YAML or JSON text in a document's style, ready to be placed at a column.

import { Document, isMap, isSeq } from 'yaml';
import type { DocumentStyle } from './document-style.ts';

// Kubernetes reads manifests with YAML 1.1 rules, where `yes`, `on` or `0755` are not strings: quoting
// by those rules keeps every string a string for both readers. Long strings are never folded.
function yamlText(value: unknown, style: DocumentStyle, flow: boolean): string {
  const doc = new Document(value, { version: '1.1' });
  if (flow && (isMap(doc.contents) || isSeq(doc.contents))) doc.contents.flow = true;
  return doc.toString({ indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0, minContentWidth: 0 }).trimEnd();
}

/** Block YAML lines, unindented. */
export function blockLines(value: unknown, style: DocumentStyle): string[] {
  return yamlText(value, style, false).split('\n');
}

/** `key: value` in block YAML, unindented; a collection value goes on the following lines. */
export function blockPairLines(key: string, value: unknown, style: DocumentStyle): string[] {
  return yamlText({ [key]: value }, style, false).split('\n');
}

/** A value on one line, as it may stand inside `[...]` or `{...}` (JSON in a JSON document). */
export function flowText(value: unknown, style: DocumentStyle): string {
  return style.json ? JSON.stringify(value) : yamlText(value, style, true);
}

/** `key: value` on one line, as it may stand inside `{...}`. */
export function flowPairText(key: string, value: unknown, style: DocumentStyle): string {
  if (style.json) return `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  // Written as a one-entry flow map so the key and value are quoted for a flow context; then unwrapped.
  return yamlText({ [key]: value }, style, true).replace(/^\{ /, '').replace(/ \}$/, '');
}

/** JSON over several lines, unindented, for JSON documents laid out one entry per line. */
export function jsonLines(value: unknown, style: DocumentStyle): string[] {
  return JSON.stringify(value, null, style.indent).split('\n');
}

/** `"key": value` over several lines, unindented. */
export function jsonPairLines(key: string, value: unknown, style: DocumentStyle): string[] {
  const lines = jsonLines(value, style);
  return [`${JSON.stringify(key)}: ${lines[0] ?? ''}`, ...lines.slice(1)];
}
