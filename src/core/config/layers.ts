// Configuration arrives in layers (defaults < file < env < flags). Each layer is a plain tree plus
// where each key was written, so that a mistake can be reported at its line, whichever layer it came from.

export type RawTree = { [key: string]: unknown };

export interface RawLayer {
  readonly values: RawTree;
  /** Key path (`drain.delay`, `routes[0].name`) → where it was written (`sightline.yaml:12:3`, `env SIGHTLINE_LISTEN`). */
  readonly origins: ReadonlyMap<string, string>;
}

export function isTree(v: unknown): v is RawTree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** Merges layers given lowest-precedence first: maps merge key by key, anything else is replaced whole. */
export function mergeLayers(layers: readonly RawLayer[]): RawLayer {
  const values: RawTree = {};
  const origins = new Map<string, string>();
  for (const layer of layers) {
    mergeInto(values, layer.values, '', layer.origins, origins);
  }
  return { values, origins };
}

function mergeInto(target: RawTree, source: RawTree, path: string, from: ReadonlyMap<string, string>, to: Map<string, string>): void {
  for (const key of Object.keys(source)) {
    const keyPath = joinPath(path, key);
    const incoming = source[key];
    const existing = target[key];
    const origin = from.get(keyPath);
    if (origin !== undefined) to.set(keyPath, origin);
    if (isTree(incoming) && isTree(existing)) {
      mergeInto(existing, incoming, keyPath, from, to);
    } else {
      // The losing layer's places no longer describe this value: forget them all, the key's own included.
      dropOrigins(to, keyPath);
      to.delete(keyPath);
      if (origin !== undefined) to.set(keyPath, origin);
      // A list is taken whole, with the places of everything inside it (routes[0].timeout).
      if (Array.isArray(incoming)) copyListOrigins(keyPath, from, to);
      target[key] = isTree(incoming) ? copyTree(incoming, keyPath, from, to) : incoming;
    }
  }
}

function copyTree(source: RawTree, path: string, from: ReadonlyMap<string, string>, to: Map<string, string>): RawTree {
  const out: RawTree = {};
  mergeInto(out, source, path, from, to);
  return out;
}

function copyListOrigins(path: string, from: ReadonlyMap<string, string>, to: Map<string, string>): void {
  const indexed = `${path}[`;
  for (const [key, origin] of from) if (key.startsWith(indexed)) to.set(key, origin);
}

function dropOrigins(origins: Map<string, string>, path: string): void {
  const prefix = `${path}.`;
  const indexed = `${path}[`;
  for (const key of origins.keys()) {
    if (key.startsWith(prefix) || key.startsWith(indexed)) origins.delete(key);
  }
}

/** Sets `a.b.c = value` in a tree, creating maps on the way; used for env and flag layers. */
export function setPath(tree: RawTree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i] as string;
    const next = node[key];
    if (isTree(next)) node = next;
    else {
      const created: RawTree = {};
      node[key] = created;
      node = created;
    }
  }
  node[keys[keys.length - 1] as string] = value;
}
