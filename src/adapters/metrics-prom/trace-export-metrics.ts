// What became of the spans handed to the OTLP exporter: exported, or dropped (a full queue while the
// collector is slow or down, or a failed export), so lost traces show on a dashboard, not just in logs.

import { Counter, type Registry } from 'prom-client';
import type { TraceExportEvents } from '../../ports/exchange-tracer.ts';

export function traceExportMetrics(registry: Registry): TraceExportEvents {
  const exported = new Counter({ name: 'sightline_trace_spans_exported_total', help: 'Spans the OTLP exporter delivered to the collector.', registers: [registry] });
  const dropped = new Counter({
    name: 'sightline_trace_spans_dropped_total',
    help: 'Spans lost before reaching the collector, by reason: queue_full (the export queue was full), or why an export failed (ECONNREFUSED, http_503, ...).',
    labelNames: ['reason'],
    registers: [registry],
  });
  dropped.inc({ reason: 'queue_full' }, 0);
  return {
    spansExported: (count) => exported.inc(count),
    spansDropped: (count, reason) => dropped.inc({ reason }, count),
  };
}
