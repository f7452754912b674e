// Traces from a running Sightline, received by a real OTLP/HTTP receiver on loopback: span names,
// kinds, parentage and attributes, the traceparent the app receives, retries as one CLIENT span each,
// sampling, the in-memory /debug/traces, and a collector that is down or slow.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetApp, startApp, unusedPort, type TestApp } from '../../support/apps.ts';
import { eventually, send } from '../../support/http-client.ts';
import { CLIENT, SERVER, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../support/otlp-receiver.ts';
import { startSightline, type Sightline } from '../../support/sightline.ts';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

function configFile(lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-tracing-'));
  const file = join(dir, 'sightline.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function ofTrace(spans: readonly ReceivedSpan[], traceId: string): ReceivedSpan[] {
  return spans.filter((s) => s.traceId === traceId);
}

function header(app: TestApp, index: number, name: string): string | undefined {
  const value = app.seen[index]?.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

describe('traces exported over OTLP/HTTP', () => {
  let app: TestApp;
  let receiver: OtlpReceiver;
  let sightline: Sightline;

  beforeAll(async () => {
    app = await startApp();
    receiver = await startOtlpReceiver();
    const file = configFile([
      'routes:',
      '  - name: /items/:id',
      '    match: { path: /items/:id }',
      'tracing:',
      `  endpoint: ${receiver.url}/v1/traces`,
      '  sampleRatio: 100%',
      '  exportDelay: 50ms',
    ]);
    sightline = await startSightline({
      upstream: app.url,
      args: ['--config', file],
      env: { OTEL_SERVICE_NAME: 'shop', OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=web-1,deployment.environment.name=test' },
    });
  });
  afterEach(() => resetApp(app));
  afterAll(async () => {
    await sightline?.stop();
    await receiver?.close();
    await app?.close();
  });

  it('nests a SERVER span under the caller and one CLIENT span per attempt under it; the app gets each CLIENT span as parent', async () => {
    app.script.push({ status: 503 }, { status: 200 });
    const reply = await send(`${sightline.proxyUrl}/items/42?token=secret`, {
      headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc', baggage: 'user.id=alice', 'user-agent': 'trace-test/1.0' },
    });
    expect(reply.status).toBe(200);

    const spans = ofTrace(await receiver.waitForSpans((all) => ofTrace(all, CALLER_TRACE).length >= 3), CALLER_TRACE);
    expect(spans).toHaveLength(3);
    const server = spans.find((s) => s.kind === SERVER) as ReceivedSpan;
    const clients = spans.filter((s) => s.kind === CLIENT).sort((a, b) => Number(a.startNs - b.startNs));
    expect(server.name).toBe('GET /items/:id');
    expect(server.parentSpanId).toBe(CALLER_SPAN);
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/items/42',
      'url.scheme': 'http',
      'http.route': '/items/:id',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'server.port': sightline.proxyPort,
      'client.address': '127.0.0.1',
      'user_agent.original': 'trace-test/1.0',
      'network.protocol.version': '1.1',
      'sightline.attempts': 2,
    });
    expect(server.attributes).not.toHaveProperty('error.type');
    expect(JSON.stringify(server.attributes)).not.toContain('secret');
    expect(server.statusCode).toBe(0);
    expect(server.events).toEqual([{ name: 'sightline.retry', attributes: expect.objectContaining({ 'sightline.attempt': 1, 'sightline.retry.cause': '503' }) }]);
    expect(server.resource).toMatchObject({ 'service.name': 'shop', 'k8s.pod.name': 'web-1', 'deployment.environment.name': 'test' });

    expect(clients.map((c) => c.name)).toEqual(['GET /items/:id', 'GET /items/:id']);
    for (const client of clients) expect(client.parentSpanId).toBe(server.spanId);
    expect(clients[0]?.attributes).toMatchObject({ 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'server.port': app.port, 'url.full': `${app.url}/items/42?token=secret`, 'http.response.status_code': 503 });
    expect(clients[0]?.attributes).not.toHaveProperty('http.request.resend_count');
    expect(clients[0]?.statusCode).toBe(2);
    expect(clients[1]?.attributes).toMatchObject({ 'http.request.resend_count': 1, 'http.response.status_code': 200 });
    expect(clients[1]?.statusCode).toBe(0);
    // The SERVER span encloses its attempts.
    expect(server.startNs <= (clients[0] as ReceivedSpan).startNs && (clients[1] as ReceivedSpan).endNs <= server.endNs).toBe(true);

    expect(app.seen).toHaveLength(2);
    expect(header(app, 0, 'traceparent')).toBe(`00-${CALLER_TRACE}-${clients[0]?.spanId}-01`);
    expect(header(app, 1, 'traceparent')).toBe(`00-${CALLER_TRACE}-${clients[1]?.spanId}-01`);
    for (const i of [0, 1]) {
      expect(header(app, i, 'tracestate')).toBe('vendor=abc');
      expect(header(app, i, 'baggage')).toBe('user.id=alice');
    }

    const line = await sightline.waitForLog((l) => l.msg === 'request' && l['url.path'] === '/items/42');
    expect(line).toMatchObject({ trace_id: CALLER_TRACE, span_id: server.spanId });
  });

  it('starts a new trace for a request without traceparent, and the app joins it', async () => {
    const reply = await send(`${sightline.proxyUrl}/other`);
    expect(reply.status).toBe(200);
    const sent = header(app, 0, 'traceparent') as string;
    const [, traceId, parentId, flags] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(01)$/.exec(sent) ?? [];
    expect(flags).toBe('01');
    const spans = ofTrace(await receiver.waitForSpans((all) => ofTrace(all, traceId as string).length >= 2), traceId as string);
    const server = spans.find((s) => s.kind === SERVER) as ReceivedSpan;
    const client = spans.find((s) => s.kind === CLIENT) as ReceivedSpan;
    expect(server.name).toBe('GET default');
    expect(server.parentSpanId).toBe('');
    expect(client.spanId).toBe(parentId);
    expect(client.parentSpanId).toBe(server.spanId);
  });

  it('records a failed request as an error with its retries and the denial that ended them', async () => {
    app.script.push({ status: 503 }, { status: 503 });
    const traceId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
    const reply = await send(`${sightline.proxyUrl}/items/7`, { headers: { traceparent: `00-${traceId}-${CALLER_SPAN}-01` } });
    expect(reply.status).toBe(503);
    const spans = ofTrace(await receiver.waitForSpans((all) => ofTrace(all, traceId).length >= 3), traceId);
    const server = spans.find((s) => s.kind === SERVER) as ReceivedSpan;
    expect(server.statusCode).toBe(2);
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503', 'sightline.attempts': 2 });
    expect(server.events.map((e) => [e.name, e.attributes['sightline.reason'] ?? e.attributes['sightline.retry.cause']])).toEqual([
      ['sightline.retry', '503'],
      ['sightline.retry_denied', 'attempts_exhausted'],
    ]);
    expect(spans.filter((s) => s.kind === CLIENT)).toHaveLength(2);
  });

  it('gives an attempt that got no response its error type', async () => {
    app.script.push('reset', 'reset');
    const traceId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2';
    const reply = await send(`${sightline.proxyUrl}/items/8`, { headers: { traceparent: `00-${traceId}-${CALLER_SPAN}-01` } });
    expect(reply.status).toBe(502);
    const spans = ofTrace(await receiver.waitForSpans((all) => ofTrace(all, traceId).length >= 3), traceId);
    const server = spans.find((s) => s.kind === SERVER) as ReceivedSpan;
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 502, 'error.type': 'upstream_reset', 'sightline.reason': 'upstream_reset' });
    for (const client of spans.filter((s) => s.kind === CLIENT)) {
      expect(client.attributes['error.type']).toBe('reset');
      expect(client.attributes).not.toHaveProperty('http.response.status_code');
      expect(client.statusCode).toBe(2);
    }
  });

  it('records nothing for a caller that did not sample, and passes its trace context on unchanged', async () => {
    const traceId = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1';
    const unsampled = `00-${traceId}-${CALLER_SPAN}-00`;
    expect((await send(`${sightline.proxyUrl}/items/9`, { headers: { traceparent: unsampled, tracestate: 'vendor=x' } })).status).toBe(200);
    expect(header(app, 0, 'traceparent')).toBe(unsampled);
    expect(header(app, 0, 'tracestate')).toBe('vendor=x');
    const line = await sightline.waitForLog((l) => l.msg === 'request' && l['url.path'] === '/items/9');
    expect(line.trace_id).toBe(traceId);
    expect(line).not.toHaveProperty('span_id');
    // A sampled request sent after it is exported; the unsampled one never is.
    const marker = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
    await send(`${sightline.proxyUrl}/items/10`, { headers: { traceparent: `00-${marker}-${CALLER_SPAN}-01` } });
    await receiver.waitForSpans((all) => ofTrace(all, marker).length >= 2);
    expect(ofTrace(receiver.spans, traceId)).toEqual([]);
  });

  it('starts a new trace, without the caller\'s tracestate, when the traceparent is invalid', async () => {
    expect((await send(`${sightline.proxyUrl}/items/11`, { headers: { traceparent: '00-nothex-00f067aa0ba902b7-01', tracestate: 'vendor=x' } })).status).toBe(200);
    expect(header(app, 0, 'traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(header(app, 0, 'tracestate')).toBeUndefined();
  });
});

describe('traces kept in memory (no endpoint)', () => {
  let app: TestApp;
  let sightline: Sightline;

  beforeAll(async () => {
    app = await startApp();
    sightline = await startSightline({ upstream: app.url, set: { 'tracing.sampleRatio': '100%', 'tracing.keepTraces': '3' } });
  });
  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  it('serves the last traces at /debug/traces, newest first, each a SERVER span and its attempts', async () => {
    for (let i = 0; i < 5; i++) expect((await send(`${sightline.proxyUrl}/status?code=${i === 4 ? 500 : 200}`)).status).toBe(i === 4 ? 500 : 200);
    type View = { traceId: string; name: string; error: boolean; spans: { spanId: string; parentSpanId?: string; kind: string; offsetMs: number; durationMs: number; attributes: Record<string, unknown> }[] };
    let traces: View[] = [];
    expect(await eventually(async () => {
      traces = (await send(`${sightline.adminUrl}/debug/traces`)).json<{ traces: View[] }>().traces;
      return traces.length === 3 && traces.every((t) => t.spans.length === 2);
    })).toBe(true);
    const newest = traces[0] as View;
    expect(newest).toMatchObject({ name: 'GET default', error: true });
    expect(traces.slice(1).every((t) => !t.error)).toBe(true);
    const [server, client] = newest.spans;
    expect(server).toMatchObject({ kind: 'server', offsetMs: 0 });
    expect(server?.attributes['http.response.status_code']).toBe(500);
    expect(client).toMatchObject({ kind: 'client', parentSpanId: server?.spanId });
    expect(client?.durationMs).toBeLessThanOrEqual(server?.durationMs as number);
    // The access log names the same trace.
    const line = await sightline.waitForLog((l) => l.msg === 'request' && l['http.response.status_code'] === 500);
    expect(line.trace_id).toBe(newest.traceId);
  });
});

describe('a collector in trouble', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  async function droppedSpans(sightline: Sightline, reason: string): Promise<number> {
    const text = (await send(`${sightline.adminUrl}/metrics`)).text();
    const m = new RegExp(`^sightline_trace_spans_dropped_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
    return m === null ? 0 : Number(m[1]);
  }

  /** Sends `count` requests, 8 at a time; returns the slowest one's time in ms. */
  async function traffic(sightline: Sightline, count: number): Promise<number> {
    let slowest = 0;
    for (let i = 0; i < count; i += 8) {
      await Promise.all(Array.from({ length: 8 }, async () => {
        const started = performance.now();
        const reply = await send(`${sightline.proxyUrl}/status?code=200`);
        expect(reply.status).toBe(200);
        slowest = Math.max(slowest, performance.now() - started);
      }));
    }
    return slowest;
  }

  it('keeps serving at once while the collector answers slowly, dropping what does not fit the queue', async () => {
    const receiver = await startOtlpReceiver();
    receiver.delayMs = 5000;
    const sightline = await startSightline({
      upstream: app.url,
      set: { 'tracing.endpoint': `${receiver.url}/v1/traces`, 'tracing.sampleRatio': '100%', 'tracing.queueSize': '20', 'tracing.batchSize': '10', 'tracing.exportDelay': '10ms' },
    });
    try {
      const slowest = await traffic(sightline, 200);
      // An export takes 5s here: had any request waited for one, it would show.
      expect(slowest).toBeLessThan(1000);
      expect(receiver.requests).toBeGreaterThanOrEqual(1);
      expect(await droppedSpans(sightline, 'queue_full')).toBeGreaterThan(0);
    } finally {
      await sightline.stop();
      await receiver.close();
    }
  });

  it('keeps serving when nothing listens at the endpoint, and counts the failed exports', async () => {
    const port = await unusedPort();
    const sightline = await startSightline({
      upstream: app.url,
      set: { 'tracing.endpoint': `http://127.0.0.1:${port}/v1/traces`, 'tracing.sampleRatio': '100%', 'tracing.exportDelay': '10ms', 'tracing.exportTimeout': '300ms' },
    });
    try {
      const slowest = await traffic(sightline, 40);
      expect(slowest).toBeLessThan(1000);
      expect(await eventually(async () => {
        const text = (await send(`${sightline.adminUrl}/metrics`)).text();
        return /^sightline_trace_spans_dropped_total\{reason="ECONNREFUSED"\} [1-9]\d*$/m.test(text);
      }, 8000)).toBe(true);
      const problem = await sightline.waitForLog((l) => l.msg === 'trace export problem', 8000);
      expect(problem.detail).toContain('ECONNREFUSED');
      // Failures keep coming every few milliseconds here; the log says so once a minute.
      expect(sightline.logs.filter((l) => l.msg === 'trace export problem')).toHaveLength(1);
    } finally {
      await sightline.stop();
    }
  });
});
