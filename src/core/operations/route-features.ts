// A route's operations features, compiled once per route table: its rate limit, its fault injection,
// the flag its retries depend on and its traffic shadowing. A route with none of them gets no object at
// all (null), so the exchange pays one null check. The exchange asks at admission, in this order: the
// rate limit (before any limit or breaker: a refused request costs nothing), then the fault, then
// whether the request is mirrored.

import type { ResilienceEvents } from '../../ports/resilience-events.ts';
import { injectsFaults } from '../config/operations.ts';
import type { PolicyConfig } from '../config/policy.ts';
import type { FeatureFlag } from './feature-flag.ts';
import { FaultInjector, NO_FAULT, type FaultKind } from './fault-injector.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { RequestKeys } from './request-keys.ts';
import { ShadowPolicy, type ShadowResult } from './shadow-policy.ts';

export interface FeatureDeps {
  /** The declared flags by name (compileFlags). */
  readonly flags: ReadonlyMap<string, FeatureFlag>;
  /** Uniform in [0, 1): which requests get a fault, and how long a delay is. */
  readonly random: () => number;
  readonly events: ResilienceEvents;
}

export class RouteFeatures {
  readonly route: string;
  readonly rateLimit: RateLimiter | null;
  readonly fault: FaultInjector | null;
  /** Retries beyond the first attempt only for requests this flag is on for; null: always. */
  readonly retryFlag: FeatureFlag | null;
  /** Mirrors a share of the route's requests to a shadow upstream; null: none. */
  readonly shadow: ShadowPolicy | null;
  readonly #events: ResilienceEvents;

  constructor(route: string, rateLimit: RateLimiter | null, fault: FaultInjector | null, retryFlag: FeatureFlag | null, events: ResilienceEvents, shadow: ShadowPolicy | null = null) {
    this.route = route;
    this.rateLimit = rateLimit;
    this.fault = fault;
    this.retryFlag = retryFlag;
    this.shadow = shadow;
    this.#events = events;
  }

  /** A shadow request ended (or was not sent). */
  shadowEnded(result: ShadowResult, durationMs: number): void {
    this.#events.shadowEnded?.(this.route, result, durationMs);
  }

  /** 0 when the rate limit lets the request go (it took a token), else milliseconds until it would. */
  rateLimitWait(request: RequestKeys, now: number): number {
    return this.rateLimit === null ? 0 : this.rateLimit.takeFor(request, now);
  }

  /** ABORT, a delay in milliseconds, or NO_FAULT (fault-injector.ts). Publishes nothing: see faultInjected. */
  decideFault(request: RequestKeys): number {
    const fault = this.fault;
    return fault === null || !fault.eligible(request) ? NO_FAULT : fault.decide();
  }

  /** The status of an injected abort. */
  get abortStatus(): number {
    return this.fault?.abortStatus ?? 503;
  }

  /** A fault decided by decideFault is being applied. */
  faultInjected(kind: FaultKind): void {
    this.#events.faultInjected?.(this.route, kind);
  }

  /** Whether the request may be retried at all (its retry flag is on for it). */
  retriesAllowed(request: RequestKeys): boolean {
    return this.retryFlag === null || this.retryFlag.isOnFor(request);
  }
}

function flagNamed(flags: ReadonlyMap<string, FeatureFlag>, name: string, where: string): FeatureFlag {
  const flag = flags.get(name);
  // Config validation refuses unknown names: reaching this is a caller's bug.
  if (flag === undefined) throw new Error(`route ${where} refers to flag "${name}", which is not declared`);
  return flag;
}

/** The route's features, or null when it has none (the common case: nothing on its hot path). */
export function compileRouteFeatures(name: string, config: PolicyConfig, deps: FeatureDeps): RouteFeatures | null {
  const rateLimit = config.rateLimit.requestsPerSecond > 0 ? new RateLimiter(config.rateLimit) : null;
  const fault = injectsFaults(config.fault) ? new FaultInjector(config.fault, flagNamed(deps.flags, config.fault.flag, name), deps.random) : null;
  const retryFlag = config.retry.flag !== '' && config.retry.attempts > 1 ? flagNamed(deps.flags, config.retry.flag, name) : null;
  const s = config.shadow;
  const shadow = s.origin !== '' && s.ratio > 0 ? new ShadowPolicy(s, s.flag === '' ? null : flagNamed(deps.flags, s.flag, name), deps.random) : null;
  if (rateLimit === null && fault === null && retryFlag === null && shadow === null) return null;
  return new RouteFeatures(name, rateLimit, fault, retryFlag, deps.events, shadow);
}
