// Reading a manifest's YAML nodes with the checks inject needs, so every refusal names the path it is about.

import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

export type Path = readonly (string | number)[];

/** A node and the keys that lead to it from the document's root. */
export interface At<N> {
  readonly node: N;
  readonly path: Path;
}

/** A manifest that cannot be injected: where, and why. Caught per resource and reported with its subject. */
export class ManifestError extends Error {
  readonly path: Path;
  readonly offset: number | undefined;

  constructor(at: At<unknown>, message: string) {
    super(message);
    this.path = at.path;
    this.offset = offsetOf(at.node);
  }
}

/** Where a node starts in the source, if it is a node from the source. */
export function offsetOf(value: unknown): number | undefined {
  return typeof value === 'object' && value !== null && 'range' in value ? ((value as Node).range?.[0] ?? undefined) : undefined;
}

/** `spec.containers[0].ports`, relative to `base` (a List item's own path, say). */
export function formatPath(path: Path, base: Path = []): string {
  let out = '';
  for (const key of path.slice(base.length)) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  return out;
}

export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
}

/** The value under `key`, or undefined when the key is absent. A present key's value may be null. */
export function childOf(map: At<YAMLMap>, key: string): At<unknown> | undefined {
  const pair = pairOf(map.node, key);
  return pair === undefined ? undefined : { node: pair.value, path: [...map.path, key] };
}

/** A warning about one place of a resource. */
export interface Note {
  readonly at: At<unknown>;
  readonly message: string;
}

/** `key:`, `key: null` or `key: ~`: present, but saying nothing. */
export function isEmptyValue(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export function isEmptyCollection(node: unknown): boolean {
  return (isMap(node) || isSeq(node)) && node.items.length === 0;
}

function refuseAlias(at: At<unknown>): void {
  if (isAlias(at.node)) throw new ManifestError(at, `is a YAML alias (*${at.node.source}): inject cannot edit through aliases; expand it first`);
}

export function expectMap(at: At<unknown>): At<YAMLMap> {
  refuseAlias(at);
  if (!isMap(at.node)) throw new ManifestError(at, 'must be a map');
  return at as At<YAMLMap>;
}

export function expectSeq(at: At<unknown>): At<YAMLSeq> {
  refuseAlias(at);
  if (!isSeq(at.node)) throw new ManifestError(at, 'must be a list');
  return at as At<YAMLSeq>;
}

/** The map under `key`; a missing or empty key is an error. */
export function requiredMap(parent: At<YAMLMap>, key: string): At<YAMLMap> {
  const child = childOf(parent, key);
  if (child === undefined || isEmptyValue(child.node)) throw new ManifestError(child ?? parent, child === undefined ? `needs "${key}"` : 'must not be empty');
  return expectMap(child);
}

/** The map under `key`, or undefined when it is absent or empty. */
export function optionalMap(parent: At<YAMLMap>, key: string): At<YAMLMap> | undefined {
  const child = childOf(parent, key);
  return child === undefined || isEmptyValue(child.node) ? undefined : expectMap(child);
}

/** The list under `key`, or undefined when it is absent or empty. */
export function optionalSeq(parent: At<YAMLMap>, key: string): At<YAMLSeq> | undefined {
  const child = childOf(parent, key);
  return child === undefined || isEmptyValue(child.node) ? undefined : expectSeq(child);
}

/** The items of a list, each required to be a map. */
export function mapItems(seq: At<YAMLSeq>): At<YAMLMap>[] {
  return seq.node.items.map((item, i) => expectMap({ node: item, path: [...seq.path, i] }));
}

/** A scalar's value (string, number, boolean or null); undefined when the key is absent or holds a collection. */
export function scalarOf(map: At<YAMLMap>, key: string): unknown {
  const node = pairOf(map.node, key)?.value;
  return isScalar(node) ? node.value : undefined;
}

export function stringOf(map: At<YAMLMap>, key: string): string | undefined {
  const value = scalarOf(map, key);
  return typeof value === 'string' ? value : undefined;
}
