// Shared pieces of the live-stats tests: a hand-set clock and exchange records.

import type { StatsClocks, TrafficStats } from '../../../src/core/stats/traffic-stats.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import type { ExchangeRecord } from '../../../src/ports/exchange-observer.ts';

/** Epoch milliseconds, moved by hand. */
export class ManualClock implements Clock {
  ms: number;
  constructor(ms = Date.UTC(2025, 0, 1, 12, 0, 0)) {
    this.ms = ms;
  }
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function exchange(fields: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return {
    method: 'GET', route: 'orders', target: '/orders/1', status: 200, reason: undefined, attempts: 1, upstreamOutcome: 200,
    bytesIn: 0, bytesOut: 10, startedAt: 0, requestId: undefined, clientAddress: '127.0.0.1', userAgent: undefined,
    host: 'shop', httpVersion: '1.1', traceId: undefined, spanId: undefined, sampled: false,
    ...fields,
  };
}

/** The collector's two clocks, both this one (so an exchange's monotonic start is an epoch time too). */
export function clocks(clock: ManualClock): StatsClocks {
  return { wall: clock, monotonic: clock };
}

/** Reports an exchange that ends now, after `durationMs`. */
export function end(stats: TrafficStats, clock: ManualClock, durationMs: number, fields: Partial<ExchangeRecord> = {}): void {
  stats.exchanges.exchangeEnded(exchange({ ...fields, startedAt: clock.now() - durationMs }), durationMs);
}
