// The registry behind /metrics: the process metrics prom-client collects (event loop lag, heap, GC) and
// build info; other series (resilience-metrics.ts) register into `registry`.

import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export class ProcessMetrics {
  readonly registry = new Registry();

  constructor(version: string) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'sightline_build_info', help: 'Sightline build information; the value is always 1.', labelNames: ['version'], registers: [this.registry] })
      .labels(version)
      .set(1);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
