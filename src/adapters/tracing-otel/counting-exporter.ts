// Wraps the OTLP exporter to count what became of each batch: delivered, or lost with a reason a
// person can act on (ECONNREFUSED, http_503, ...) rather than the SDK's bare error name.

import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { TraceExportEvents } from '../../ports/exchange-tracer.ts';

export class CountingExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #events: TraceExportEvents;

  constructor(inner: SpanExporter, events: TraceExportEvents) {
    this.#inner = inner;
    this.#events = events;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.#events.spansExported(spans.length);
      else this.#events.spansDropped(spans.length, failureReason(result.error));
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** A bounded label: the socket error code, the collector's HTTP status, or the error's class. */
export function failureReason(error: Error | undefined): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number') return `http_${code}`;
  if (typeof code === 'string' && /^[A-Z_]{2,32}$/.test(code)) return code;
  const name = error?.name;
  return name === undefined || name === 'Error' ? 'export_failed' : name.slice(0, 40);
}
