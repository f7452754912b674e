// The route table in config: `defaultRoute` (the policy of requests no route matches, and the base
// every route starts from) and `routes` (first match wins). A route sets only what differs from the
// default route; everything else it inherits, except an `slo`, which is the route's own (slo-config.ts).

import type { CircuitBreakerSettings } from '../resilience/circuit-breaker.ts';
import { checkOutcomeName } from '../resilience/outcome.ts';
import { parsePathTemplate } from '../routing/path-template.ts';
import type { RouteMatch } from '../routing/route-table.ts';
import { readSlo, type SloConfig } from '../slo/slo-config.ts';
import { flagReference } from './flags.ts';
import { BUILT_IN_FAULT, BUILT_IN_RATE_LIMIT, readFault, readRateLimit, type FaultConfig, type RateLimitConfig } from './operations.ts';
import { BUILT_IN_SHADOW, readShadow, type ShadowConfig } from './shadow.ts';
import { invalid, type Section } from './reader.ts';

export interface RetryConfig {
  readonly attempts: number;
  readonly perTryTimeoutMs: number;
  readonly retryOn: readonly string[];
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly retryAfterMaxMs: number;
  readonly methods: readonly string[];
  readonly bufferLimit: number;
  readonly budget: { readonly ratio: number; readonly minPerSecond: number; readonly windowMs: number };
  /** A flag (flags.ts) that must be on for the request to get retries; '' for none. */
  readonly flag: string;
}

/** The breaker's own settings (see circuit-breaker.ts), with its outcome list as written, and its group. */
export interface CircuitBreakerConfig extends Omit<CircuitBreakerSettings, 'failOn'> {
  /** Routes naming the same group share one breaker; empty: the route has its own. */
  readonly group: string;
  readonly failOn: readonly string[];
}

export interface PolicyConfig {
  /** Until the app's response headers, all attempts and backoff included; 0 for none. */
  readonly timeoutMs: number;
  /** Requests of this route in flight at once; 0 for no limit of its own. */
  readonly maxInFlight: number;
  readonly retry: RetryConfig;
  readonly circuitBreaker: CircuitBreakerConfig;
  readonly rateLimit: RateLimitConfig;
  readonly fault: FaultConfig;
  readonly shadow: ShadowConfig;
}

/** A route's own SLO; never inherited, since it is a promise about that route alone. */
interface OwnSlo {
  readonly slo?: SloConfig;
}

export interface DefaultRouteConfig extends PolicyConfig, OwnSlo {
  readonly name: string;
}

export interface RouteConfig extends PolicyConfig, OwnSlo {
  readonly name: string;
  readonly match: RouteMatch;
}

const SECOND = 1000;

export const RETRY_ON_NAMES = ['connect-failure', 'reset', 'refused-stream', 'per-try-timeout', 'protocol-error', 'gateway-error', '5xx'];
export const FAIL_ON_NAMES = ['connect-failure', 'reset', 'refused-stream', 'timeout', 'per-try-timeout', 'protocol-error', 'gateway-error', '5xx'];

const BUILT_IN: PolicyConfig = {
  timeoutMs: 15 * SECOND,
  maxInFlight: 0,
  retry: {
    attempts: 2,
    perTryTimeoutMs: 0,
    retryOn: ['connect-failure', 'reset', 'gateway-error'],
    backoff: { baseMs: 25, maxMs: 250 },
    retryAfterMaxMs: 1 * SECOND,
    methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
    bufferLimit: 64 * 1024,
    budget: { ratio: 0.2, minPerSecond: 10, windowMs: 10 * SECOND },
    flag: '',
  },
  circuitBreaker: {
    group: '',
    consecutiveFailures: 5,
    failureRate: 0.5,
    minRequests: 20,
    windowMs: 10 * SECOND,
    openForMs: 5 * SECOND,
    maxOpenForMs: 60 * SECOND,
    halfOpenRequests: 1,
    failOn: ['connect-failure', 'reset', 'timeout', '5xx'],
  },
  rateLimit: BUILT_IN_RATE_LIMIT,
  fault: BUILT_IN_FAULT,
  shadow: BUILT_IN_SHADOW,
};

/** Flag names declared under `flags`, for the routes' references (none when a caller reads routes alone). */
const NO_FLAGS: ReadonlySet<string> = new Set();

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function outcomeName(allowed: readonly string[]) {
  return (word: string) => {
    const problem = checkOutcomeName(word, allowed);
    return problem === undefined ? word : invalid(problem);
  };
}

function method(word: string) {
  return TOKEN.test(word) ? word.toUpperCase() : invalid(`"${word}" is not an HTTP method`);
}

function readRetry(s: Section, base: RetryConfig, flags: ReadonlySet<string>): RetryConfig {
  const retry: RetryConfig = {
    attempts: s.int('attempts', base.attempts, { min: 1, max: 10 }),
    perTryTimeoutMs: s.duration('perTryTimeout', base.perTryTimeoutMs),
    retryOn: s.words('retryOn', base.retryOn, outcomeName(RETRY_ON_NAMES)),
    backoff: s.section('backoff', (b) => ({
      baseMs: b.duration('base', base.backoff.baseMs, { min: 1 }),
      maxMs: b.duration('max', base.backoff.maxMs, { min: 1 }),
    })),
    retryAfterMaxMs: s.duration('retryAfterMax', base.retryAfterMaxMs),
    methods: s.words('methods', base.methods, method),
    bufferLimit: s.size('bufferLimit', base.bufferLimit, { max: 16 * 1024 * 1024 }),
    budget: s.section('budget', (b) => ({
      ratio: b.ratio('ratio', base.budget.ratio, { min: 0, max: 10 }),
      minPerSecond: b.int('minRetriesPerSecond', base.budget.minPerSecond, { min: 0, max: 1_000_000 }),
      windowMs: b.duration('window', base.budget.windowMs, { min: 100 }),
    })),
    flag: s.text('flag', base.flag, flagReference(flags)),
  };
  if (retry.backoff.baseMs > retry.backoff.maxMs && (retry.backoff.baseMs !== base.backoff.baseMs || retry.backoff.maxMs !== base.backoff.maxMs)) {
    s.report('backoff.base', 'must not be longer than backoff.max');
  }
  return retry;
}

function readBreaker(s: Section, base: CircuitBreakerConfig): CircuitBreakerConfig {
  const breaker: CircuitBreakerConfig = {
    group: s.text('group', base.group, (g) => g),
    consecutiveFailures: s.int('consecutiveFailures', base.consecutiveFailures, { min: 0, max: 1_000_000 }),
    failureRate: s.ratio('failureRate', base.failureRate, { min: 0, max: 1 }),
    minRequests: s.int('minRequests', base.minRequests, { min: 1, max: 1_000_000 }),
    windowMs: s.duration('window', base.windowMs, { min: 100 }),
    openForMs: s.duration('openFor', base.openForMs, { min: 1 }),
    maxOpenForMs: s.duration('maxOpenFor', base.maxOpenForMs, { min: 1 }),
    halfOpenRequests: s.int('halfOpenRequests', base.halfOpenRequests, { min: 1, max: 1000 }),
    failOn: s.words('failOn', base.failOn, outcomeName(FAIL_ON_NAMES)),
  };
  if (breaker.openForMs > breaker.maxOpenForMs && (breaker.openForMs !== base.openForMs || breaker.maxOpenForMs !== base.maxOpenForMs)) {
    s.report('openFor', 'must not be longer than maxOpenFor');
  }
  return breaker;
}

function readPolicy(s: Section, base: PolicyConfig, flags: ReadonlySet<string>): PolicyConfig {
  const policy: PolicyConfig = {
    timeoutMs: s.duration('timeout', base.timeoutMs),
    maxInFlight: s.int('maxInFlight', base.maxInFlight, { min: 0, max: 1_000_000 }),
    retry: s.section('retry', (r) => readRetry(r, base.retry, flags)),
    circuitBreaker: s.section('circuitBreaker', (b) => readBreaker(b, base.circuitBreaker)),
    rateLimit: s.section('rateLimit', (l) => readRateLimit(l, base.rateLimit)),
    fault: s.section('fault', (f) => readFault(f, base.fault, flagReference(flags))),
    shadow: s.section('shadow', (m) => readShadow(m, base.shadow, flagReference(flags))),
  };
  // A rule broken by inherited values alone was reported where they were written (defaultRoute).
  const perTryChanged = policy.timeoutMs !== base.timeoutMs || policy.retry.perTryTimeoutMs !== base.retry.perTryTimeoutMs;
  if (policy.timeoutMs !== 0 && policy.retry.perTryTimeoutMs > policy.timeoutMs && perTryChanged) {
    s.report('retry.perTryTimeout', `must not be longer than ${s.path === 'defaultRoute' ? 'defaultRoute' : 'the route\'s'} timeout`);
  }
  return policy;
}

function routeName(text: string) {
  return text.trim() === '' ? invalid('must not be empty') : text;
}

function readOwnSlo(s: Section): OwnSlo {
  const slo = readSlo(s);
  return slo === undefined ? {} : { slo };
}

/** `flags`: the names declared under `flags`, which `fault.flag` and `retry.flag` may refer to. */
export function readDefaultRoute(s: Section, flags: ReadonlySet<string> = NO_FLAGS): DefaultRouteConfig {
  return { name: s.text('name', 'default', routeName), ...readPolicy(s, BUILT_IN, flags), ...readOwnSlo(s) };
}

function pathTemplate(text: string) {
  const parsed = parsePathTemplate(text);
  return typeof parsed === 'string' ? invalid(parsed) : text;
}

interface ReadRoute {
  readonly route: RouteConfig;
  /** Its place in the file's list. */
  readonly index: number;
  /** Its match.path was written but is not a template: its name is no use for checks across routes. */
  readonly badPath: boolean;
}

function readRoute(s: Section, base: DefaultRouteConfig, index: number, flags: ReadonlySet<string>): ReadRoute {
  let badPath = false;
  const match = s.section('match', (m): RouteMatch => {
    const path = m.text<string | null>('path', null, pathTemplate);
    badPath = path === null && m.has('path');
    return {
      path: path ?? '/*',
      methods: m.words('methods', [], method),
      headers: m.stringMap('headers', (name, value) => (TOKEN.test(name) ? [name.toLowerCase(), value] : invalid(`"${name}" is not a header name`))),
    };
  });
  return { route: { name: s.text('name', match.path, routeName), match, ...readPolicy(s, base, flags), ...readOwnSlo(s) }, index, badPath };
}

/** Reads `routes`, checking what no single route can: unique names, and one breaker setting per group. */
export function readRoutes(root: Section, key: string, base: DefaultRouteConfig, flags: ReadonlySet<string> = NO_FLAGS): RouteConfig[] {
  const read = root.list(key, (s, index) => readRoute(s, base, index, flags));
  const names = new Map<string, string>([[base.name, 'defaultRoute']]);
  const groups = new Map<string, { where: string; breaker: CircuitBreakerConfig }>();
  if (base.circuitBreaker.group !== '') groups.set(base.circuitBreaker.group, { where: 'defaultRoute', breaker: base.circuitBreaker });
  for (const { route, index, badPath } of read) {
    const where = `${key}[${index}]`;
    const first = names.get(route.name);
    if (first !== undefined && !badPath) root.report(`${where}.name`, `"${route.name}" is already the name of ${first}: every route needs its own name`);
    else if (first === undefined) names.set(route.name, where);
    const group = route.circuitBreaker.group;
    if (group === '') continue;
    const seen = groups.get(group);
    if (seen === undefined) groups.set(group, { where, breaker: route.circuitBreaker });
    else if (JSON.stringify(seen.breaker) !== JSON.stringify(route.circuitBreaker)) {
      root.report(`${where}.circuitBreaker`, `shares group "${group}" with ${seen.where} but sets it differently: routes of a group share one breaker and its settings`);
    }
  }
  return read.map((r) => r.route);
}
