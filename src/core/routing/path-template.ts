// Path templates as written in route config: literal segments, `:name` or `{name}` for one segment,
// and a final `*` for any number of further segments (a prefix). `/users/:id`, `/static/*`, `/`.

export type TemplateSegment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'rest' };

const PARAM = /^(?::([A-Za-z_][\w-]*)|\{([A-Za-z_][\w-]*)\})$/;

/** Parses a template; returns its segments or a message saying what is wrong with it. */
export function parsePathTemplate(template: string): TemplateSegment[] | string {
  if (!template.startsWith('/')) return `"${template}" must start with /`;
  if (/[?#\s]/.test(template)) return `"${template}" must be a path only (no query, fragment or spaces)`;
  if (template === '/') return [];
  const parts = template.slice(1).split('/');
  const segments: TemplateSegment[] = [];
  const names = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '*') {
      if (i !== parts.length - 1) return `"${template}": * may only be the last segment`;
      segments.push({ kind: 'rest' });
      continue;
    }
    const param = PARAM.exec(part);
    if (param !== null) {
      const name = (param[1] ?? param[2]) as string;
      if (names.has(name)) return `"${template}": parameter "${name}" appears twice`;
      names.add(name);
      segments.push({ kind: 'param', name });
      continue;
    }
    if (part.includes('*') || part.includes('{') || part.includes('}') || part.startsWith(':')) {
      return `"${template}": segment "${part}" must be literal text, :name, {name}, or a final *`;
    }
    segments.push({ kind: 'literal', text: part });
  }
  return segments;
}

/** The segments of a request path (query string left out): `/a/b?x` → ['a', 'b'], `/` → []. */
export function pathSegments(url: string): string[] {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path === '/' || path === '' ? [] : path.slice(1).split('/');
}
