// Typed reading of a merged raw config. Every read names its key, so the reader knows which keys exist:
// anything left unread in a map is an unknown key (a typo must not silently disable a policy).

import { formatDuration, formatSize, parseDuration, parseSize } from './units.ts';
import { isTree, joinPath, type RawLayer, type RawTree } from './layers.ts';

export interface ConfigIssue {
  /** Key path, e.g. `upstream.timeout`; empty for a problem with the file as a whole. */
  readonly path: string;
  readonly message: string;
  /** Where the key was written (`file.yaml:12:3`, `env SIGHTLINE_LISTEN`, `flag --listen`), if known. */
  readonly origin?: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const what = issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
  return issue.origin === undefined ? what : `${issue.origin}: ${what}`;
}

/** Orders issues as a person reads a file: by source, then line and column; unplaced ones last. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const place = (i: ConfigIssue): [string, number, number] => {
    const m = /^(.*):(\d+):(\d+)$/.exec(i.origin ?? '');
    return m === null ? [i.origin ?? '\uffff', 0, 0] : [m[1] as string, Number(m[2]), Number(m[3])];
  };
  return [...issues].sort((a, b) => {
    const [fa, la, ca] = place(a);
    const [fb, lb, cb] = place(b);
    return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb;
  });
}

class ReadContext {
  readonly issues: ConfigIssue[] = [];
  /** Every key path a reader asked for, in order: the documented surface of the config. */
  readonly knownKeys: string[] = [];
  readonly origins: ReadonlyMap<string, string>;
  constructor(origins: ReadonlyMap<string, string>) {
    this.origins = origins;
  }

  report(path: string, message: string): void {
    const origin = this.origins.get(path);
    this.issues.push(origin === undefined ? { path, message } : { path, message, origin });
  }
}

interface IntLimits { readonly min?: number; readonly max?: number }

/** A value that failed to convert, with the message to show. Distinct from string values, which are valid. */
export class Invalid {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

export function invalid(message: string): Invalid {
  return new Invalid(message);
}

export class Section {
  readonly #ctx: ReadContext;
  readonly #path: string;
  readonly #values: RawTree;
  readonly #read = new Set<string>();

  constructor(ctx: ReadContext, path: string, values: RawTree) {
    this.#ctx = ctx;
    this.#path = path;
    this.#values = values;
  }

  get path(): string {
    return this.#path;
  }

  /** Whether the key was written (with any value, valid or not). */
  has(key: string): boolean {
    return this.#values[key] !== undefined;
  }

  /** Reports a problem that involves a key of this section (cross-field rules). */
  report(key: string, message: string): void {
    this.#ctx.report(joinPath(this.#path, key), message);
  }

  duration(key: string, fallback: number, limits: IntLimits = {}): number {
    return this.#scalar(key, fallback, (v) => {
      if (v === 0) return checkLimits(0, limits, formatDuration);
      if (typeof v === 'number') return invalid(`needs a unit: write ${v}ms or ${v}s`);
      if (typeof v !== 'string') return invalid('must be a duration such as 250ms, 5s or 1m');
      const ms = parseDuration(v);
      if (ms === undefined) return invalid(`"${v}" is not a duration: write e.g. 250ms, 5s, 1m or 1m30s`);
      return checkLimits(ms, limits, formatDuration);
    });
  }

  /**
   * A duration (`100ms`: [100, 100]) or a range of two (`[50ms, 200ms]`, or `50ms,200ms` from an env
   * variable or flag), as [least, most] milliseconds.
   */
  durationRange(key: string, fallback: readonly [number, number], limits: IntLimits = {}): readonly [number, number] {
    const path = joinPath(this.#path, key);
    const raw = this.#values[key];
    const text = typeof raw === 'string' && raw.includes(',') ? raw.split(',').map((w) => w.trim()) : raw;
    if (!Array.isArray(text)) {
      // One duration (or nothing written): read as any duration, NaN standing for "unset or invalid".
      const ms = this.duration(key, NaN, limits);
      return Number.isNaN(ms) ? fallback : [ms, ms];
    }
    this.#read.add(key);
    this.#ctx.knownKeys.push(path);
    if (text.length !== 2) {
      this.#ctx.report(path, 'must be a duration such as 100ms, or a range of two such as [50ms, 200ms]');
      return fallback;
    }
    const ends: number[] = [];
    text.forEach((item: unknown, i) => {
      const itemPath = Array.isArray(raw) ? `${path}[${i}]` : path;
      const ms = typeof item === 'string' ? parseDuration(item) : item === 0 ? 0 : undefined;
      const checked = ms === undefined ? invalid(`${JSON.stringify(item)} is not a duration: write e.g. 50ms or 2s`) : checkLimits(ms, limits, formatDuration);
      if (checked instanceof Invalid) this.#ctx.report(itemPath, checked.message);
      else ends.push(checked);
    });
    if (ends.length !== 2) return fallback;
    const [least, most] = ends as [number, number];
    if (least > most) {
      this.#ctx.report(path, `the range must run from the shorter to the longer: [${formatDuration(most)}, ${formatDuration(least)}]`);
      return fallback;
    }
    return [least, most];
  }

  size(key: string, fallback: number, limits: IntLimits = {}): number {
    return this.#scalar(key, fallback, (v) => {
      const bytes = typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' ? parseSize(v) : undefined;
      if (bytes === undefined) return invalid(`${JSON.stringify(v)} is not a size: write e.g. 512B, 64KiB or 1MiB`);
      return checkLimits(bytes, limits, formatSize);
    });
  }

  int(key: string, fallback: number, limits: IntLimits = {}): number {
    return this.#scalar(key, fallback, (v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isInteger(n)) return invalid(`${JSON.stringify(v)} is not a whole number`);
      return checkLimits(n, limits, String);
    });
  }

  bool(key: string, fallback: boolean): boolean {
    return this.#scalar(key, fallback, (v) => {
      if (typeof v === 'boolean') return v;
      if (v === 'true') return true;
      if (v === 'false') return false;
      return invalid(`${JSON.stringify(v)} is not true or false`);
    });
  }

  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    return this.#scalar(key, fallback, (v) =>
      typeof v === 'string' && (choices as readonly string[]).includes(v)
        ? (v as T)
        : invalid(`${JSON.stringify(v)} is not one of: ${choices.join(', ')}`));
  }

  /** A string value turned into T by `parse`, which returns T or `invalid(message)`. */
  text<T>(key: string, fallback: T, parse: (text: string) => T | Invalid): T {
    return this.#scalar(key, fallback, (v) => {
      if (typeof v !== 'string' && typeof v !== 'number') return invalid(`${JSON.stringify(v)} must be a string`);
      return parse(String(v));
    });
  }

  /** Any single value (a string, a number or a boolean) turned into T by `parse`. */
  value<T>(key: string, fallback: T, parse: (value: string | number | boolean) => T | Invalid): T {
    return this.#scalar(key, fallback, (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? parse(v) : invalid(`${JSON.stringify(v)} must be a single value`)));
  }

  /** A share written as a percentage (`20%`) or a fraction (`0.2`), returned as a fraction. */
  ratio(key: string, fallback: number, limits: { readonly min?: number; readonly max?: number } = {}): number {
    return this.#scalar(key, fallback, (v) => {
      const m = /^(-?(?:\d+(?:\.\d+)?|\.\d+))(%?)$/.exec(String(v).trim());
      if (m === null) return invalid(`${JSON.stringify(v)} is not a share: write e.g. 20% or 0.2`);
      const n = m[2] === '%' ? Number(m[1]) / 100 : Number(m[1]);
      return checkLimits(n, limits, (x) => `${Math.round(x * 1e6) / 1e4}%`);
    });
  }

  /**
   * A list of words (`[GET, PUT]`, or `GET,PUT` from an env variable or flag), each checked by `check`,
   * which returns the value to keep or `invalid(message)`.
   */
  words(key: string, fallback: readonly string[], check: (word: string) => string | Invalid): string[] {
    const path = joinPath(this.#path, key);
    this.#read.add(key);
    this.#ctx.knownKeys.push(path);
    const raw = this.#values[key];
    if (raw === undefined) return [...fallback];
    const items: unknown[] | undefined = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((w) => w.trim()).filter((w) => w !== '') : undefined;
    if (items === undefined) {
      this.#ctx.report(path, 'must be a list such as [a, b]');
      return [...fallback];
    }
    const out: string[] = [];
    items.forEach((item, i) => {
      const itemPath = Array.isArray(raw) ? `${path}[${i}]` : path;
      if (typeof item !== 'string' && typeof item !== 'number') {
        this.#ctx.report(itemPath, `${JSON.stringify(item)} must be a single word`);
        return;
      }
      const checked = check(String(item));
      if (checked instanceof Invalid) this.#ctx.report(itemPath, checked.message);
      else out.push(checked);
    });
    return out;
  }

  /** A map whose keys the user chooses (header names, say), every value a string checked by `check`. */
  /**
   * A map of names to single values: `{name: value}` in YAML, or `name=value,name=value` from an env
   * variable or flag (values percent-decoded, as OTEL_RESOURCE_ATTRIBUTES writes them).
   */
  stringMap(key: string, check: (name: string, value: string) => [string, string] | Invalid): [string, string][] {
    const path = joinPath(this.#path, key);
    this.#read.add(key);
    this.#ctx.knownKeys.push(path);
    let raw = this.#values[key];
    if (raw === undefined || raw === null) return [];
    if (typeof raw === 'string') {
      const parsed = parsePairs(raw);
      if (parsed instanceof Invalid) {
        this.#ctx.report(path, parsed.message);
        return [];
      }
      raw = parsed;
    }
    if (!isTree(raw)) {
      this.#ctx.report(path, 'must be a map such as {name: value}');
      return [];
    }
    const out: [string, string][] = [];
    for (const [name, value] of Object.entries(raw)) {
      const entryPath = joinPath(path, name);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        this.#ctx.report(entryPath, 'must be a single value');
        continue;
      }
      const checked = check(name, String(value));
      if (checked instanceof Invalid) this.#ctx.report(entryPath, checked.message);
      else out.push(checked);
    }
    return out;
  }

  /**
   * A map whose keys the user names (feature flags), each entry read by `read`: given a Section of its
   * own when the entry is a map (its unknown keys reported), its value when it is a single value. What
   * `read` returns as `invalid(message)` is reported at the entry, and the entry left out.
   */
  entries<T>(key: string, read: (name: string, value: Section | string | number | boolean) => T | Invalid): [string, T][] {
    const path = joinPath(this.#path, key);
    this.#read.add(key);
    this.#ctx.knownKeys.push(path);
    const raw = this.#values[key];
    if (raw === undefined || raw === null) return [];
    if (!isTree(raw)) {
      this.#ctx.report(path, 'must be a map such as {name: value}');
      return [];
    }
    const out: [string, T][] = [];
    for (const [name, value] of Object.entries(raw)) {
      const entryPath = joinPath(path, name);
      let result: T | Invalid;
      if (isTree(value)) {
        const child = new Section(this.#ctx, entryPath, value);
        result = read(name, child);
        child.finish();
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        result = read(name, value);
      } else {
        result = invalid(value === null ? 'has no value: give one or remove the key' : 'must be a single value or a map of keys');
      }
      if (result instanceof Invalid) this.#ctx.report(entryPath, result.message);
      else out.push([name, result]);
    }
    return out;
  }

  /** A list of maps, each read by `read` as a section of its own (`routes[0]`, `routes[1]`, ...). */
  list<T>(key: string, read: (s: Section, index: number) => T): T[] {
    const path = joinPath(this.#path, key);
    this.#read.add(key);
    this.#ctx.knownKeys.push(path);
    const raw = this.#values[key];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      this.#ctx.report(path, 'must be a list (each item starting with "- ")');
      return [];
    }
    const out: T[] = [];
    raw.forEach((item: unknown, i) => {
      const itemPath = `${path}[${i}]`;
      if (!isTree(item)) {
        this.#ctx.report(itemPath, 'must be a map of keys');
        return;
      }
      const child = new Section(this.#ctx, itemPath, item);
      out.push(read(child, i));
      child.finish();
    });
    return out;
  }

  section<T>(key: string, read: (s: Section) => T): T {
    const path = joinPath(this.#path, key);
    this.#read.add(key);
    this.#ctx.knownKeys.push(path);
    let raw = this.#values[key];
    if (raw === undefined || raw === null) raw = {};
    if (!isTree(raw)) {
      this.#ctx.report(path, 'must be a map of keys');
      raw = {};
    }
    const child = new Section(this.#ctx, path, raw as RawTree);
    const result = read(child);
    child.finish();
    return result;
  }

  /** Reports every key of this map that no reader asked for, with the nearest known key as a hint. */
  finish(): void {
    for (const key of Object.keys(this.#values)) {
      if (this.#read.has(key)) continue;
      const hint = closest(key, [...this.#read]);
      this.#ctx.report(joinPath(this.#path, key), hint === undefined ? 'unknown key' : `unknown key (did you mean "${hint}"?)`);
    }
  }

  #scalar<T>(key: string, fallback: T, convert: (v: unknown) => T | Invalid): T {
    const path = joinPath(this.#path, key);
    this.#read.add(key);
    this.#ctx.knownKeys.push(path);
    const raw = this.#values[key];
    if (raw === undefined) return fallback;
    if (raw === null) {
      this.#ctx.report(path, 'has no value: give one or remove the key');
      return fallback;
    }
    if (typeof raw === 'object') {
      this.#ctx.report(path, 'must be a single value, not a map or list');
      return fallback;
    }
    const result = convert(raw);
    if (result instanceof Invalid) {
      this.#ctx.report(path, result.message);
      return fallback;
    }
    return result;
  }
}

function checkLimits(n: number, limits: IntLimits, show: (n: number) => string): number | Invalid {
  if (limits.min !== undefined && n < limits.min) return invalid(`must be at least ${show(limits.min)}`);
  if (limits.max !== undefined && n > limits.max) return invalid(`must be at most ${show(limits.max)}`);
  return n;
}

export interface ReadResult<T> {
  readonly config: T;
  readonly issues: readonly ConfigIssue[];
  readonly knownKeys: readonly string[];
}

/** Runs `read` over a merged layer; the result always has a config (defaults where a key was wrong) and the issues. */
export function readLayer<T>(layer: RawLayer, read: (root: Section) => T): ReadResult<T> {
  const ctx = new ReadContext(layer.origins);
  const root = new Section(ctx, '', layer.values);
  const config = read(root);
  root.finish();
  return { config, issues: sortIssues(ctx.issues), knownKeys: ctx.knownKeys };
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** `a=1,b=x%20y` → {a: '1', b: 'x y'}; an entry without `=` or a bad %-escape is refused by position. */
function parsePairs(text: string): RawTree | Invalid {
  const out: RawTree = {};
  const entries = text.split(',');
  for (let i = 0; i < entries.length; i++) {
    const entry = (entries[i] as string).trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) return invalid(`must be a map such as {name: value} or name=value,name=value: entry ${i + 1} ("${entry}") has no name=`);
    try {
      out[entry.slice(0, eq).trim()] = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      return invalid(`entry ${i + 1} ("${entry}") has an invalid %-escape`);
    }
  }
  return out;
}
