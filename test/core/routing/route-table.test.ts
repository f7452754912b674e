import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RouteTable, type RouteMatch } from '../../../src/core/routing/route-table.ts';

function route(path: string, methods: string[] = [], headers: [string, string][] = []): RouteMatch {
  return { path, methods, headers };
}

/** A table whose value is each route's index in config order; -1 is the fallback. */
function table(matches: readonly RouteMatch[]): RouteTable<number> {
  return new RouteTable(matches.map((match, value) => ({ match, value })), -1);
}

// --- A naive reference matcher: tries every route in order, segment by segment. ---

type RefSegment = { readonly literal: string } | 'param' | 'rest';

function refTemplate(path: string): RefSegment[] {
  if (path === '/') return [];
  return path.slice(1).split('/').map((part): RefSegment =>
    part === '*' ? 'rest' : part.startsWith(':') || part.startsWith('{') ? 'param' : { literal: part });
}

function refSegments(url: string): string[] {
  const path = url.split('?')[0] as string;
  return path === '/' || path === '' ? [] : path.slice(1).split('/');
}

function refPathMatches(template: readonly RefSegment[], segments: readonly string[]): boolean {
  for (let j = 0; j < template.length; j++) {
    const t = template[j] as RefSegment;
    if (t === 'rest') return true; // zero or more remaining segments, whatever they are
    if (j >= segments.length) return false;
    const segment = segments[j] as string;
    if (t === 'param' ? segment === '' : segment !== t.literal) return false;
  }
  return template.length === segments.length;
}

function refHeadersMatch(wanted: readonly (readonly [string, string])[], raw: readonly string[]): boolean {
  return wanted.every(([name, value]) => {
    for (let i = 0; i < raw.length; i += 2) {
      if ((raw[i] as string).toLowerCase() === name && raw[i + 1] === value) return true;
    }
    return false;
  });
}

function refMatch(routes: readonly RouteMatch[], method: string, url: string, raw: readonly string[]): number {
  const segments = refSegments(url);
  return routes.findIndex((r) =>
    refPathMatches(refTemplate(r.path), segments)
    && (r.methods.length === 0 || r.methods.includes(method))
    && refHeadersMatch(r.headers, raw));
}

// --- Generators ---

const LITERALS = ['a', 'b', 'users', '42', ''];

const templateArb = fc
  .record({
    parts: fc.array(fc.oneof(fc.constantFrom(...LITERALS), fc.constant(':'), fc.constant('{}')), { maxLength: 4 }),
    star: fc.boolean(),
  })
  .map(({ parts, star }) => {
    // Params get unique names by position, in either spelling.
    const named = parts.map((p, i) => (p === ':' ? `:p${i}` : p === '{}' ? `{p${i}}` : p));
    if (star) named.push('*');
    return named.length === 0 ? '/' : `/${named.join('/')}`;
  });

const routeArb: fc.Arbitrary<RouteMatch> = fc.record({
  path: templateArb,
  methods: fc.subarray(['GET', 'POST', 'PUT']),
  headers: fc.uniqueArray(fc.tuple(fc.constantFrom('x-a', 'x-b'), fc.constantFrom('1', '2')), {
    maxLength: 2,
    selector: ([name]) => name,
  }),
});

const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  url: fc
    .tuple(fc.array(fc.constantFrom(...LITERALS, 'c'), { maxLength: 5 }), fc.constantFrom('', '?', '?q=/a/b', '?x=1'))
    .map(([segments, query]) => `/${segments.join('/')}${query}`),
  // Names unique regardless of case: what a route asks of a repeated header is not specified here.
  rawHeaders: fc
    .uniqueArray(fc.tuple(fc.constantFrom('x-a', 'X-A', 'x-b', 'X-b', 'x-c'), fc.constantFrom('1', '2', '')), {
      maxLength: 3,
      selector: ([name]) => name.toLowerCase(),
    })
    .map((pairs) => pairs.flat()),
});

describe('RouteTable: the trie agrees with a naive in-order matcher', () => {
  it('gives the same route for random tables and requests', () => {
    let matched = 0;
    let fellBack = 0;
    fc.assert(
      fc.property(fc.array(routeArb, { maxLength: 6 }), fc.array(requestArb, { minLength: 1, maxLength: 8 }), (routes, requests) => {
        const t = table(routes);
        for (const { method, url, rawHeaders } of requests) {
          const expected = refMatch(routes, method, url, rawHeaders);
          expect(t.match(method, url, rawHeaders)).toBe(expected);
          if (expected === -1) fellBack++;
          else matched++;
        }
      }),
      { numRuns: 2000, seed: 20240611 },
    );
    // The property is only worth something if both outcomes were exercised often.
    expect(matched).toBeGreaterThan(1000);
    expect(fellBack).toBeGreaterThan(1000);
  });

  it('gives the same route for requests built from the table\'s own templates', () => {
    // Requests that follow a template closely reach deep trie nodes far more often than random paths.
    const fill = (template: string, choice: number): string =>
      template === '/' ? '/' : `/${template.slice(1).split('/').map((part) =>
        part === '*' ? ['', 'a', 'a/b'][choice % 3] as string
          : part.startsWith(':') || part.startsWith('{') ? ['42', '', 'users'][choice % 3] as string
            : part).join('/')}`;
    fc.assert(
      fc.property(
        fc.array(routeArb, { minLength: 1, maxLength: 6 }),
        fc.nat(), fc.nat(), requestArb,
        (routes, pick, choice, { method, rawHeaders }) => {
          const url = fill((routes[pick % routes.length] as RouteMatch).path, choice);
          expect(table(routes).match(method, url, rawHeaders)).toBe(refMatch(routes, method, url, rawHeaders));
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });
});

describe('RouteTable: examples', () => {
  it.each<[string, string[], number]>([
    ['/users/me before /users/:id', ['/users/me', '/users/:id'], 0],
    ['/users/:id before /users/me', ['/users/:id', '/users/me'], 0],
    ['/users/* before /users/me', ['/users/*', '/users/me'], 0],
    ['/users/me after /*', ['/*', '/users/me'], 0],
    ['a later literal route than a param route', ['/:x/me', '/users/:y', '/users/me'], 0],
    ['a param route before a literal one of another shape', ['/users/:y', '/:x/me', '/users/me'], 0],
  ])('the first match in config order wins: %s', (_what, paths, expected) => {
    expect(table(paths.map((p) => route(p))).match('GET', '/users/me', [])).toBe(expected);
  });

  it('still matches the later route for a request only it fits', () => {
    const t = table([route('/users/me'), route('/users/:id')]);
    expect(t.match('GET', '/users/42', [])).toBe(1);
    expect(t.match('GET', '/users/me', [])).toBe(0);
  });

  it.each<[string, number]>([
    ['/static', 0],
    ['/static/', 0],
    ['/static/a', 0],
    ['/static/a/b', 0],
    ['/static/a/b?x=1', 0],
    ['/staticx', -1],
    ['/staticx/a', -1],
    ['/stati', -1],
    ['/', -1],
    ['/other/static/a', -1],
  ])('a prefix route /static/* on %s → %i', (url, expected) => {
    expect(table([route('/static/*')]).match('GET', url, [])).toBe(expected);
  });

  it('lets /* match every path, the root included', () => {
    const t = table([route('/*')]);
    for (const url of ['/', '/a', '/a/b/c', '/?x', '//']) expect(t.match('GET', url, [])).toBe(0);
  });

  it('matches / only for the root', () => {
    const t = table([route('/')]);
    expect(t.match('GET', '/', [])).toBe(0);
    expect(t.match('GET', '/?q=1', [])).toBe(0);
    expect(t.match('GET', '/a', [])).toBe(-1);
    expect(t.match('GET', '//', [])).toBe(-1);
  });

  it('ignores the query string', () => {
    const t = table([route('/search'), route('/users/:id')]);
    expect(t.match('GET', '/search?q=/users/1', [])).toBe(0);
    expect(t.match('GET', '/users/7?expand=true', [])).toBe(1);
    expect(t.match('GET', '/users?id=7', [])).toBe(-1);
  });

  it('needs a non-empty segment for a param', () => {
    const t = table([route('/users/:id')]);
    expect(t.match('GET', '/users/7', [])).toBe(0);
    expect(t.match('GET', '/users/', [])).toBe(-1);
    expect(t.match('GET', '/users', [])).toBe(-1);
    expect(t.match('GET', '/users/7/posts', [])).toBe(-1);
  });

  it('treats a trailing slash as an empty last segment', () => {
    const t = table([route('/users/'), route('/users')]);
    expect(t.match('GET', '/users/', [])).toBe(0);
    expect(t.match('GET', '/users', [])).toBe(1);
  });

  it('falls through to a later route when the method does not match', () => {
    const t = table([route('/items/:id', ['PUT', 'DELETE']), route('/items/:id', ['GET']), route('/items/*')]);
    expect(t.match('PUT', '/items/1', [])).toBe(0);
    expect(t.match('DELETE', '/items/1', [])).toBe(0);
    expect(t.match('GET', '/items/1', [])).toBe(1);
    expect(t.match('POST', '/items/1', [])).toBe(2);
    expect(t.match('put', '/items/1', [])).toBe(2);
  });

  it('matches any method when the route lists none', () => {
    const t = table([route('/a')]);
    for (const method of ['GET', 'POST', 'PATCH', 'BREW']) expect(t.match(method, '/a', [])).toBe(0);
  });

  it('requires every header, with an exact value, names compared case-insensitively', () => {
    const t = table([route('/a', [], [['x-tenant', 'blue'], ['x-canary', '1']]), route('/a', [], [['x-tenant', 'blue']])]);
    expect(t.match('GET', '/a', ['X-Tenant', 'blue', 'X-CANARY', '1'])).toBe(0);
    expect(t.match('GET', '/a', ['x-canary', '1', 'x-tenant', 'blue'])).toBe(0);
    expect(t.match('GET', '/a', ['X-Tenant', 'blue'])).toBe(1);
    expect(t.match('GET', '/a', ['X-Tenant', 'blue', 'x-canary', '2'])).toBe(1);
    expect(t.match('GET', '/a', ['X-Tenant', 'Blue', 'x-canary', '1'])).toBe(-1);
    expect(t.match('GET', '/a', ['X-Tenant', 'blue ', 'x-canary', '1'])).toBe(-1);
    expect(t.match('GET', '/a', ['x-tenants', 'blue', 'x-canar', '1'])).toBe(-1);
    expect(t.match('GET', '/a', [])).toBe(-1);
  });

  it('does not take a header value for a header name', () => {
    const t = table([route('/a', [], [['x-tenant', 'blue']])]);
    expect(t.match('GET', '/a', ['x-other', 'x-tenant', 'blue', 'x'])).toBe(-1);
  });

  it('returns the fallback when no route matches', () => {
    const t = new RouteTable([{ match: route('/a'), value: 'a' }], 'fallback');
    expect(t.match('GET', '/b', [])).toBe('fallback');
    expect(t.match('GET', '/a', [])).toBe('a');
  });

  it('returns the fallback of an empty table without looking at the path', () => {
    const t = new RouteTable<string>([], 'fallback');
    const unreadable = {
      indexOf() { throw new Error('the path was read'); },
      slice() { throw new Error('the path was read'); },
    } as unknown as string;
    expect(t.match('GET', unreadable, [])).toBe('fallback');
    expect(t.match('GET', '/anything/at/all', ['x', 'y'])).toBe('fallback');
  });

  it('refuses an invalid template when built', () => {
    expect(() => table([route('/ok'), route('no-slash')])).toThrow('"no-slash" must start with /');
  });
});
