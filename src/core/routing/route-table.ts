// Picks the route of a request: the first route, in config order, whose path template, methods and
// headers all match; the default route when none does. Templates are compiled once into a segment trie,
// so a lookup walks the request's path segments (each trie node at most once) instead of trying every
// route's pattern in turn.

import { parsePathTemplate, pathSegments } from './path-template.ts';

export interface RouteMatch {
  /** Path template (see path-template.ts). */
  readonly path: string;
  /** Upper-case methods; empty for any. */
  readonly methods: readonly string[];
  /** Header name (lower case) → exact value. */
  readonly headers: readonly (readonly [string, string])[];
}

interface Candidate<T> {
  /** Position in the config: lower wins. */
  readonly order: number;
  readonly methods: ReadonlySet<string> | null;
  readonly headers: readonly (readonly [string, string])[];
  readonly value: T;
}

class TrieNode<T> {
  literals: Map<string, TrieNode<T>> | null = null;
  param: TrieNode<T> | null = null;
  /** Routes whose template ends at this node. */
  readonly exact: Candidate<T>[] = [];
  /** Routes whose template ends with `*` here: they match this node and everything below. */
  readonly rest: Candidate<T>[] = [];
}

export class RouteTable<T> {
  readonly #root = new TrieNode<T>();
  readonly #fallback: T;
  readonly #empty: boolean;

  /** Throws on an invalid template: config validation checks templates before this is built. */
  constructor(routes: readonly { readonly match: RouteMatch; readonly value: T }[], fallback: T) {
    this.#fallback = fallback;
    this.#empty = routes.length === 0;
    routes.forEach(({ match, value }, order) => {
      const segments = parsePathTemplate(match.path);
      if (typeof segments === 'string') throw new Error(segments);
      let node = this.#root;
      const candidate: Candidate<T> = {
        order,
        methods: match.methods.length === 0 ? null : new Set(match.methods),
        headers: match.headers,
        value,
      };
      for (const segment of segments) {
        if (segment.kind === 'rest') {
          node.rest.push(candidate);
          return;
        }
        if (segment.kind === 'param') node = node.param ??= new TrieNode();
        else {
          node.literals ??= new Map();
          let next = node.literals.get(segment.text);
          if (next === undefined) node.literals.set(segment.text, (next = new TrieNode()));
          node = next;
        }
      }
      node.exact.push(candidate);
    });
  }

  /** The default route's value: what matches when nothing else does. */
  get fallback(): T {
    return this.#fallback;
  }

  /** The value of the first matching route, or the fallback. `rawHeaders` is Node's flat [name, value, ...] list. */
  match(method: string, url: string, rawHeaders: readonly string[]): T {
    if (this.#empty) return this.#fallback;
    const best = this.#search(this.#root, pathSegments(url), 0, method, rawHeaders, null);
    return best === null ? this.#fallback : best.value;
  }

  #search(
    node: TrieNode<T>, segments: readonly string[], i: number,
    method: string, rawHeaders: readonly string[], best: Candidate<T> | null,
  ): Candidate<T> | null {
    best = pick(node.rest, method, rawHeaders, best);
    if (i === segments.length) return pick(node.exact, method, rawHeaders, best);
    const segment = segments[i] as string;
    const literal = node.literals?.get(segment);
    if (literal !== undefined) best = this.#search(literal, segments, i + 1, method, rawHeaders, best);
    if (node.param !== null && segment !== '') best = this.#search(node.param, segments, i + 1, method, rawHeaders, best);
    return best;
  }
}

function pick<T>(candidates: readonly Candidate<T>[], method: string, rawHeaders: readonly string[], best: Candidate<T> | null): Candidate<T> | null {
  for (const c of candidates) {
    if (best !== null && c.order >= best.order) continue;
    if (c.methods !== null && !c.methods.has(method)) continue;
    if (c.headers.length > 0 && !headersMatch(c.headers, rawHeaders)) continue;
    best = c;
  }
  return best;
}

function headersMatch(wanted: readonly (readonly [string, string])[], rawHeaders: readonly string[]): boolean {
  outer: for (const [name, value] of wanted) {
    for (let i = 0; i < rawHeaders.length; i += 2) {
      if ((rawHeaders[i] as string).length === name.length && (rawHeaders[i] as string).toLowerCase() === name && rawHeaders[i + 1] === value) continue outer;
    }
    return false;
  }
  return true;
}
