// RED metrics under the OpenTelemetry HTTP semantic conventions, recorded from each exchange:
// http_server_request_duration_seconds (rate, errors and duration in one family), request and
// response body sizes, active requests, and http_client_request_duration_seconds per upstream attempt.
// Series are bound once per route, method and status, and looked up through two small maps after that.

import { Counter, Gauge, type Registry } from 'prom-client';
import { methodLabel } from '../../core/http/methods.ts';
import { errorType, type AttemptOutcome } from '../../core/resilience/outcome.ts';
import { DURATION_BUCKETS_SECONDS, REQUEST_DURATION_METRIC } from '../../core/slo/request-duration-metric.ts';
import type { ExchangeObserver, ExchangeRecord } from '../../ports/exchange-observer.ts';
import { HistogramFamily, type HistogramSeries } from './histogram-family.ts';

/** Body sizes from 64 bytes to 1 GiB, ×4 apart. */
const SIZE_BUCKETS = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456, 1073741824];


interface ServerSeries {
  readonly duration: HistogramSeries | null;
  readonly requestSize: HistogramSeries | null;
  readonly responseSize: HistogramSeries | null;
}

/** route → method → status (or error type, for attempts) → the bound series. */
type Bindings<T> = Map<string, Map<string, Map<number | string, T>>>;

function find<T>(cache: Bindings<T>, route: string, method: string, key: number | string): T | undefined {
  return cache.get(route)?.get(method)?.get(key);
}

function keep<T>(cache: Bindings<T>, route: string, method: string, key: number | string, value: T): T {
  let byMethod = cache.get(route);
  if (byMethod === undefined) cache.set(route, (byMethod = new Map()));
  let byKey = byMethod.get(method);
  if (byKey === undefined) byMethod.set(method, (byKey = new Map()));
  byKey.set(key, value);
  return value;
}

export class HttpMetrics implements ExchangeObserver {
  readonly #duration: HistogramFamily;
  readonly #requestSize: HistogramFamily;
  readonly #responseSize: HistogramFamily;
  readonly #clientDuration: HistogramFamily;
  readonly #overflow: Counter;
  readonly #cut: Counter;
  readonly #server: Bindings<ServerSeries> = new Map();
  readonly #client: Bindings<HistogramSeries | null> = new Map();
  #activeCount = 0;

  constructor(registry: Registry, maxSeriesPerFamily: number) {
    const labels = ['http_request_method', 'http_route', 'http_response_status_code'];
    this.#duration = new HistogramFamily(REQUEST_DURATION_METRIC, 'Duration of HTTP server requests, from arrival to the end of the response.', labels, DURATION_BUCKETS_SECONDS, maxSeriesPerFamily);
    this.#requestSize = new HistogramFamily('http_server_request_body_size_bytes', 'Size of HTTP server request bodies (when their length is known).', labels, SIZE_BUCKETS, maxSeriesPerFamily);
    this.#responseSize = new HistogramFamily('http_server_response_body_size_bytes', 'Size of HTTP server response bodies sent.', labels, SIZE_BUCKETS, maxSeriesPerFamily);
    this.#clientDuration = new HistogramFamily('http_client_request_duration_seconds', 'Duration of each upstream attempt to the app, until its response headers or its failure.', [...labels, 'error_type'], DURATION_BUCKETS_SECONDS, maxSeriesPerFamily);
    for (const family of [this.#duration, this.#requestSize, this.#responseSize, this.#clientDuration]) {
      registry.registerMetric(family as unknown as Parameters<Registry['registerMetric']>[0]);
    }
    const active = (): number => this.#activeCount;
    new Gauge({
      name: 'http_server_active_requests', help: 'HTTP server requests in flight.', registers: [registry],
      collect() {
        this.set(active());
      },
    });
    this.#cut = new Counter({
      name: 'sightline_responses_cut_total',
      help: 'Responses cut after their head went to the client (the app reset, closed or went silent mid-body, or broke its framing), by route and error_type: the client\'s connection was destroyed.',
      labelNames: ['http_route', 'error_type'],
      registers: [registry],
    });
    this.#overflow = new Counter({ name: 'sightline_metric_series_overflow_total', help: 'Observations dropped because their metric family reached metrics.maxSeriesPerFamily.', labelNames: ['family'], registers: [registry] });
  }

  exchangeStarted(): void {
    this.#activeCount++;
  }

  attemptEnded(x: ExchangeRecord, _attempt: number, outcome: AttemptOutcome, durationMs: number): void {
    const method = methodLabel(x.method);
    let series = find(this.#client, x.route, method, outcome);
    if (series === undefined) {
      const status = typeof outcome === 'number' ? String(outcome) : '';
      const error = typeof outcome === 'number' ? '' : errorType(outcome);
      series = keep(this.#client, x.route, method, outcome, this.#clientDuration.series([method, x.route, status, error]));
    }
    if (series === null) this.#overflow.inc({ family: this.#clientDuration.name });
    else series.observe(durationMs / 1000);
  }

  exchangeEnded(x: ExchangeRecord, durationMs: number): void {
    this.#activeCount--;
    const method = methodLabel(x.method);
    const status = x.status;
    let s = find(this.#server, x.route, method, status);
    if (s === undefined) {
      const values = [method, x.route, String(status)];
      s = keep(this.#server, x.route, method, status, { duration: this.#duration.series(values), requestSize: this.#requestSize.series(values), responseSize: this.#responseSize.series(values) });
    }
    if (s.duration === null) this.#overflow.inc({ family: this.#duration.name });
    else if (x.sampled) s.duration.observeWithTrace(durationMs / 1000, x.traceId as string, Date.now());
    else s.duration.observe(durationMs / 1000);
    if (x.bytesIn >= 0) {
      if (s.requestSize === null) this.#overflow.inc({ family: this.#requestSize.name });
      else s.requestSize.observe(x.bytesIn);
    }
    if (s.responseSize === null) this.#overflow.inc({ family: this.#responseSize.name });
    else s.responseSize.observe(x.bytesOut);
    // Counted with its status too (what the client was told): this says the body never arrived whole.
    if (x.responseCut !== undefined) this.#cut.inc({ http_route: x.route, error_type: errorType(x.responseCut) });
  }
}
