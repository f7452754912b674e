// The resilience decisions as Prometheus series. Only the rare events (retries, denials, rejections,
// breaker transitions) touch a metric; the per-attempt events are left to the request metrics.

import { Counter, Gauge, type Registry } from 'prom-client';
import { outcomeName } from '../../core/resilience/outcome.ts';
import type { BreakerState } from '../../core/resilience/circuit-breaker.ts';
import type { ResilienceEvents } from '../../ports/resilience-events.ts';

const STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, open: 1, 'half-open': 2 };

export function resilienceMetrics(registry: Registry, routeNames: readonly string[]): ResilienceEvents {
  const registers = [registry];
  const retries = new Counter({ name: 'sightline_retries_total', help: 'Retries sent to the app, by route and the outcome that was retried.', labelNames: ['http_route', 'reason'], registers });
  const budgetExhausted = new Counter({ name: 'sightline_retry_budget_exhausted_total', help: 'Failures passed on without a retry because the route\'s retry budget was spent.', labelNames: ['http_route'], registers });
  const rejected = new Counter({ name: 'sightline_rejected_requests_total', help: 'Requests answered by Sightline without reaching the app, by reason (circuit_open, overloaded, rate_limited, fault).', labelNames: ['http_route', 'reason'], registers });
  const faults = new Counter({ name: 'sightline_faults_injected_total', help: 'Faults injected on purpose (fault injection, while its flag is on), by route and kind (delay, abort): never failures of the app.', labelNames: ['http_route', 'kind'], registers });
  // With workers each process has its own breakers: the merged scrape shows the highest state of any.
  const circuitState = new Gauge({ name: 'sightline_circuit_state', help: 'Circuit breaker state of the route: 0 closed, 1 open, 2 half-open.', labelNames: ['http_route'], registers, aggregator: 'max' });
  const transitions = new Counter({ name: 'sightline_circuit_transitions_total', help: 'Circuit breaker state changes, by route and the state entered.', labelNames: ['http_route', 'to'], registers });
  for (const route of routeNames) {
    circuitState.labels(route).set(0);
    budgetExhausted.labels(route);
  }
  return {
    attemptStarted() {},
    attemptEnded() {},
    retryScheduled(route, _attempt, outcome) {
      retries.labels(route, outcomeName(outcome)).inc();
    },
    retryDenied(route, _attempt, _outcome, reason) {
      if (reason === 'budget_exhausted') budgetExhausted.labels(route).inc();
    },
    breakerTransition(_breaker, routes, _from, to) {
      for (const route of routes) {
        circuitState.labels(route).set(STATE_VALUE[to]);
        transitions.labels(route, to).inc();
      }
    },
    requestRejected(route, reason) {
      rejected.labels(route, reason).inc();
    },
    faultInjected(route, kind) {
      faults.labels(route, kind).inc();
    },
  };
}
