// The tracing pipeline: the SDK's tracer provider with our resource, a span processor that keeps the
// last traces in memory (/debug/traces), and, when an endpoint is configured, a batch processor that
// exports over OTLP/HTTP (JSON). The export queue is bounded: a collector that is down or slow costs
// dropped spans, counted in /metrics, never a slower or failed request.

import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { TracingConfig } from '../../core/config/model.ts';
import { TraceSampler } from '../../core/tracing/trace-context.ts';
import type { ExchangeTracer, TraceExportEvents } from '../../ports/exchange-tracer.ts';
import type { Logger } from '../../ports/logger.ts';
import { CountingExporter } from './counting-exporter.ts';
import { exportMeterProvider } from './export-meter.ts';
import { OtelExchangeTracer } from './otel-exchange-tracer.ts';
import { RecentTraces, type TraceView } from './recent-traces.ts';

export interface OtelTracingOptions {
  readonly settings: TracingConfig;
  readonly version: string;
  /** `http://host:port` of the app: the CLIENT spans' server.address and server.port. */
  readonly upstreamOrigin: string;
  readonly events: TraceExportEvents;
  readonly log: Logger;
  readonly random: () => number;
}

export class OtelTracing {
  readonly tracer: ExchangeTracer;
  readonly #provider: TracerProvider;
  readonly #recent: RecentTraces;

  constructor(options: OtelTracingOptions) {
    const settings = options.settings;
    routeDiagnostics(options.log);
    this.#recent = new RecentTraces(settings.keepTraces);
    const processors: SpanProcessor[] = [this.#recent];
    if (settings.endpoint !== '') {
      processors.push(new BatchSpanProcessor({
        exporter: new CountingExporter(new OTLPTraceExporter({ url: settings.endpoint, timeoutMillis: settings.exportTimeoutMs }), options.events),
        maxQueueSize: settings.queueSize,
        maxExportBatchSize: settings.batchSize,
        scheduledDelayMillis: settings.exportDelayMs,
        exportTimeoutMillis: settings.exportTimeoutMs,
        selfObsMeterProvider: exportMeterProvider(options.events),
      }));
    }
    const attributes: Record<string, string> = Object.fromEntries(settings.resourceAttributes);
    attributes['service.name'] = settings.serviceName || attributes['service.name'] || 'sightline';
    attributes['sightline.version'] = options.version;
    this.#provider = new TracerProvider({
      resource: defaultResource().merge(resourceFromAttributes(attributes)),
      // Sampling is decided before any span exists (TraceSampler): the SDK records what it is given.
      sampler: new AlwaysOnSampler(),
      spanProcessors: processors,
    });
    const origin = new URL(options.upstreamOrigin);
    this.tracer = new OtelExchangeTracer(
      this.#provider.getTracer('sightline', options.version),
      new TraceSampler(settings.sampleRatio, options.random),
      { origin: origin.origin, address: origin.hostname.replace(/^\[|\]$/g, ''), port: Number(origin.port || 80) },
    );
  }

  /** The traces kept in memory, newest first. */
  recentTraces(): TraceView[] {
    return this.#recent.view();
  }

  /** Exports what is queued, for at most `timeoutMs`. */
  async shutdown(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([this.#provider.shutdown().catch(() => undefined), expired]);
    clearTimeout(timer);
  }
}

/** One line per minute at most: a collector that stays down must not flood the log. */
const DIAG_LOG_INTERVAL_MS = 60_000;

/** The SDK reports export failures through its diagnostic logger: pass warnings and errors to ours, rate-limited. */
function routeDiagnostics(log: Logger): void {
  let lastLogged = -Infinity;
  let suppressed = 0;
  const report = (message: string): void => {
    const now = Date.now();
    if (now - lastLogged < DIAG_LOG_INTERVAL_MS) {
      suppressed++;
      return;
    }
    lastLogged = now;
    log.warn({ detail: summary(message), suppressedSinceLast: suppressed }, 'trace export problem');
    suppressed = 0;
  };
  const logger: DiagLogger = { error: report, warn: report, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}

/** The SDK passes errors as JSON with a stack: keep the message. */
function summary(message: string): string {
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the message as it is.
  }
  return message.slice(0, 500);
}
