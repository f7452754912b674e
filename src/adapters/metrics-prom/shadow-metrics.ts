// Shadow (mirrored) requests as series of their own, apart from the client's request metrics: whatever
// the shadow answers, or however it fails, the client's RED metrics never see it.

import { Counter, Histogram, type Registry } from 'prom-client';
import { DURATION_BUCKETS_SECONDS } from '../../core/slo/request-duration-metric.ts';
import { IGNORE_RESILIENCE_EVENTS, type ResilienceEvents } from '../../ports/resilience-events.ts';

export function shadowMetrics(registry: Registry): ResilienceEvents {
  const registers = [registry];
  const requests = new Counter({
    name: 'sightline_shadow_requests_total',
    help: 'Requests mirrored to a route\'s shadow upstream, by route and result: the status class (2xx, 5xx, ...), what went wrong (connect_failure, timeout, reset, protocol_error), or why none was sent (dropped_overloaded, skipped_body).',
    labelNames: ['http_route', 'result'],
    registers,
  });
  const duration = new Histogram({
    name: 'sightline_shadow_request_duration_seconds',
    help: 'Duration of shadow requests, until the shadow\'s whole answer or its failure.',
    labelNames: ['http_route'],
    buckets: [...DURATION_BUCKETS_SECONDS],
    registers,
  });
  return {
    ...IGNORE_RESILIENCE_EVENTS,
    shadowEnded(route, result, durationMs) {
      requests.labels(route, result).inc();
      if (result !== 'dropped_overloaded' && result !== 'skipped_body') duration.labels(route).observe(durationMs / 1000);
    },
  };
}
