// A YAML config file as a RawLayer: the plain tree plus the file:line:col of every key.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { joinPath, type RawLayer, type RawTree } from '../../core/config/layers.ts';
import type { ConfigIssue } from '../../core/config/reader.ts';

export type YamlLayerResult = { readonly layer: RawLayer } | { readonly issues: readonly ConfigIssue[] };

/** Parses YAML text; `name` is how the file is shown in messages (the path as the user gave it). */
export function yamlLayer(text: string, name: string): YamlLayerResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${name}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((e) => ({
        path: '',
        origin: at(e.pos[0]),
        message: `YAML syntax error: ${firstLine(e.message)}`,
      })),
    };
  }
  const origins = new Map<string, string>();
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return { layer: { values: {}, origins } };
  if (!isMap(contents)) {
    return { issues: [{ path: '', origin: at(contents.range?.[0] ?? 0), message: 'the top level must be a map of keys (e.g. "listen: 0.0.0.0:15001")' }] };
  }
  const values = toPlain(contents, '', origins, at) as RawTree;
  return { layer: { values, origins } };
}

function toPlain(node: Node | null, path: string, origins: Map<string, string>, at: (offset: number) => string): unknown {
  if (node === null) return null;
  if (isMap(node)) {
    const out: RawTree = {};
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const keyPath = joinPath(path, key);
      origins.set(keyPath, at(keyNode?.range?.[0] ?? 0));
      out[key] = toPlain(pair.value as Node | null, keyPath, origins, at);
    }
    return out;
  }
  if (isSeq(node)) {
    return node.items.map((item, i) => {
      const itemPath = `${path}[${i}]`;
      const itemNode = item as Node | null;
      origins.set(itemPath, at(itemNode?.range?.[0] ?? 0));
      return toPlain(itemNode, itemPath, origins, at);
    });
  }
  if (isScalar(node)) return node.value;
  return node.toJSON();
}

function firstLine(message: string): string {
  const nl = message.indexOf('\n');
  return nl < 0 ? message : message.slice(0, nl);
}
