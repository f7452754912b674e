import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../src/core/config/model.ts';
import type { RawLayer, RawTree } from '../../../src/core/config/layers.ts';
import type { RouteConfig } from '../../../src/core/config/policy.ts';
import { BUILT_IN_POLICY } from './built-in-policy.ts';
import { compileRoutes } from '../../../src/core/resilience/compile-routes.ts';
import { IGNORE_RESILIENCE_EVENTS } from '../../../src/ports/resilience-events.ts';

function layer(values: RawTree, origins: Record<string, string> = {}): RawLayer {
  return { values, origins: new Map(Object.entries(origins)) };
}

function read(values: RawTree, origins: Record<string, string> = {}) {
  return readConfig(layer(values, origins));
}

/** The routes of a config that must be valid. */
function routesOf(values: RawTree): readonly RouteConfig[] {
  const result = read(values);
  expect(result.issues).toEqual([]);
  return result.config.routes;
}


const RETRY_ON_MESSAGE = 'is not one of: connect-failure, reset, refused-stream, per-try-timeout, protocol-error, gateway-error, 5xx, or a status code such as 503';
const FAIL_ON_MESSAGE = 'is not one of: connect-failure, reset, refused-stream, timeout, per-try-timeout, protocol-error, gateway-error, 5xx, or a status code such as 503';

describe('policy config: defaultRoute', () => {
  it('has the built-in defaults when nothing is set', () => {
    const result = read({});
    expect(result.issues).toEqual([]);
    expect(result.config.defaultRoute).toEqual({ name: 'default', ...BUILT_IN_POLICY });
    expect(result.config.routes).toEqual([]);
  });

  it('reads every key it has', () => {
    const result = read({
      flags: { chaos: false },
      defaultRoute: {
        name: 'unmatched',
        timeout: '30s',
        maxInFlight: 100,
        retry: {
          attempts: 4,
          perTryTimeout: '2s',
          retryOn: ['5xx', 'refused-stream', 429, 'per-try-timeout'],
          backoff: { base: '10ms', max: '1s' },
          retryAfterMax: '5s',
          methods: ['get', 'Head'],
          bufferLimit: '1MiB',
          budget: { ratio: '50%', minRetriesPerSecond: 0, window: '1m' },
          flag: 'chaos',
        },
        circuitBreaker: {
          group: 'shared',
          consecutiveFailures: 0,
          failureRate: 0.25,
          minRequests: 5,
          window: '30s',
          openFor: '1s',
          maxOpenFor: '1s',
          halfOpenRequests: 3,
          failOn: 'timeout, gateway-error, 429',
        },
        rateLimit: { requestsPerSecond: 50, burst: 80, key: 'X-Api-Key', maxKeys: 500 },
        fault: { header: 'X-Chaos', flag: 'chaos', delay: { duration: ['50ms', '2s'], percentage: '10%' }, abort: { status: 500, percentage: 0.05 } },
        shadow: { upstream: 'http://shop-v2.shop.svc:8080/', percentage: '10%', flag: 'chaos', timeout: '2s', maxInFlight: 8 },
      },
    });
    expect(result.issues).toEqual([]);
    expect(result.config.defaultRoute).toEqual({
      name: 'unmatched',
      timeoutMs: 30_000,
      maxInFlight: 100,
      retry: {
        attempts: 4,
        perTryTimeoutMs: 2000,
        retryOn: ['5xx', 'refused-stream', '429', 'per-try-timeout'],
        backoff: { baseMs: 10, maxMs: 1000 },
        retryAfterMaxMs: 5000,
        methods: ['GET', 'HEAD'],
        bufferLimit: 1024 * 1024,
        budget: { ratio: 0.5, minPerSecond: 0, windowMs: 60_000 },
        flag: 'chaos',
      },
      circuitBreaker: {
        group: 'shared',
        consecutiveFailures: 0,
        failureRate: 0.25,
        minRequests: 5,
        windowMs: 30_000,
        openForMs: 1000,
        maxOpenForMs: 1000,
        halfOpenRequests: 3,
        failOn: ['timeout', 'gateway-error', '429'],
      },
      rateLimit: { requestsPerSecond: 50, burst: 80, key: 'x-api-key', maxKeys: 500 },
      fault: { header: 'x-chaos', flag: 'chaos', delay: { durationMs: [50, 2000], ratio: 0.1 }, abort: { status: 500, ratio: 0.05 } },
      shadow: { origin: 'http://shop-v2.shop.svc:8080', ratio: 0.1, flag: 'chaos', timeoutMs: 2000, maxInFlight: 8 },
    });
  });

  it('names the shadow upstream that is not an http origin, and a flag that is not declared', () => {
    const result = read({ defaultRoute: { shadow: { upstream: 'https://v2:8443', flag: 'nope' } } });
    expect(result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/^defaultRoute\.shadow\.flag: /),
      'defaultRoute.shadow.upstream: scheme "https" is not supported: shadows are sent over plain http',
    ]);
  });

  it('accepts a timeout of 0 (no limit) with any perTryTimeout', () => {
    const result = read({ defaultRoute: { timeout: 0, retry: { perTryTimeout: '1h' } } });
    expect(result.issues).toEqual([]);
    expect(result.config.defaultRoute.timeoutMs).toBe(0);
    expect(result.config.defaultRoute.retry.perTryTimeoutMs).toBe(3_600_000);
  });
});

describe('policy config: routes inherit from defaultRoute', () => {
  it('gives a route with only a match the built-in policy, named by its path', () => {
    expect(routesOf({ routes: [{ match: { path: '/users/:id' } }] })).toEqual([
      { name: '/users/:id', match: { path: '/users/:id', methods: [], headers: [] }, ...BUILT_IN_POLICY },
    ]);
  });

  it('matches every path when a route has no match at all', () => {
    expect(routesOf({ routes: [{ name: 'all', timeout: '1s' }] })[0]).toMatchObject({ name: 'all', match: { path: '/*', methods: [], headers: [] } });
  });

  it('keeps routes in config order', () => {
    const routes = routesOf({ routes: [{ match: { path: '/b' } }, { match: { path: '/a' } }, { match: { path: '/c' } }] });
    expect(routes.map((r) => r.name)).toEqual(['/b', '/a', '/c']);
  });

  it('inherits what defaultRoute sets unless the route sets it itself', () => {
    const routes = routesOf({
      defaultRoute: { timeout: '5s', maxInFlight: 50, retry: { attempts: 3 }, circuitBreaker: { failureRate: '10%' } },
      routes: [
        { match: { path: '/a' } },
        { match: { path: '/b' }, timeout: '2s', retry: { attempts: 1 }, circuitBreaker: { failureRate: 0 } },
      ],
    });
    expect(routes[0]).toEqual({
      name: '/a',
      match: { path: '/a', methods: [], headers: [] },
      ...BUILT_IN_POLICY,
      timeoutMs: 5000,
      maxInFlight: 50,
      retry: { ...BUILT_IN_POLICY.retry, attempts: 3 },
      circuitBreaker: { ...BUILT_IN_POLICY.circuitBreaker, failureRate: 0.1 },
    });
    expect(routes[1]).toMatchObject({ timeoutMs: 2000, maxInFlight: 50, retry: { attempts: 1 }, circuitBreaker: { failureRate: 0 } });
  });

  it('merges nested sections key by key: a route setting one retry key keeps the inherited others', () => {
    const routes = routesOf({
      defaultRoute: {
        retry: { attempts: 4, retryOn: ['5xx'], backoff: { base: '50ms', max: '1s' }, budget: { ratio: '5%' } },
        circuitBreaker: { failOn: ['5xx'], openFor: '2s' },
      },
      routes: [{
        match: { path: '/a' },
        retry: { perTryTimeout: '1s', backoff: { max: '2s' }, budget: { window: '1m' } },
        circuitBreaker: { maxOpenFor: '3s' },
      }],
    });
    expect(routes[0]?.retry).toEqual({
      ...BUILT_IN_POLICY.retry,
      attempts: 4,
      perTryTimeoutMs: 1000,
      retryOn: ['5xx'],
      backoff: { baseMs: 50, maxMs: 2000 },
      budget: { ratio: 0.05, minPerSecond: 10, windowMs: 60_000 },
    });
    expect(routes[0]?.circuitBreaker).toEqual({ ...BUILT_IN_POLICY.circuitBreaker, failOn: ['5xx'], openForMs: 2000, maxOpenForMs: 3000 });
  });

  it('replaces an inherited list whole: a route\'s retryOn is not added to the default\'s', () => {
    const routes = routesOf({ defaultRoute: { retry: { retryOn: ['5xx', 'reset'] } }, routes: [{ match: { path: '/a' }, retry: { retryOn: ['429'] } }] });
    expect(routes[0]?.retry.retryOn).toEqual(['429']);
  });

  it('does not inherit defaultRoute\'s name', () => {
    const routes = routesOf({ defaultRoute: { name: 'rest' }, routes: [{ match: { path: '/a' } }] });
    expect(routes[0]?.name).toBe('/a');
  });

  it('does not let one route\'s settings leak into the next', () => {
    const routes = routesOf({ routes: [{ match: { path: '/a' }, retry: { attempts: 5 } }, { match: { path: '/b' } }] });
    expect(routes[1]?.retry.attempts).toBe(2);
  });

  it('leaves defaultRoute untouched by routes', () => {
    const result = read({ routes: [{ match: { path: '/a' }, timeout: '1s', retry: { attempts: 5 } }] });
    expect(result.config.defaultRoute).toEqual({ name: 'default', ...BUILT_IN_POLICY });
  });
});

describe('policy config: route match', () => {
  it('takes an explicit name over the path', () => {
    expect(routesOf({ routes: [{ name: 'users', match: { path: '/users/:id' } }] })[0]?.name).toBe('users');
  });

  it('upper-cases methods, in match and in retry', () => {
    const routes = routesOf({ routes: [{ match: { path: '/a', methods: ['get', 'Post', 'PATCH'] }, retry: { methods: ['post'] } }] });
    expect(routes[0]?.match.methods).toEqual(['GET', 'POST', 'PATCH']);
    expect(routes[0]?.retry.methods).toEqual(['POST']);
  });

  it('reads methods from an env-style comma string', () => {
    expect(routesOf({ routes: [{ match: { path: '/a', methods: 'get, put' } }] })[0]?.match.methods).toEqual(['GET', 'PUT']);
  });

  it('lower-cases header names and keeps values exactly, as strings', () => {
    const routes = routesOf({ routes: [{ match: { path: '/a', headers: { 'X-Tenant': 'Blue', 'x-version': 2 } } }] });
    expect(routes[0]?.match.headers).toEqual([['x-tenant', 'Blue'], ['x-version', '2']]);
  });

  it('accepts every template form', () => {
    const paths = ['/', '/users/:id', '/users/{id}/posts', '/static/*', '/*'];
    expect(routesOf({ routes: paths.map((path) => ({ match: { path } })) }).map((r) => r.match.path)).toEqual(paths);
  });
});

describe('policy config: one issue per mistake, at its path and origin', () => {
  const ORIGIN = 'sightline.yaml:40:7';

  it.each<[string, RawTree, string, string]>([
    ['a template without a slash', { routes: [{ match: { path: 'users/:id' } }] }, 'routes[0].match.path', '"users/:id" must start with /'],
    ['a template with a star before the end', { routes: [{ match: { path: '/*/a' } }] }, 'routes[0].match.path', '"/*/a": * may only be the last segment'],
    ['a template with a query', { routes: [{ match: { path: '/a?b=1' } }] }, 'routes[0].match.path', '"/a?b=1" must be a path only (no query, fragment or spaces)'],
    ['a template with a repeated param', { routes: [{ match: { path: '/:id/:id' } }] }, 'routes[0].match.path', '"/:id/:id": parameter "id" appears twice'],
    ['a bad template in a later route', { routes: [{ match: { path: '/a' } }, { match: { path: '/{x' } }] }, 'routes[1].match.path', '"/{x": segment "{x" must be literal text, :name, {name}, or a final *'],
    ['an unknown retryOn word', { routes: [{ match: { path: '/a' }, retry: { retryOn: ['5xx', 'timeout'] } }] }, 'routes[0].retry.retryOn[1]', `"timeout" ${RETRY_ON_MESSAGE}`],
    ['an unknown failOn word', { routes: [{ match: { path: '/a' }, circuitBreaker: { failOn: ['5xx', 'oops', 'reset'] } }] }, 'routes[0].circuitBreaker.failOn[1]', `"oops" ${FAIL_ON_MESSAGE}`],
    ['a status code out of range in retryOn', { defaultRoute: { retry: { retryOn: [600] } } }, 'defaultRoute.retry.retryOn[0]', `"600" ${RETRY_ON_MESSAGE}`],
    ['a bad method', { routes: [{ match: { path: '/a', methods: ['GET', 'GE T'] } }] }, 'routes[0].match.methods[1]', '"GE T" is not an HTTP method'],
    ['a bad retry method', { defaultRoute: { retry: { methods: ['G(ET'] } } }, 'defaultRoute.retry.methods[0]', '"G(ET" is not an HTTP method'],
    ['a bad header name', { routes: [{ match: { path: '/a', headers: { 'x tenant': 'a' } } }] }, 'routes[0].match.headers.x tenant', '"x tenant" is not a header name'],
    ['a header with a map value', { routes: [{ match: { path: '/a', headers: { 'x-a': { b: 1 } } } }] }, 'routes[0].match.headers.x-a', 'must be a single value'],
    ['an empty route name', { routes: [{ name: ' ', match: { path: '/a' } }] }, 'routes[0].name', 'must not be empty'],
    ['an empty defaultRoute name', { defaultRoute: { name: '' } }, 'defaultRoute.name', 'must not be empty'],
    ['attempts 0', { routes: [{ match: { path: '/a' }, retry: { attempts: 0 } }] }, 'routes[0].retry.attempts', 'must be at least 1'],
    ['attempts 11', { defaultRoute: { retry: { attempts: 11 } } }, 'defaultRoute.retry.attempts', 'must be at most 10'],
    ['failureRate above 100%', { routes: [{ match: { path: '/a' }, circuitBreaker: { failureRate: '150%' } }] }, 'routes[0].circuitBreaker.failureRate', 'must be at most 100%'],
    ['failureRate above 1 as a fraction', { defaultRoute: { circuitBreaker: { failureRate: 1.01 } } }, 'defaultRoute.circuitBreaker.failureRate', 'must be at most 100%'],
    ['a bad budget ratio', { routes: [{ match: { path: '/a' }, retry: { budget: { ratio: 'lots' } } }] }, 'routes[0].retry.budget.ratio', '"lots" is not a share: write e.g. 20% or 0.2'],
    ['a budget ratio above 1000%', { defaultRoute: { retry: { budget: { ratio: '1001%' } } } }, 'defaultRoute.retry.budget.ratio', 'must be at most 1000%'],
    ['a bufferLimit above 16MiB', { defaultRoute: { retry: { bufferLimit: '17MiB' } } }, 'defaultRoute.retry.bufferLimit', 'must be at most 16MiB'],
    ['a zero backoff base', { routes: [{ match: { path: '/a' }, retry: { backoff: { base: '0' } } }] }, 'routes[0].retry.backoff.base', 'must be at least 1ms'],
    ['halfOpenRequests 0', { routes: [{ match: { path: '/a' }, circuitBreaker: { halfOpenRequests: 0 } }] }, 'routes[0].circuitBreaker.halfOpenRequests', 'must be at least 1'],
    ['a route timeout without a unit', { routes: [{ match: { path: '/a' }, timeout: 5 }] }, 'routes[0].timeout', 'needs a unit: write 5ms or 5s'],
    ['a perTryTimeout longer than the route\'s timeout', { routes: [{ match: { path: '/a' }, timeout: '1s', retry: { perTryTimeout: '2s' } }] }, 'routes[0].retry.perTryTimeout', 'must not be longer than the route\'s timeout'],
    ['a perTryTimeout longer than defaultRoute\'s timeout', { defaultRoute: { timeout: '1s', retry: { perTryTimeout: '1001ms' } } }, 'defaultRoute.retry.perTryTimeout', 'must not be longer than defaultRoute timeout'],
    ['a route perTryTimeout longer than the inherited timeout', { defaultRoute: { timeout: '1s' }, routes: [{ match: { path: '/a' }, retry: { perTryTimeout: '2s' } }] }, 'routes[0].retry.perTryTimeout', 'must not be longer than the route\'s timeout'],
    ['backoff.base longer than backoff.max', { routes: [{ match: { path: '/a' }, retry: { backoff: { base: '2s', max: '1s' } } }] }, 'routes[0].retry.backoff.base', 'must not be longer than backoff.max'],
    ['backoff.base longer than the inherited backoff.max', { routes: [{ match: { path: '/a' }, retry: { backoff: { base: '251ms' } } }] }, 'routes[0].retry.backoff.base', 'must not be longer than backoff.max'],
    ['openFor longer than maxOpenFor', { routes: [{ match: { path: '/a' }, circuitBreaker: { openFor: '2m' } }] }, 'routes[0].circuitBreaker.openFor', 'must not be longer than maxOpenFor'],
    ['defaultRoute openFor longer than maxOpenFor', { defaultRoute: { circuitBreaker: { openFor: '10s', maxOpenFor: '5s' } } }, 'defaultRoute.circuitBreaker.openFor', 'must not be longer than maxOpenFor'],
    ['routes as a map', { routes: { users: { match: { path: '/users' } } } }, 'routes', 'must be a list (each item starting with "- ")'],
    ['routes as a string', { routes: '/a,/b' }, 'routes', 'must be a list (each item starting with "- ")'],
    ['a route that is not a map', { routes: ['/a'] }, 'routes[0]', 'must be a map of keys'],
    ['match that is not a map', { routes: [{ match: '/a' }] }, 'routes[0].match', 'must be a map of keys'],
    ['a misspelt route key', { routes: [{ match: { path: '/a' }, retyr: { attempts: 3 } }] }, 'routes[0].retyr', 'unknown key (did you mean "retry"?)'],
    ['an unknown route key', { routes: [{ match: { path: '/a' }, bogus: 1 }] }, 'routes[0].bogus', 'unknown key'],
    ['a misspelt match key', { routes: [{ match: { pth: '/a' } }] }, 'routes[0].match.pth', 'unknown key (did you mean "path"?)'],
    ['a misspelt breaker key in a route', { routes: [{ match: { path: '/a' }, circuitBreaker: { openFro: '1s' } }] }, 'routes[0].circuitBreaker.openFro', 'unknown key (did you mean "openFor"?)'],
  ])('%s', (_what, values, path, message) => {
    const result = read(values, { [path]: ORIGIN });
    expect(result.issues).toEqual([{ path, message, origin: ORIGIN }]);
  });

  it('accepts a perTryTimeout equal to the timeout, and any perTryTimeout under a route timeout of 0', () => {
    expect(read({ routes: [{ match: { path: '/a' }, timeout: '2s', retry: { perTryTimeout: '2s' } }] }).issues).toEqual([]);
    expect(read({ defaultRoute: { timeout: '1s' }, routes: [{ match: { path: '/a' }, timeout: 0, retry: { perTryTimeout: '1m' } }] }).issues).toEqual([]);
  });

  it('accepts backoff.base equal to backoff.max and openFor equal to maxOpenFor', () => {
    const result = read({ routes: [{ match: { path: '/a' }, retry: { backoff: { base: '1s', max: '1s' } }, circuitBreaker: { openFor: '1m' } }] });
    expect(result.issues).toEqual([]);
  });

  it('falls back to the inherited value for a key in error', () => {
    const result = read({ defaultRoute: { retry: { attempts: 3 } }, routes: [{ match: { path: '/a' }, retry: { attempts: 0, retryOn: ['5xx', 'nope'] } }] });
    expect(result.issues.map((i) => i.path)).toEqual(['routes[0].retry.attempts', 'routes[0].retry.retryOn[1]']);
    expect(result.config.routes[0]?.retry.attempts).toBe(3);
    expect(result.config.routes[0]?.retry.retryOn).toEqual(['5xx']);
  });

  it('reports each of several mistakes in several routes once, in file order', () => {
    const result = read(
      { routes: [{ match: { path: 'a' }, retry: { attempts: 11 } }, { match: { path: '/b' }, circuitBreaker: { failureRate: '101%' } }] },
      { 'routes[0].match.path': 'f.yaml:3:11', 'routes[0].retry.attempts': 'f.yaml:4:19', 'routes[1].circuitBreaker.failureRate': 'f.yaml:6:33' },
    );
    expect(result.issues).toEqual([
      { path: 'routes[0].match.path', message: '"a" must start with /', origin: 'f.yaml:3:11' },
      { path: 'routes[0].retry.attempts', message: 'must be at most 10', origin: 'f.yaml:4:19' },
      { path: 'routes[1].circuitBreaker.failureRate', message: 'must be at most 100%', origin: 'f.yaml:6:33' },
    ]);
  });
});

describe('policy config: route names are unique', () => {
  it('reports the second of two routes with one name, naming the first', () => {
    const result = read(
      { routes: [{ name: 'users', match: { path: '/users' } }, { match: { path: '/a' } }, { name: 'users', match: { path: '/users/:id' } }] },
      { 'routes[2].name': 'f.yaml:9:11' },
    );
    expect(result.issues).toEqual([{
      path: 'routes[2].name',
      message: '"users" is already the name of routes[0]: every route needs its own name',
      origin: 'f.yaml:9:11',
    }]);
  });

  it('reports two unnamed routes with the same path, since the path is their name', () => {
    const result = read({ routes: [{ match: { path: '/a', methods: ['GET'] } }, { match: { path: '/a', methods: ['POST'] } }] });
    expect(result.issues).toEqual([{ path: 'routes[1].name', message: '"/a" is already the name of routes[0]: every route needs its own name' }]);
  });

  it('reports a named route that takes an unnamed route\'s path as its name', () => {
    const result = read({ routes: [{ match: { path: '/a' } }, { name: '/a', match: { path: '/b' } }] });
    expect(result.issues.map((i) => i.path)).toEqual(['routes[1].name']);
  });

  it('reports every further duplicate against the first', () => {
    const result = read({ routes: [{ name: 'x', match: { path: '/a' } }, { name: 'x', match: { path: '/b' } }, { name: 'x', match: { path: '/c' } }] });
    expect(result.issues).toEqual([
      { path: 'routes[1].name', message: '"x" is already the name of routes[0]: every route needs its own name' },
      { path: 'routes[2].name', message: '"x" is already the name of routes[0]: every route needs its own name' },
    ]);
  });

  it('reports a route named like the default route, built-in or configured', () => {
    expect(read({ routes: [{ name: 'default', match: { path: '/a' } }] }, { 'routes[0].name': 'f.yaml:2:9' }).issues).toEqual([{
      path: 'routes[0].name',
      message: '"default" is already the name of defaultRoute: every route needs its own name',
      origin: 'f.yaml:2:9',
    }]);
    expect(read({ defaultRoute: { name: 'rest' }, routes: [{ name: 'rest', match: { path: '/a' } }] }).issues.map((i) => i.message))
      .toEqual(['"rest" is already the name of defaultRoute: every route needs its own name']);
    expect(read({ defaultRoute: { name: 'rest' }, routes: [{ name: 'default', match: { path: '/a' } }] }).issues).toEqual([]);
  });

  it('compares names exactly', () => {
    expect(read({ routes: [{ name: 'Users', match: { path: '/a' } }, { name: 'users', match: { path: '/b' } }] }).issues).toEqual([]);
  });
});

describe('policy config: a breaker group has one setting', () => {
  it('accepts routes of a group with the same breaker settings, inherited or written', () => {
    const result = read({
      defaultRoute: { circuitBreaker: { openFor: '2s' } },
      routes: [
        { match: { path: '/a' }, circuitBreaker: { group: 'api', failureRate: '30%' } },
        { match: { path: '/b' }, circuitBreaker: { group: 'api', failureRate: 0.3, openFor: '2s' } },
        { match: { path: '/c' }, timeout: '1s', retry: { attempts: 5 }, circuitBreaker: { group: 'api', failureRate: '30%' } },
      ],
    });
    expect(result.issues).toEqual([]);
  });

  it('reports a route whose group setting differs, at its circuitBreaker, naming the first route of the group', () => {
    const result = read(
      {
        routes: [
          { match: { path: '/a' }, circuitBreaker: { group: 'api' } },
          { match: { path: '/b' }, circuitBreaker: { group: 'api', consecutiveFailures: 3 } },
        ],
      },
      { 'routes[1].circuitBreaker': 'f.yaml:12:5' },
    );
    expect(result.issues).toEqual([{
      path: 'routes[1].circuitBreaker',
      message: 'shares group "api" with routes[0] but sets it differently: routes of a group share one breaker and its settings',
      origin: 'f.yaml:12:5',
    }]);
  });

  it('compares the failOn list too', () => {
    const result = read({
      routes: [
        { match: { path: '/a' }, circuitBreaker: { group: 'g' } },
        { match: { path: '/b' }, circuitBreaker: { group: 'g', failOn: ['5xx'] } },
      ],
    });
    expect(result.issues.map((i) => i.path)).toEqual(['routes[1].circuitBreaker']);
  });

  it('reports only the routes that differ from the group\'s first, and keeps groups apart', () => {
    const result = read({
      routes: [
        { match: { path: '/a' }, circuitBreaker: { group: 'g' } },
        { match: { path: '/b' }, circuitBreaker: { group: 'h', minRequests: 7 } },
        { match: { path: '/c' }, circuitBreaker: { group: 'g', minRequests: 7 } },
        { match: { path: '/d' }, circuitBreaker: { group: 'g' } },
        { match: { path: '/e' }, circuitBreaker: { group: 'h', minRequests: 7 } },
        { match: { path: '/f' }, circuitBreaker: { minRequests: 9 } },
      ],
    });
    expect(result.issues).toEqual([{
      path: 'routes[2].circuitBreaker',
      message: 'shares group "g" with routes[0] but sets it differently: routes of a group share one breaker and its settings',
    }]);
  });
});

describe('policy config: each mistake reported once, at its own place', () => {
  // Regression: readPolicy checks cross-field rules on every route after inheritance, so one mistake in
  // defaultRoute (here perTryTimeout 10s > timeout 5s) is also reported once per route, at
  // routes[i].retry.perTryTimeout, a key the user never wrote and that has no origin. Likewise for
  // backoff.base > backoff.max and openFor > maxOpenFor written in defaultRoute.
  it('reports a mistake in defaultRoute once, not again for every route that inherits it', () => {
    const result = read(
      { defaultRoute: { timeout: '5s', retry: { perTryTimeout: '10s' } }, routes: [{ match: { path: '/a' } }, { match: { path: '/b' } }] },
      { 'defaultRoute.retry.perTryTimeout': 'f.yaml:5:19' },
    );
    expect(result.issues).toEqual([
      { path: 'defaultRoute.retry.perTryTimeout', message: 'must not be longer than defaultRoute timeout', origin: 'f.yaml:5:19' },
    ]);
  });

  // Regression: a route whose path is invalid falls back to the path '/*', which is also its default name, so
  // a second route with a bad path gets a second issue: '"/*" is already the name of routes[0]'.
  it('reports a bad template once, without a follow-on duplicate-name issue', () => {
    const result = read({ routes: [{ match: { path: 'a' } }, { match: { path: 'b' } }] });
    expect(result.issues.map((i) => i.path)).toEqual(['routes[0].match.path', 'routes[1].match.path']);
  });

  // Regression: Section.list skips an item that is not a map, and readRoutes numbers the routes it got back
  // (forEach index), not their places in the file: here the duplicate is reported at routes[1].name
  // ("already the name of routes[0]") although routes[1] and routes[0] are the two entries it is not.
  it('names a duplicate by its place in the file when an earlier item is not a map', () => {
    const result = read({ routes: ['oops', { match: { path: '/a' } }, { match: { path: '/a' } }] });
    expect(result.issues).toEqual([
      { path: 'routes[0]', message: 'must be a map of keys' },
      { path: 'routes[2].name', message: '"/a" is already the name of routes[1]: every route needs its own name' },
    ]);
  });

  // Regression: readRoutes checks group consistency among routes only. With circuitBreaker.group set in
  // defaultRoute, every route inherits the group; a route overriding a breaker key then shares the
  // group's breaker with defaultRoute under different settings, and no issue is reported.
  // compileRoutes builds routes first, so the default route silently runs on routes[0]'s settings.
  it('reports a route that shares defaultRoute\'s breaker group with different settings', () => {
    const result = read({
      defaultRoute: { circuitBreaker: { group: 'g' } },
      routes: [{ match: { path: '/a' }, circuitBreaker: { consecutiveFailures: 3 } }],
    });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.message).toContain('"g"');
  });

  // Regression: breakers are keyed by group name or, without a group, by route name, in one namespace
  // (compileRoutes); readRoutes does not keep group names apart from route names. A group named like
  // another route silently shares that route's breaker, under the route's settings.
  it('does not let a group named like a route silently share that route\'s breaker', () => {
    const values = {
      routes: [
        { name: 'api', match: { path: '/a' } },
        { match: { path: '/b' }, circuitBreaker: { group: 'api', consecutiveFailures: 3 } },
      ],
    };
    const result = read(values);
    if (result.issues.length > 0) return; // refused at load: fine
    const compiled = compileRoutes(result.config.defaultRoute, result.config.routes, {
      random: () => 0,
      events: IGNORE_RESILIENCE_EVENTS,
    });
    const [a, b] = compiled.all;
    expect(a?.breaker).not.toBeNull();
    expect(b?.breaker).not.toBe(a?.breaker);
  });
});
