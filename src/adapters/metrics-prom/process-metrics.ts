// The registry behind /metrics: the process metrics prom-client collects (event loop lag, heap, GC),
// build info and app health; the other series (http-metrics.ts, resilience-metrics.ts) register into
// `registry`. Scrapes are written in Prometheus text or, when asked for, OpenMetrics with exemplars.

import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { formatMetrics, OPENMETRICS_TEXT, PROMETHEUS_TEXT, wantsOpenMetrics, type MetricFamily } from './exposition.ts';

export class ProcessMetrics {
  readonly registry = new Registry();
  readonly #upstreamHealthy: Gauge;

  constructor(version: string) {
    collectDefaultMetrics({ register: this.registry });
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
    const openMetrics = wantsOpenMetrics(accept);
    const families = ((await this.registry.getMetricsAsJSON()) as unknown as MetricFamily[])
      // prom-client's nodejs_active_*_total are gauges named like counters (promtool and OpenMetrics
      // refuse the suffix); they only sum nodejs_active_* over its `type` label, which stays.
      .filter((f) => f.type === 'counter' || !f.name.endsWith('_total'));
    return { contentType: openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT, body: formatMetrics(families, openMetrics) };
  }
}
