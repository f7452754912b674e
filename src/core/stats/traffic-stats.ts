// The live dashboard's collector: it watches every exchange (as an ExchangeObserver) and every
// resilience decision (as ResilienceEvents) and keeps, per route, the last few minutes second by second
// (route-window.ts), the breakers' states and recent transitions, and two short lists: the slowest
// requests of the window and the last failed ones.
//
// It is on every request's path, so recording one costs a map lookup and a few array writes, and no
// clock read (the exchange's own start and duration give its end; reading the wall clock cost more
// than all the rest, and allocated): the lists are fixed arrays of reusable slots (a request is copied into one only when it is
// slower than the slowest kept, or failed), and anything derived (rates, quantiles) waits for snapshot().
// The slowest requests are kept per minute (the slowest N of each minute of the window): the slowest N
// of the window are among them, so the list stays exact, at a minute's granularity, as minutes expire.

import type { Clock } from '../../ports/clock.ts';
import type { ExchangeObserver, ExchangeRecord } from '../../ports/exchange-observer.ts';
import type { Rejection, ResilienceEvents } from '../../ports/resilience-events.ts';
import type { BreakerState } from '../resilience/circuit-breaker.ts';
import { outcomeName, type AttemptOutcome } from '../resilience/outcome.ts';
import type { RetryDenial } from '../resilience/retry-policy.ts';
import { LATENCY_BOUNDS_MS } from './latency-buckets.ts';
import { RouteWindow } from './route-window.ts';
import type { BreakerRecord, BreakerTransitionRecord, RequestSample, StatsSnapshot } from './stats-snapshot.ts';

export interface StatsClocks {
  /** Epoch milliseconds (Date.now): the times shown, and the seconds workers' counts are aligned on. */
  readonly wall: Clock;
  /** The clock of ExchangeRecord.startedAt (the proxy's monotonic clock). */
  readonly monotonic: Clock;
}

export interface TrafficStatsOptions {
  /** Seconds kept per route (default 300: five minutes). */
  readonly seconds?: number;
  /** Slowest requests kept (default 10). */
  readonly slowest?: number;
  /** Failed requests kept (default 20). */
  readonly failed?: number;
  /** Transitions kept per breaker (default 10). */
  readonly transitions?: number;
  /** Routes tracked one by one; more are counted together as OTHER_ROUTE (default 256). */
  readonly maxRoutes?: number;
}

/** Where requests of routes beyond `maxRoutes` are counted. Route names come from config, so this is a guard only. */
export const OTHER_ROUTE = '(other routes)';

/** The slowest requests of one minute: `count` of the slots in use; `floor`, the quickest of them once all are. */
class SlowestOfMinute {
  minute = -1;
  count = 0;
  floor = -1;
  readonly slots: SampleSlot[];

  constructor(size: number) {
    this.slots = Array.from({ length: size }, () => new SampleSlot());
  }

  offer(x: ExchangeRecord, route: string, durationMs: number, now: number): void {
    const slots = this.slots;
    if (this.count < slots.length) {
      (slots[this.count++] as SampleSlot).fill(x, route, durationMs, now);
      if (this.count < slots.length) return;
    } else {
      // Replace the quickest kept.
      let quickest = 0;
      for (let i = 1; i < slots.length; i++) if ((slots[i] as SampleSlot).durationMs < (slots[quickest] as SampleSlot).durationMs) quickest = i;
      (slots[quickest] as SampleSlot).fill(x, route, durationMs, now);
    }
    let floor = Infinity;
    for (const slot of slots) if (slot.durationMs < floor) floor = slot.durationMs;
    this.floor = floor;
  }
}

/** A reusable copy of what a listed request looked like; the query is cut off its target only when shown. */
class SampleSlot {
  at = 0;
  route = '';
  method = '';
  target = '';
  status = 0;
  reason: string | undefined = undefined;
  attempts = 0;
  upstream: AttemptOutcome | undefined = undefined;
  durationMs = 0;
  traceId: string | undefined = undefined;
  sampled = false;

  fill(x: ExchangeRecord, route: string, durationMs: number, at: number): void {
    this.at = at;
    this.route = route;
    this.method = x.method;
    this.target = x.target;
    this.status = x.status;
    this.reason = x.reason;
    this.attempts = x.attempts;
    this.upstream = x.upstreamOutcome;
    this.durationMs = durationMs;
    this.traceId = x.traceId;
    this.sampled = x.sampled;
  }

  view(): RequestSample {
    const q = this.target.indexOf('?');
    return {
      at: this.at,
      route: this.route,
      method: this.method,
      path: q < 0 ? this.target : this.target.slice(0, q),
      status: this.status,
      reason: this.reason ?? null,
      attempts: this.attempts,
      upstream: this.upstream === undefined ? null : outcomeName(this.upstream),
      durationMs: Math.round(this.durationMs * 1000) / 1000,
      traceId: this.traceId ?? null,
      sampled: this.sampled,
    };
  }
}

interface BreakerLog {
  readonly name: string;
  routes: readonly string[];
  state: BreakerState;
  since: number | null;
  /** Newest first. */
  readonly transitions: BreakerTransitionRecord[];
}

export class TrafficStats {
  readonly #clocks: StatsClocks;
  /** wall - monotonic: turns an exchange's monotonic end into epoch milliseconds. Refreshed by snapshot(). */
  #offset: number;
  readonly #seconds: number;
  readonly #maxRoutes: number;
  readonly #keepTransitions: number;
  readonly #routes = new Map<string, RouteWindow>();
  readonly #breakers = new Map<string, BreakerLog>();
  /** A ring of minutes: minute m is kept at m % length, enough of them to cover the window. */
  readonly #slowest: SlowestOfMinute[];
  readonly #keepSlowest: number;
  /** A ring: `#failedNext` is the slot the next failure overwrites. */
  readonly #failed: SampleSlot[];
  #failedNext = 0;
  #failedCount = 0;
  /** The collector as an ExchangeObserver and as ResilienceEvents (their `attemptEnded`s differ). */
  readonly exchanges: ExchangeObserver;
  readonly events: ResilienceEvents;

  constructor(clocks: StatsClocks, routeNames: readonly string[], options: TrafficStatsOptions = {}) {
    this.#clocks = clocks;
    this.#offset = clocks.wall.now() - clocks.monotonic.now();
    this.#seconds = options.seconds ?? 300;
    this.#maxRoutes = options.maxRoutes ?? 256;
    this.#keepTransitions = options.transitions ?? 10;
    this.#keepSlowest = options.slowest ?? 10;
    this.#slowest = Array.from({ length: Math.ceil(this.#seconds / 60) + 1 }, () => new SlowestOfMinute(this.#keepSlowest));
    this.#failed = Array.from({ length: options.failed ?? 20 }, () => new SampleSlot());
    for (const name of routeNames) this.#window(name);
    this.exchanges = new StatsExchangeObserver(this);
    this.events = new StatsResilienceEvents(this);
  }

  /** The client's response is done (or the client left). The hot path. */
  requestEnded(x: ExchangeRecord, durationMs: number): void {
    const now = x.startedAt + durationMs + this.#offset;
    const second = Math.floor(now / 1000);
    const window = this.#window(x.route);
    const failed = x.status >= 500;
    window.recordRequest(second, durationMs, failed);
    if (failed) {
      (this.#failed[this.#failedNext] as SampleSlot).fill(x, window.name, durationMs, now);
      this.#failedNext = (this.#failedNext + 1) % this.#failed.length;
      if (this.#failedCount < this.#failed.length) this.#failedCount++;
    }
    if (this.#keepSlowest === 0) return;
    const minute = Math.floor(now / 60_000);
    const slowest = this.#slowest[minute % this.#slowest.length] as SlowestOfMinute;
    if (slowest.minute !== minute) {
      slowest.minute = minute;
      slowest.count = 0;
      slowest.floor = -1;
    }
    if (durationMs > slowest.floor) slowest.offer(x, window.name, durationMs, now);
  }

  retryScheduled(route: string): void {
    this.#window(route).recordRetry(this.#nowSecond());
  }

  retryDenied(route: string, reason: RetryDenial): void {
    if (reason === 'budget_exhausted') this.#window(route).recordBudgetDenial(this.#nowSecond());
  }

  requestRejected(route: string): void {
    this.#window(route).recordRejection(this.#nowSecond());
  }

  breakerTransition(breaker: string, routes: readonly string[], from: BreakerState, to: BreakerState): void {
    const at = this.#now();
    let log = this.#breakers.get(breaker);
    if (log === undefined) {
      log = { name: breaker, routes, state: to, since: at, transitions: [] };
      this.#breakers.set(breaker, log);
    }
    log.routes = routes;
    log.state = to;
    log.since = at;
    log.transitions.unshift({ at, from, to });
    if (log.transitions.length > this.#keepTransitions) log.transitions.length = this.#keepTransitions;
  }

  /** Everything counted in the window, as plain data (copies: the collector goes on counting). */
  snapshot(): StatsSnapshot {
    // The monotonic clock does not follow the wall clock's adjustments: re-align now and then.
    this.#offset = this.#clocks.wall.now() - this.#clocks.monotonic.now();
    const now = this.#now();
    const endSecond = Math.floor(now / 1000);
    const cutoff = (endSecond - this.#seconds + 1) * 1000;
    const slowest: RequestSample[] = [];
    for (const minute of this.#slowest) {
      for (let i = 0; i < minute.count; i++) {
        const slot = minute.slots[i] as SampleSlot;
        if (slot.at >= cutoff) slowest.push(slot.view());
      }
    }
    slowest.sort((a, b) => b.durationMs - a.durationMs || b.at - a.at);
    slowest.length = Math.min(slowest.length, this.#keepSlowest);
    const failed: RequestSample[] = [];
    for (let i = 1; i <= this.#failedCount; i++) {
      const slot = this.#failed[(this.#failedNext - i + this.#failed.length) % this.#failed.length] as SampleSlot;
      if (slot.at >= cutoff) failed.push(slot.view());
    }
    const breakers: BreakerRecord[] = [...this.#breakers.values()].map((b) => ({
      name: b.name, routes: [...b.routes], state: b.state, since: b.since, transitions: b.transitions.map((t) => ({ ...t })),
    }));
    return {
      takenAt: now,
      endSecond,
      seconds: this.#seconds,
      boundsMs: LATENCY_BOUNDS_MS,
      processes: 1,
      routes: [...this.#routes.values()].map((w) => w.series(endSecond)),
      breakers,
      slowest,
      failed,
    };
  }

  /** Epoch milliseconds, from the monotonic clock (cheaper than the wall clock's, and no allocation). */
  #now(): number {
    return this.#clocks.monotonic.now() + this.#offset;
  }

  #nowSecond(): number {
    return Math.floor(this.#now() / 1000);
  }

  #window(route: string): RouteWindow {
    let window = this.#routes.get(route);
    if (window === undefined) {
      if (this.#routes.size >= this.#maxRoutes && route !== OTHER_ROUTE) return this.#window(OTHER_ROUTE);
      window = new RouteWindow(route, this.#seconds);
      this.#routes.set(route, window);
    }
    return window;
  }
}

/** The collector's ExchangeObserver face: only the end of an exchange counts. */
class StatsExchangeObserver implements ExchangeObserver {
  readonly #stats: TrafficStats;

  constructor(stats: TrafficStats) {
    this.#stats = stats;
  }

  exchangeStarted(): void {}
  attemptEnded(): void {}
  exchangeEnded(exchange: ExchangeRecord, durationMs: number): void {
    this.#stats.requestEnded(exchange, durationMs);
  }
}

/** The collector's ResilienceEvents face: retries, budget denials, rejections and breaker transitions. */
class StatsResilienceEvents implements ResilienceEvents {
  readonly #stats: TrafficStats;

  constructor(stats: TrafficStats) {
    this.#stats = stats;
  }

  attemptStarted(): void {}
  attemptEnded(): void {}
  retryScheduled(route: string, _attempt: number, _outcome: AttemptOutcome, _delayMs: number): void {
    this.#stats.retryScheduled(route);
  }

  retryDenied(route: string, _attempt: number, _outcome: AttemptOutcome, reason: RetryDenial): void {
    this.#stats.retryDenied(route, reason);
  }

  breakerTransition(breaker: string, routes: readonly string[], from: BreakerState, to: BreakerState): void {
    this.#stats.breakerTransition(breaker, routes, from, to);
  }

  requestRejected(route: string, _reason: Rejection): void {
    this.#stats.requestRejected(route);
  }
}
