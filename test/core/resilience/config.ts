// Route configs for compileRoutes, built from the real defaults.

import { readConfig } from '../../../src/core/config/model.ts';
import type { FaultConfig, RateLimitConfig } from '../../../src/core/config/operations.ts';
import type { ShadowConfig } from '../../../src/core/config/shadow.ts';
import type { CircuitBreakerConfig, DefaultRouteConfig, RetryConfig, RouteConfig } from '../../../src/core/config/policy.ts';

export function defaultRouteConfig(): DefaultRouteConfig {
  const result = readConfig({ values: {}, origins: new Map() });
  if (result.issues.length > 0) throw new Error(`default config has issues: ${JSON.stringify(result.issues)}`);
  return result.config.defaultRoute;
}

export interface RouteOverrides {
  readonly timeoutMs?: number;
  readonly maxInFlight?: number;
  readonly retry?: Partial<RetryConfig>;
  readonly circuitBreaker?: Partial<CircuitBreakerConfig>;
  readonly rateLimit?: Partial<RateLimitConfig>;
  readonly fault?: Partial<FaultConfig>;
  readonly shadow?: Partial<ShadowConfig>;
}

/** A route matching `path`, any method, with the default route's settings but for `overrides`. */
export function routeConfig(name: string, path: string, overrides: RouteOverrides = {}, base: DefaultRouteConfig = defaultRouteConfig()): RouteConfig {
  return {
    name,
    match: { path, methods: [], headers: [] },
    timeoutMs: overrides.timeoutMs ?? base.timeoutMs,
    maxInFlight: overrides.maxInFlight ?? base.maxInFlight,
    retry: { ...base.retry, ...overrides.retry },
    circuitBreaker: { ...base.circuitBreaker, ...overrides.circuitBreaker },
    rateLimit: { ...base.rateLimit, ...overrides.rateLimit },
    fault: { ...base.fault, ...overrides.fault },
    shadow: { ...base.shadow, ...overrides.shadow },
  };
}

export function withDefaults(overrides: RouteOverrides, base: DefaultRouteConfig = defaultRouteConfig()): DefaultRouteConfig {
  const { match: _match, ...rest } = routeConfig(base.name, '/', overrides, base);
  return rest;
}
