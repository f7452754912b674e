// The SLO rules select http_server_request_duration_seconds by name, labels and bucket bounds that the
// core declares (src/core/slo/request-duration-metric.ts); this holds the metrics adapter to them.

import { describe, expect, it } from 'vitest';
import { HttpMetrics } from '../../../src/adapters/metrics-prom/http-metrics.ts';
import { processRegistry } from '../../../src/adapters/metrics-prom/process-metrics.ts';
import { DURATION_BUCKETS_SECONDS, REQUEST_DURATION_METRIC, ROUTE_LABEL, STATUS_LABEL } from '../../../src/core/slo/request-duration-metric.ts';
import type { ExchangeRecord } from '../../../src/ports/exchange-observer.ts';

const EXCHANGE: ExchangeRecord = {
  method: 'GET', route: 'checkout', target: '/checkout/1', status: 503, reason: 'overloaded', attempts: 0, upstreamOutcome: undefined, bytesIn: 0, bytesOut: 0,
  startedAt: 0, requestId: undefined, clientAddress: undefined, userAgent: undefined, host: undefined, httpVersion: '1.1',
  traceId: undefined, spanId: undefined, sampled: false,
};

describe('the request duration metric the SLO rules read', () => {
  it('is exposed with the route and status labels and exactly the core\'s bucket bounds', async () => {
    const registry = processRegistry();
    const metrics = new HttpMetrics(registry, 100);
    metrics.exchangeStarted();
    metrics.exchangeEnded(EXCHANGE, 20);
    const text = await registry.metrics();
    const buckets = text.split('\n').filter((line) => line.startsWith(`${REQUEST_DURATION_METRIC}_bucket{`));
    expect(buckets.length).toBeGreaterThan(0);
    for (const line of buckets) {
      expect(line).toContain(`${ROUTE_LABEL}="checkout"`);
      expect(line).toContain(`${STATUS_LABEL}="503"`);
    }
    const bounds = buckets.map((line) => /le="([^"]+)"/.exec(line)?.[1]).filter((le) => le !== '+Inf');
    expect(bounds).toEqual(DURATION_BUCKETS_SECONDS.map(String));
    expect(text).toMatch(new RegExp(`^${REQUEST_DURATION_METRIC}_count\\{[^}]*${ROUTE_LABEL}="checkout"[^}]*\\} 1$`, 'm'));
  });
});
