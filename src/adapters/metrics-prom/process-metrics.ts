// The registry behind /metrics: the process metrics prom-client collects (event loop lag, heap, GC),
// build info and app health; the other series (http-metrics.ts, resilience-metrics.ts) register into
// `registry`. Scrapes are written in Prometheus text or, when asked for, OpenMetrics with exemplars.
// With workers, each worker has a processRegistry() of its own, and the primary's scrape merges them
// with its own series (aggregate.ts).

import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { aggregateFamilies } from './aggregate.ts';
import { formatMetrics, OPENMETRICS_TEXT, PROMETHEUS_TEXT, wantsOpenMetrics, type MetricFamily } from './exposition.ts';

/** A registry with what prom-client collects about this Node.js process. */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export class ProcessMetrics {
  readonly registry = processRegistry();
  readonly #upstreamHealthy: Gauge;

  constructor(version: string) {
    new Gauge({ name: 'sightline_build_info', help: 'Sightline build information; the value is always 1.', labelNames: ['version'], registers: [this.registry] })
      .labels(version)
      .set(1);
    this.#upstreamHealthy = new Gauge({ name: 'sightline_upstream_healthy', help: 'Whether the app passes its health check: 1 healthy, 0 not (yet).', registers: [this.registry] });
    this.#upstreamHealthy.set(0);
  }

  setUpstreamHealthy(healthy: boolean): void {
    this.#upstreamHealthy.set(healthy ? 1 : 0);
  }

  /** The scrape body for a request with this Accept header. */
  async render(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    return scrape((await this.registry.getMetricsAsJSON()) as unknown as MetricFamily[], accept);
  }

  /** The scrape of a primary: its own series merged with its workers' (each a getMetricsAsJSON() result). */
  async renderWith(workers: readonly unknown[], accept: string | undefined): Promise<{ contentType: string; body: string }> {
    const own = (await this.registry.getMetricsAsJSON()) as unknown as MetricFamily[];
    return scrape(await aggregateFamilies([own, ...(workers as MetricFamily[][])]), accept);
  }
}

function scrape(all: readonly MetricFamily[], accept: string | undefined): { contentType: string; body: string } {
  const openMetrics = wantsOpenMetrics(accept);
  // prom-client's nodejs_active_*_total are gauges named like counters (promtool and OpenMetrics
  // refuse the suffix); they only sum nodejs_active_* over its `type` label, which stays.
  const families = all.filter((f) => f.type === 'counter' || !f.name.endsWith('_total'));
  return { contentType: openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT, body: formatMetrics(families, openMetrics) };
}
