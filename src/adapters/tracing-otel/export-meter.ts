// The SDK's batch processor reports spans it drops because its queue is full only through an
// OpenTelemetry meter (`otel.sdk.processor.span.processed`, `error.type` = `queue_full`). This meter
// passes those drops on to TraceExportEvents; everything else it is asked to record goes nowhere
// (delivered and failed exports are counted by CountingExporter).

import { createNoopMeter, type Attributes, type Counter, type Meter, type MeterProvider } from '@opentelemetry/api';
import type { TraceExportEvents } from '../../ports/exchange-tracer.ts';

const PROCESSED = 'otel.sdk.processor.span.processed';

export function exportMeterProvider(events: TraceExportEvents): MeterProvider {
  const noop = createNoopMeter();
  const processed = {
    add(value: number, attributes?: Attributes): void {
      if (attributes?.['error.type'] === 'queue_full') events.spansDropped(value, 'queue_full');
    },
  } as Counter;
  const meter: Meter = Object.create(noop) as Meter;
  meter.createCounter = ((name: string, options?: unknown) => (name === PROCESSED ? processed : noop.createCounter(name, options as never))) as Meter['createCounter'];
  return { getMeter: () => meter };
}
