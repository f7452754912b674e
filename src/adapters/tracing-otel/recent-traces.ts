// The last traces recorded, kept in memory and served as JSON at the admin port's /debug/traces, so
// tracing is useful before any collector exists. A span processor: it sees each sampled span as it
// ends (the attempts' CLIENT spans before their SERVER span) and groups them by trace.

import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';

/** Spans kept per trace: a retried request has a handful; a runaway one must not grow without bound. */
const MAX_SPANS_PER_TRACE = 64;

export interface TraceView {
  readonly traceId: string;
  /** The SERVER span's name, `{method} {route}`; the first span's until the SERVER span ends. */
  readonly name: string;
  readonly startTime: string;
  readonly durationMs: number;
  readonly error: boolean;
  readonly spans: readonly SpanView[];
}

export interface SpanView {
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: string;
  readonly startTime: string;
  /** Milliseconds from the trace's first span. */
  readonly offsetMs: number;
  readonly durationMs: number;
  readonly status: 'unset' | 'ok' | 'error';
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly { readonly name: string; readonly offsetMs: number; readonly attributes: Readonly<Record<string, unknown>> }[];
}

const KIND_NAMES: Readonly<Record<number, string>> = {
  [SpanKind.INTERNAL]: 'internal', [SpanKind.SERVER]: 'server', [SpanKind.CLIENT]: 'client', [SpanKind.PRODUCER]: 'producer', [SpanKind.CONSUMER]: 'consumer',
};

function millis(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class RecentTraces implements SpanProcessor {
  readonly #capacity: number;
  /** Insertion order is age order: the first key is the oldest trace. */
  readonly #traces = new Map<string, ReadableSpan[]>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    let spans = this.#traces.get(traceId);
    if (spans === undefined) {
      spans = [];
      this.#traces.set(traceId, spans);
      if (this.#traces.size > this.#capacity) this.#traces.delete(this.#traces.keys().next().value as string);
    }
    if (spans.length < MAX_SPANS_PER_TRACE) spans.push(span);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.#traces.clear();
    return Promise.resolve();
  }

  /** The kept traces, newest first. */
  view(): TraceView[] {
    const out: TraceView[] = [];
    for (const [traceId, spans] of this.#traces) out.push(traceView(traceId, spans));
    return out.reverse();
  }
}

function traceView(traceId: string, spans: readonly ReadableSpan[]): TraceView {
  let start = Infinity;
  let end = -Infinity;
  for (const span of spans) {
    start = Math.min(start, millis(span.startTime));
    end = Math.max(end, millis(span.endTime));
  }
  const root = spans.find((s) => s.kind === SpanKind.SERVER) ?? (spans[0] as ReadableSpan);
  const views = spans.map((span) => spanView(span, start));
  views.sort((a, b) => a.offsetMs - b.offsetMs);
  return {
    traceId,
    name: root.name,
    startTime: new Date(start).toISOString(),
    durationMs: round(end - start),
    error: root.status.code === SpanStatusCode.ERROR,
    spans: views,
  };
}

function spanView(span: ReadableSpan, traceStart: number): SpanView {
  const startMs = millis(span.startTime);
  const code = span.status.code;
  return {
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: KIND_NAMES[span.kind] ?? 'internal',
    startTime: new Date(startMs).toISOString(),
    offsetMs: round(startMs - traceStart),
    durationMs: round(millis(span.duration)),
    status: code === SpanStatusCode.ERROR ? 'error' : code === SpanStatusCode.OK ? 'ok' : 'unset',
    attributes: { ...span.attributes },
    events: span.events.map((e) => ({ name: e.name, offsetMs: round(millis(e.time) - traceStart), attributes: { ...e.attributes } })),
  };
}
