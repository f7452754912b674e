// Exchanges traced with the OpenTelemetry SDK: a SERVER span per sampled request, named
// `{method} {route}`, and a CLIENT span per upstream attempt beneath it, whose context goes to the app
// in `traceparent`. Unsampled requests create no span at all: they forward the caller's trace headers,
// or, when there are none, a fresh unsampled traceparent so the app's logs still share a trace id.
// No context manager is involved: parents are passed explicitly, so nothing rides on async hooks.

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, createTraceState, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { methodLabel, OTHER_METHOD } from '../../core/http/methods.ts';
import { errorType, type AttemptOutcome } from '../../core/resilience/outcome.ts';
import { formatTraceparent, parseTraceparent, type TraceSampler } from '../../core/tracing/trace-context.ts';
import { CLIENT_CLOSED, type ExchangeRecord } from '../../ports/exchange-observer.ts';
import type { ExchangeTrace, ExchangeTracer, TraceDecision } from '../../ports/exchange-tracer.ts';
import { RandomIds } from './random-ids.ts';

export interface UpstreamEndpoint {
  /** `http://host:port` of the app. */
  readonly origin: string;
  readonly address: string;
  readonly port: number;
}

export class OtelExchangeTracer implements ExchangeTracer {
  readonly #tracer: Tracer;
  readonly #sampler: TraceSampler;
  readonly #upstream: UpstreamEndpoint;
  readonly #ids = new RandomIds();

  constructor(tracer: Tracer, sampler: TraceSampler, upstream: UpstreamEndpoint) {
    this.#tracer = tracer;
    this.#sampler = sampler;
    this.#upstream = upstream;
  }

  begin(x: ExchangeRecord, traceparent: string | undefined, tracestate: string | undefined): ExchangeTrace {
    const parent = parseTraceparent(traceparent);
    if (!this.#sampler.sample(parent)) {
      if (parent !== undefined) return new UnsampledTrace(parent.traceId, undefined, tracestate);
      // A new trace, not recorded here: its id still reaches the app and the access log.
      const traceId = this.#ids.traceId();
      return new UnsampledTrace(traceId, formatTraceparent(traceId, this.#ids.spanId(), false), undefined);
    }
    const parentContext = parent === undefined
      ? ROOT_CONTEXT
      : trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.parentId,
        traceFlags: 1,
        isRemote: true,
        ...(tracestate === undefined ? {} : { traceState: createTraceState(tracestate) }),
      });
    const span = this.#tracer.startSpan(`${x.method} ${x.route}`, { kind: SpanKind.SERVER, startTime: x.startedAt, attributes: serverAttributes(x) }, parentContext);
    return new RecordedTrace(this.#tracer, span, parent === undefined ? undefined : tracestate, this.#upstream);
  }
}

/** Records nothing; `traceparent` is what each attempt sends (undefined: the caller's, unchanged). */
class UnsampledTrace implements ExchangeTrace {
  readonly traceId: string;
  readonly spanId = undefined;
  readonly sampled = false;
  readonly tracestate: string | undefined;
  readonly #traceparent: string | undefined;

  constructor(traceId: string, traceparent: string | undefined, tracestate: string | undefined) {
    this.traceId = traceId;
    this.#traceparent = traceparent;
    this.tracestate = tracestate;
  }

  attemptStarted(): string | undefined {
    return this.#traceparent;
  }

  attemptEnded(): void {}
  decision(): void {}
  end(): void {}
}

class RecordedTrace implements ExchangeTrace {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled = true;
  readonly tracestate: string | undefined;
  readonly #tracer: Tracer;
  readonly #server: Span;
  /** The SERVER span as the parent of the attempts' CLIENT spans. */
  readonly #context: Context;
  readonly #upstream: UpstreamEndpoint;
  #attempt: Span | null = null;

  constructor(tracer: Tracer, server: Span, tracestate: string | undefined, upstream: UpstreamEndpoint) {
    const context = server.spanContext();
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    this.tracestate = tracestate;
    this.#tracer = tracer;
    this.#server = server;
    this.#context = trace.setSpan(ROOT_CONTEXT, server);
    this.#upstream = upstream;
  }

  attemptStarted(x: ExchangeRecord, attempt: number, now: number): string {
    const upstream = this.#upstream;
    const attributes: Attributes = {
      'http.request.method': methodLabel(x.method),
      'server.address': upstream.address,
      'server.port': upstream.port,
      'url.full': upstream.origin + x.target,
    };
    if (attempt > 1) attributes['http.request.resend_count'] = attempt - 1;
    const span = this.#tracer.startSpan(`${x.method} ${x.route}`, { kind: SpanKind.CLIENT, startTime: now, attributes }, this.#context);
    this.#attempt = span;
    const context = span.spanContext();
    return formatTraceparent(context.traceId, context.spanId, true);
  }

  attemptEnded(outcome: AttemptOutcome, now: number): void {
    const span = this.#attempt;
    if (span === null) return;
    this.#attempt = null;
    if (typeof outcome === 'number') {
      span.setAttribute('http.response.status_code', outcome);
      // For a client, 4xx is already a failure of this call (OTel HTTP conventions).
      if (outcome >= 400) span.setAttributes({ 'error.type': String(outcome) }).setStatus({ code: SpanStatusCode.ERROR });
    } else {
      span.setAttribute('error.type', errorType(outcome)).setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    }
    span.end(now);
  }

  decision(kind: TraceDecision, attempt: number, detail: string, delayMs: number, now: number): void {
    const attributes: Attributes = { 'sightline.attempt': attempt };
    if (kind === 'retry') {
      attributes['sightline.retry.cause'] = detail;
      attributes['sightline.retry.delay_ms'] = Math.round(delayMs);
    } else if (kind === 'fault') {
      attributes['sightline.fault'] = detail;
      if (delayMs > 0) attributes['sightline.fault.delay_ms'] = Math.round(delayMs);
    } else {
      attributes['sightline.reason'] = detail;
    }
    this.#server.addEvent(`sightline.${kind}`, attributes, now);
  }

  end(x: ExchangeRecord, now: number): void {
    const open = this.#attempt;
    if (open !== null) {
      // The exchange moved on without a verdict on this attempt (the client left, or the request could not be sent).
      this.#attempt = null;
      open.setAttribute('error.type', x.status === CLIENT_CLOSED ? 'client_closed' : (x.reason ?? 'abandoned')).setStatus({ code: SpanStatusCode.ERROR });
      open.end(now);
    }
    const span = this.#server;
    const status = x.status;
    const attributes: Attributes = { 'sightline.attempts': x.attempts, 'http.response.body.size': x.bytesOut };
    if (x.bytesIn >= 0) attributes['http.request.body.size'] = x.bytesIn;
    if (x.requestId !== undefined) attributes['sightline.request_id'] = x.requestId;
    if (status === CLIENT_CLOSED) {
      attributes['error.type'] = 'client_closed';
    } else {
      attributes['http.response.status_code'] = status;
      if (x.reason !== undefined) attributes['error.type'] = x.reason;
      else if (status >= 500) attributes['error.type'] = String(status);
      // Cut mid-body, whatever the status said: the request failed (OTel sets error.type on any failed request).
      if (x.responseCut !== undefined) attributes['error.type'] = errorType(x.responseCut);
    }
    if (x.reason !== undefined) attributes['sightline.reason'] = x.reason;
    if (x.fault !== undefined) attributes['sightline.fault'] = x.fault;
    span.setAttributes(attributes);
    // A server span fails on 5xx only: a 4xx is the caller's mistake, not this service's.
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, ...(x.reason === undefined ? {} : { message: x.reason }) });
    else if (x.responseCut !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'response cut' });
    span.end(now);
  }
}

function serverAttributes(x: ExchangeRecord): Attributes {
  const target = x.target;
  const q = target.indexOf('?');
  const method = methodLabel(x.method);
  const attributes: Attributes = {
    'http.request.method': method,
    'url.path': q < 0 ? target : target.slice(0, q),
    'url.scheme': 'http',
    'http.route': x.route,
  };
  if (method === OTHER_METHOD) attributes['http.request.method_original'] = x.method;
  const host = x.host;
  if (host !== undefined) {
    const colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(']', colon) < 0) {
      attributes['server.address'] = host.slice(0, colon);
      const port = Number(host.slice(colon + 1));
      if (Number.isInteger(port)) attributes['server.port'] = port;
    } else {
      attributes['server.address'] = host;
    }
  }
  if (x.clientAddress !== undefined) attributes['client.address'] = x.clientAddress;
  const agent = x.userAgent;
  if (agent !== undefined) attributes['user_agent.original'] = agent;
  attributes['network.protocol.version'] = x.httpVersion;
  return attributes;
}
