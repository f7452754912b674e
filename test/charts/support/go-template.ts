// Reads Helm templates without Helm: finds the Go template actions, and strips them to leave YAML whose
// structure can be checked. Not a renderer: values are placeholders, and an if/else keeps every branch
// unless the caller decides its condition. What it does do like Helm: an `include` of a define (plain, or
// `| nindent N`) is replaced by the define's own stripped text at that indentation, `.Files.Get` with
// `| nindent N` by the file's text, and `toYaml .Values.x | nindent N` (or `toYaml .` inside
// `with .Values.x`) by the value given, so a container or a dashboard built elsewhere is checked in place.

import { stringify } from 'yaml';

/** Stands in for the value an inline action renders. */
export const PLACEHOLDER = '__TPL__';

export interface Action {
  /** The text between the delimiters, trim markers and surrounding spaces removed. */
  readonly body: string;
  readonly start: number;
  readonly end: number;
}

const ACTION = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;

/** Every action of a template, in order (comments included: their body starts with slash-star). */
export function actionsOf(text: string): Action[] {
  return [...text.matchAll(ACTION)].map((m) => ({ body: m[1] as string, start: m.index, end: m.index + m[0].length }));
}

type Keyword = 'if' | 'with' | 'range' | 'define' | 'block' | 'else' | 'end' | null;

function keywordOf(body: string): Keyword {
  const word = /^([a-z]+)\b/.exec(body)?.[1];
  return word === 'if' || word === 'with' || word === 'range' || word === 'define' || word === 'block' || word === 'else' || word === 'end' ? word : null;
}

const OPENERS = new Set<Keyword>(['if', 'with', 'range', 'define', 'block']);

/** The text between an opening action (`if ...`, `define "x"`) and its matching `end`. */
export function blockAfter(text: string, opener: Action): string {
  let depth = 0;
  for (const action of actionsOf(text.slice(opener.end))) {
    const keyword = keywordOf(action.body);
    if (OPENERS.has(keyword)) depth++;
    else if (keyword === 'end') {
      if (depth === 0) return text.slice(opener.end, opener.end + action.start);
      depth--;
    }
  }
  throw new Error(`no end for {{ ${opener.body} }}`);
}

/** The block opened by the first action whose body is exactly `body`. */
export function blockOf(text: string, body: string): string {
  const opener = actionsOf(text).find((a) => a.body === body);
  if (opener === undefined) throw new Error(`no {{ ${body} }} in the template`);
  return blockAfter(text, opener);
}

/** name -> raw body of every `define` in the given texts. */
export function definesOf(...texts: string[]): Map<string, string> {
  const defines = new Map<string, string>();
  for (const text of texts) {
    for (const action of actionsOf(text)) {
      const name = /^define\s+"([^"]+)"$/.exec(action.body)?.[1];
      if (name !== undefined) defines.set(name, blockAfter(text, action));
    }
  }
  return defines;
}

export interface StripOptions {
  /** Helper bodies for `include` (from definesOf). */
  readonly defines?: ReadonlyMap<string, string>;
  /** Contents of chart files, for `.Files.Get "path" | nindent N`. */
  readonly files?: (path: string) => string;
  /** Decides an `if`/`else if`/`with` action (its whole body); undefined keeps the branch. */
  readonly decide?: (body: string) => boolean | undefined;
  /** Chart values, for `toYaml .Values.x | nindent N` (absent: those actions render nothing). */
  readonly values?: unknown;
}

interface Frame {
  readonly decided: boolean;
  active: boolean;
  taken: boolean;
  /** For `with .Values.x`: the path `.` stands for inside. */
  readonly dot?: string;
}

/** The value at a dotted path (`.app.port`) of the chart values. */
export function valueAt(values: unknown, path: string): unknown {
  return path.split('.').filter(Boolean).reduce<unknown>(
    (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), values);
}

const COMMENT = /\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g;
const COMMENT_MARK = '\u0000';
const INCLUDE = /^include\s+"([^"]+)"\s+(?:\.|\$)(?:\s*\|\s*(n?indent)\s+(\d+))?$/;
const FILES_GET = /^\.Files\.Get\s+"([^"]+)"\s*\|\s*nindent\s+(\d+)$/;
const TO_YAML = /^toYaml\s+(\.|\.Values(?:\.\w+)+)\s*\|\s*nindent\s+(\d+)$/;

function indentLines(text: string, spaces: number): string[] {
  return text.split('\n').map((line) => (line.trim() === '' ? '' : ' '.repeat(spaces) + line));
}

/** The template with its actions stripped, ready for a YAML parser. Throws on what it cannot read. */
export function stripTemplate(template: string, options: StripOptions = {}): string {
  const out: string[] = [];
  const frames: Frame[] = [];
  const active = (): boolean => frames.every((f) => f.active);
  const expandInclude = (name: string): string => {
    const body = options.defines?.get(name);
    if (body === undefined) throw new Error(`include of an unknown define "${name}"`);
    return stripTemplate(body, options).replace(/^\n+|\n+$/g, '');
  };

  for (const line of template.replace(COMMENT, COMMENT_MARK).split('\n')) {
    if (line.split('{{').length !== line.split('}}').length) throw new Error(`an action spans lines: ${line.trim()}`);
    const actions = actionsOf(line);
    const rest = line.replace(ACTION, '').replaceAll(COMMENT_MARK, '');
    if (actions.length === 0) {
      if (line.includes(COMMENT_MARK) && rest.trim() === '') continue;
      if (active()) out.push(rest);
      continue;
    }
    const controls = actions.filter((a) => keywordOf(a.body) !== null);
    if (rest.trim() === '') {
      for (const action of actions) {
        const keyword = keywordOf(action.body);
        if (keyword === 'end') {
          if (frames.pop() === undefined) throw new Error('end without an opening action');
        } else if (keyword === 'else') {
          const frame = frames.at(-1);
          if (frame === undefined) throw new Error('else without if');
          const cond = action.body === 'else' ? true : options.decide?.(action.body);
          if (!frame.decided) frame.active = true;
          else if (frame.taken) frame.active = false;
          else {
            frame.active = cond ?? true;
            frame.taken = frame.active;
          }
        } else if (keyword !== null) {
          const decision = keyword === 'if' || keyword === 'with' ? options.decide?.(action.body) : undefined;
          const dot = keyword === 'with' ? /^with \.Values((?:\.\w+)+)$/.exec(action.body)?.[1] : undefined;
          frames.push({ decided: decision !== undefined, active: decision ?? true, taken: decision === true, ...(dot === undefined ? {} : { dot }) });
        } else if (active()) {
          const include = INCLUDE.exec(action.body);
          const file = FILES_GET.exec(action.body);
          const toYaml = TO_YAML.exec(action.body);
          const indent = line.length - line.trimStart().length;
          if (include !== null) {
            const spaces = include[3] === undefined ? 0 : Number(include[3]);
            const lines = indentLines(expandInclude(include[1] as string), spaces);
            if (include[2] === undefined && lines.length > 0) lines[0] = ' '.repeat(indent) + (lines[0] as string).trimStart();
            out.push(...lines);
          } else if (file !== null && options.files !== undefined) {
            out.push(...indentLines(options.files(file[1] as string), Number(file[2])));
          } else if (toYaml !== null && options.values !== undefined) {
            const path = toYaml[1] === '.' ? frames.findLast((f) => f.dot !== undefined)?.dot : (toYaml[1] as string).slice('.Values'.length);
            const value = path === undefined ? undefined : valueAt(options.values, path);
            // Helm's `with` skips empty values, and so does toYaml's caller in this chart.
            const empty = value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0);
            if (!empty) out.push(...indentLines(stringify(value).trimEnd(), Number(toYaml[2])));
          }
        }
      }
      continue;
    }
    if (controls.length > 0) throw new Error(`a control action shares its line with YAML: ${line.trim()}`);
    if (!active()) continue;
    // `- {{- include "x" . | nindent N }}`: a list item whose mapping the helper writes.
    const item = /^(\s*)-\s*$/.exec(rest);
    const only = actions[0] as Action;
    const itemInclude = actions.length === 1 ? INCLUDE.exec(only.body) : null;
    if (item !== null && itemInclude?.[2] === 'nindent') {
      out.push(`${item[1]}-`, ...indentLines(expandInclude(itemInclude[1] as string), Number(itemInclude[3])));
      continue;
    }
    let result = '';
    let at = 0;
    for (const action of actionsOf(line)) {
      result += line.slice(at, action.start) + (/\bn?indent\b/.test(action.body) ? '' : PLACEHOLDER);
      at = action.end;
    }
    out.push((result + line.slice(at)).replaceAll(COMMENT_MARK, ''));
  }
  if (frames.length > 0) throw new Error(`${frames.length} block(s) not closed`);
  return out.join('\n');
}

/** Decides conditions on chart values the way Helm would, for the simple forms the chart uses. */
export function decideFromValues(values: unknown): (body: string) => boolean | undefined {
  const lookup = (path: string): unknown => valueAt(values, path);
  const truthy = (v: unknown): boolean => !(v === undefined || v === null || v === false || v === 0 || v === '' ||
    (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0));
  return (body) => {
    const plain = /^(?:else )?(?:if|with) \.Values((?:\.\w+)+)$/.exec(body);
    if (plain !== null) return truthy(lookup(plain[1] as string));
    const negated = /^(?:else )?if not \.Values((?:\.\w+)+)$/.exec(body);
    if (negated !== null) return !truthy(lookup(negated[1] as string));
    const equals = /^(?:else )?if eq \.Values((?:\.\w+)+) "([^"]*)"$/.exec(body);
    if (equals !== null) return lookup(equals[1] as string) === equals[2];
    return undefined;
  };
}
