// Builds the live route table from config, at start and on each reload: each route's policies as
// objects, breakers shared by the routes of a group, outcome lists compiled to lookup tables. On a
// reload, each breaker continues the one of the same route (or group) in the table it replaces.

import type { ResilienceEvents } from '../../ports/resilience-events.ts';
import type { FlagConfig } from '../config/flags.ts';
import type { DefaultRouteConfig, PolicyConfig, RouteConfig } from '../config/policy.ts';
import { compileFlags } from '../operations/feature-flag.ts';
import { compileRouteFeatures, type FeatureDeps } from '../operations/route-features.ts';
import { RouteTable } from '../routing/route-table.ts';
import { CircuitBreaker, type BreakerTransitionListener } from './circuit-breaker.ts';
import { ConcurrencyLimit } from './concurrency-limit.ts';
import { OutcomeSet } from './outcome.ts';
import { RetryBudget } from './retry-budget.ts';
import { RetryPolicy } from './retry-policy.ts';
import { RoutePolicy } from './route-policy.ts';

export interface PolicyDeps {
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random: () => number;
  readonly events: ResilienceEvents;
  /** The declared feature flags (config.flags), which routes' fault and retry may refer to; none when left out. */
  readonly flags?: readonly FlagConfig[];
}

export interface CompiledRoutes {
  readonly table: RouteTable<RoutePolicy>;
  readonly defaultRoute: RoutePolicy;
  /** Every route, the default one last. */
  readonly all: readonly RoutePolicy[];
  /** By key (`route NAME` or `group NAME`): what the next reload's breakers continue from. */
  readonly breakers: ReadonlyMap<string, CircuitBreaker>;
}

/** `previous`: the table a reload replaces, whose breakers' state carries over. */
export function compileRoutes(defaultRoute: DefaultRouteConfig, routes: readonly RouteConfig[], deps: PolicyDeps, previous?: CompiledRoutes): CompiledRoutes {
  const breakers = new Map<string, CircuitBreaker>();
  /** Breaker → the routes it guards, for observers. */
  const guarded = new Map<CircuitBreaker, string[]>();
  const onTransition: BreakerTransitionListener = (breaker, from, to) =>
    deps.events.breakerTransition(breaker.name, guarded.get(breaker) ?? [], from, to);

  const featureDeps: FeatureDeps = { flags: compileFlags(deps.flags ?? []), random: deps.random, events: deps.events };

  const build = (name: string, config: PolicyConfig): RoutePolicy => {
    const b = config.circuitBreaker;
    let breaker: CircuitBreaker | null = null;
    if (b.consecutiveFailures > 0 || b.failureRate > 0) {
      // Group and route names are kept apart: a group named like a route does not take over its breaker.
      const key = b.group === '' ? `route ${name}` : `group ${b.group}`;
      breaker = breakers.get(key) ?? null;
      if (breaker === null) {
        breaker = new CircuitBreaker(b.group === '' ? name : b.group, { ...b, failOn: new OutcomeSet(b.failOn) }, onTransition);
        const before = previous?.breakers.get(key);
        if (before !== undefined) breaker.continueFrom(before);
        breakers.set(key, breaker);
        guarded.set(breaker, []);
      }
      guarded.get(breaker)?.push(name);
    }
    const r = config.retry;
    const budget = new RetryBudget(r.budget);
    const retry = new RetryPolicy(
      {
        attempts: r.attempts,
        perTryTimeoutMs: r.perTryTimeoutMs,
        retryOn: new OutcomeSet(r.retryOn),
        backoff: r.backoff,
        retryAfterMaxMs: r.retryAfterMaxMs,
        methods: new Set(r.methods),
        bufferLimit: r.bufferLimit,
      },
      budget,
      deps.random,
    );
    return new RoutePolicy({
      name,
      timeoutMs: config.timeoutMs,
      retry,
      budget,
      breaker,
      limit: new ConcurrencyLimit(config.maxInFlight),
      events: deps.events,
      features: compileRouteFeatures(name, config, featureDeps),
    });
  };

  const compiled = routes.map((route) => ({ match: route.match, value: build(route.name, route) }));
  const fallback = build(defaultRoute.name, defaultRoute);
  return {
    table: new RouteTable(compiled, fallback),
    defaultRoute: fallback,
    all: [...compiled.map((c) => c.value), fallback],
    breakers,
  };
}
