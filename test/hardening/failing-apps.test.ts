// Sightline in front of an app that fails in every way an app can: refusing connections, accepting and
// never answering, stalling or resetting mid-body, sending malformed or over-long responses, restarting
// under load, answering slowly to hundreds of clients. For each: what the client gets (a documented
// status and reason, or a destroyed connection: never a hang, never a truncated body passed off as
// whole), the exact series counted in /metrics, and that Sightline's sockets to the app, its file
// descriptors and its memory come back to where they were.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { startApp, unusedPort, type TestApp } from '../support/apps.ts';
import { delay, eventually, rawExchange, send } from '../support/http-client.ts';
import { okResponse, startMisbehavingApp, type MisbehavingApp, type RawRequest } from '../support/misbehaving-app.ts';
import { startSightline, type LogLine, type Sightline } from '../support/sightline.ts';

const MiB = 1024 * 1024;
/** RSS Sightline may gain over a batch of failures and keep: well under what a leak per request would cost. */
const RSS_MARGIN = 50 * MiB;
/** File descriptors Sightline may hold above its idle baseline once the dust settles (a scrape, a health check). */
const FD_MARGIN = 4;

/** Breakers off: these tests fail on purpose, and an open breaker would answer 503 before the app is reached. */
const NO_BREAKER = { 'defaultRoute.circuitBreaker.consecutiveFailures': '0', 'defaultRoute.circuitBreaker.failureRate': '0' };

// ---- what the client saw ----------------------------------------------------------------------------

interface Outcome {
  /** 0 when no response head arrived. */
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The response ended as its framing said (Content-Length reached, chunked terminator seen). */
  readonly complete: boolean;
  /** Why it did not end cleanly: the request's or the response's error; `hung` when nothing happened in time. */
  readonly error: string | undefined;
  readonly ms: number;
  readonly reusedSocket: boolean;
}

/** One request; resolves however it ends (whole, cut, refused), so that every test can say which it was. */
function exchange(url: string, options: { method?: string; body?: string; agent?: Agent; requestId?: string; timeoutMs?: number } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const headers: Record<string, string> = {};
    if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
    let settled = false;
    const req = request(url, { method: options.method ?? 'GET', agent: options.agent ?? false, headers }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      const finish = (error: string | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, body, complete: res.complete, error, ms: performance.now() - started, reusedSocket: req.reusedSocket });
      };
      res.on('end', () => finish(undefined));
      res.on('error', (err) => finish(err.message));
      res.on('close', () => finish(res.complete ? undefined : 'closed'));
    });
    const timer = setTimeout(() => req.destroy(new Error('hung')), options.timeoutMs ?? 10_000);
    req.on('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status: 0, statusMessage: '', headers: {}, body: '', complete: false, error: err.message, ms: performance.now() - started, reusedSocket: req.reusedSocket });
    });
    req.end(options.body);
  });
}

// ---- what Sightline counted ---------------------------------------------------------------------------

const COUNTED = /^(http_server_request_duration_seconds_count|http_client_request_duration_seconds_count|sightline_retries_total|sightline_retry_budget_exhausted_total|sightline_responses_cut_total|sightline_rejected_requests_total)\{/;

/** The client-facing status of a request, as counted. */
const served = (status: number, method = 'GET'): string =>
  `http_server_request_duration_seconds_count{http_request_method="${method}",http_route="default",http_response_status_code="${status}"}`;
/** One attempt to the app: its status, or its error_type. */
const attempt = (outcome: number | string, method = 'GET'): string =>
  typeof outcome === 'number'
    ? `http_client_request_duration_seconds_count{http_request_method="${method}",http_route="default",http_response_status_code="${outcome}"}`
    : `http_client_request_duration_seconds_count{http_request_method="${method}",http_route="default",error_type="${outcome}"}`;
const retried = (reason: string): string => `sightline_retries_total{http_route="default",reason="${reason}"}`;
/** A response cut after its headers had gone to the client. */
const cut = (errorType: string): string => `sightline_responses_cut_total{http_route="default",error_type="${errorType}"}`;

async function counters(s: Sightline): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const line of (await send(`${s.adminUrl}/metrics`)).text().split('\n')) {
    if (!COUNTED.test(line)) continue;
    const space = line.lastIndexOf(' ');
    counts.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return counts;
}

/** Every tracked series that moved since `before`, by how much. */
function moved(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const changes: Record<string, number> = {};
  for (const [series, value] of after) {
    const delta = value - (before.get(series) ?? 0);
    if (delta !== 0) changes[series] = delta;
  }
  return changes;
}

/** What was counted since `before`, once it matches `expected` (a request is counted as its response closes) or the time is up. */
async function countedSince(s: Sightline, before: Map<string, number>, expected: Record<string, number>): Promise<Record<string, number>> {
  let changes: Record<string, number> = {};
  await eventually(async () => {
    changes = moved(before, await counters(s));
    return JSON.stringify(Object.entries(changes).sort()) === JSON.stringify(Object.entries(expected).sort());
  }, 3000, 50);
  return changes;
}

interface TraceView {
  readonly traceId: string;
  readonly error: boolean;
  readonly spans: readonly { readonly kind: string; readonly attributes: Record<string, unknown> }[];
}

/** A request's SERVER span from /debug/traces (tracing.sampleRatio 100%), with whether its trace failed. */
async function serverSpan(s: Sightline, traceId: string): Promise<{ error: boolean; attributes: Record<string, unknown> } | undefined> {
  let trace: TraceView | undefined;
  await eventually(async () => {
    trace = (await send(`${s.adminUrl}/debug/traces`)).json<{ traces: TraceView[] }>().traces.find((t) => t.traceId === traceId);
    return trace !== undefined;
  }, 3000, 50);
  const span = trace?.spans.find((sp) => sp.kind === 'server');
  return trace === undefined || span === undefined ? undefined : { error: trace.error, attributes: span.attributes };
}

function accessLog(s: Sightline, requestId: string): Promise<LogLine> {
  return s.waitForLog((l) => l.msg === 'request' && l.request_id === requestId, 3000);
}

// ---- what Sightline holds -----------------------------------------------------------------------------

function openFds(s: Sightline): number {
  return readdirSync(`/proc/${s.child.pid}/fd`).length;
}

interface Baseline {
  readonly fds: number;
  readonly rss: number;
}

/** Sightline at rest: after a first request (lazy modules loaded, a pooled socket made) and its keep-alive expiry. */
async function baseline(s: Sightline, appSockets: () => number, warmUp: string): Promise<Baseline> {
  await send(warmUp);
  expect(await eventually(() => appSockets() === 0, 5000)).toBe(true);
  await delay(100);
  return { fds: openFds(s), rss: s.rss() };
}

/** Sightline's sockets to the app are gone (the app side counts them) and its descriptors are back near their baseline. */
async function expectSettled(s: Sightline, appSockets: () => number, base: Baseline): Promise<void> {
  // Pooled keep-alive sockets close after upstream.keepAliveTimeout (1s here; undici's timer ticks every 0.5s).
  expect(await eventually(() => appSockets() === 0, 5000), `sockets to the app still open: ${appSockets()}`).toBe(true);
  expect(await eventually(() => openFds(s) <= base.fds + FD_MARGIN, 3000), `fds ${openFds(s)} vs baseline ${base.fds}`).toBe(true);
}

function expectRssBounded(s: Sightline, base: Baseline): void {
  expect(s.rss() - base.rss, `RSS ${(s.rss() / MiB).toFixed(1)} MiB, baseline ${(base.rss / MiB).toFixed(1)} MiB`).toBeLessThan(RSS_MARGIN);
}

/** Sightline's own JSON answer: its reason in the header and the body, and nothing of the app's response. */
function expectGenerated(reply: Outcome, status: number, reason: string): void {
  expect(reply.error).toBeUndefined();
  expect(reply.status).toBe(status);
  expect(reply.headers['x-sightline-reason']).toBe(reason);
  expect(reply.complete).toBe(true);
  expect(JSON.parse(reply.body)).toMatchObject({ error: reason, request_id: reply.headers['x-request-id'] });
  expect(reply.headers['x-app-marker']).toBeUndefined();
}

/** A response cut short: the head arrived, the body stopped before its end, and the client knows it. */
function expectCut(reply: Outcome, partialBody: string): void {
  expect(reply.status).toBe(200);
  expect(reply.complete).toBe(false);
  expect(reply.error).toBeDefined();
  expect(reply.error).not.toBe('hung');
  expect(reply.body).toBe(partialBody);
}

let ids = 0;
const nextId = (): string => `failing-apps-${process.pid}-${++ids}`;

// ---- 1. nothing listening -----------------------------------------------------------------------------

describe('an app that refuses connections', () => {
  let sightline: Sightline;
  let base: Baseline;

  beforeAll(async () => {
    sightline = await startSightline({ upstream: `http://127.0.0.1:${await unusedPort()}`, set: { ...NO_BREAKER } });
    await send(`${sightline.proxyUrl}/warm-up`);
    await delay(100);
    base = { fds: openFds(sightline), rss: sightline.rss() };
  });
  afterAll(async () => {
    await sightline?.stop();
  });

  it('answers a GET 502 upstream_connect_failure after retrying it once, as the default policy says', async () => {
    const before = await counters(sightline);
    const requestId = nextId();
    const reply = await exchange(`${sightline.proxyUrl}/orders`, { requestId });
    expectGenerated(reply, 502, 'upstream_connect_failure');
    expect(await countedSince(sightline, before, { [served(502)]: 1, [attempt('connect_failure')]: 2, [retried('connect-failure')]: 1 })).toEqual({
      [served(502)]: 1,
      [attempt('connect_failure')]: 2,
      [retried('connect-failure')]: 1,
    });
    expect(await accessLog(sightline, requestId)).toMatchObject({
      'http.response.status_code': 502,
      attempts: 2,
      'error.type': 'connect_failure',
      'sightline.reason': 'upstream_connect_failure',
    });
  });

  it('retries a POST too: nothing was sent, so sending it again is safe', async () => {
    const before = await counters(sightline);
    const requestId = nextId();
    const reply = await exchange(`${sightline.proxyUrl}/pay`, { method: 'POST', body: 'amount=10', requestId });
    expectGenerated(reply, 502, 'upstream_connect_failure');
    const expected = { [served(502, 'POST')]: 1, [attempt('connect_failure', 'POST')]: 2, [retried('connect-failure')]: 1 };
    expect(await countedSince(sightline, before, expected)).toEqual(expected);
    expect(await accessLog(sightline, requestId)).toMatchObject({ attempts: 2 });
  });

  it('keeps no descriptor and no memory per refused request (300 of them, 20 at a time)', async () => {
    for (let round = 0; round < 15; round++) {
      const replies = await Promise.all(Array.from({ length: 20 }, () => exchange(`${sightline.proxyUrl}/x`)));
      expect(replies.map((r) => r.status)).toEqual(Array(20).fill(502));
    }
    expect(await eventually(() => openFds(sightline) <= base.fds + FD_MARGIN, 3000), `fds ${openFds(sightline)} vs ${base.fds}`).toBe(true);
    expectRssBounded(sightline, base);
  });
});

// ---- 2-6. an app that accepts, then misbehaves ----------------------------------------------------------

/** Each malformed response carries this header: it must never reach the client. */
const MARKER = 'X-App-Marker: leaked\r\n';

/** Responses that are not valid HTTP/1.1, each answered 502 upstream_protocol_error (by path). */
const MALFORMED: Record<string, string | Buffer> = {
  'status-not-a-number': `HTTP/1.1 abc OK\r\n${MARKER}Content-Length: 2\r\n\r\nok`,
  'status-under-100': `HTTP/1.1 099 Odd\r\n${MARKER}Content-Length: 2\r\n\r\nok`,
  'reason-with-control-byte': Buffer.from(`HTTP/1.1 200 O\x01K\r\n${MARKER}Content-Length: 2\r\n\r\nok`, 'latin1'),
  'header-without-colon': `HTTP/1.1 200 OK\r\n${MARKER}BadHeader\r\nContent-Length: 2\r\n\r\nok`,
  'header-name-with-space': `HTTP/1.1 200 OK\r\n${MARKER}Bad Name: x\r\nContent-Length: 2\r\n\r\nok`,
  'header-value-nul': Buffer.from(`HTTP/1.1 200 OK\r\n${MARKER}X-Bad: a\x00b\r\nContent-Length: 2\r\n\r\nok`, 'latin1'),
  'header-value-del': Buffer.from(`HTTP/1.1 200 OK\r\n${MARKER}X-Bad: a\x7fb\r\nContent-Length: 2\r\n\r\nok`, 'latin1'),
  'header-value-bare-cr': Buffer.from(`HTTP/1.1 200 OK\r\n${MARKER}X-Bad: a\rb\r\nContent-Length: 2\r\n\r\nok`, 'latin1'),
  'bare-lf-line-endings': `HTTP/1.1 200 OK\n${MARKER.replace('\r\n', '\n')}Content-Length: 2\n\nok`,
  'obsolete-line-folding': `HTTP/1.1 200 OK\r\n${MARKER}X-Folded: a\r\n  b\r\nContent-Length: 2\r\n\r\nok`,
  'content-length-and-chunked': `HTTP/1.1 200 OK\r\n${MARKER}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n`,
  'content-length-conflicting': `HTTP/1.1 200 OK\r\n${MARKER}Content-Length: 2\r\nContent-Length: 3\r\n\r\nok!`,
  'content-length-repeated': `HTTP/1.1 200 OK\r\n${MARKER}Content-Length: 2\r\nContent-Length: 2\r\n\r\nok`,
  'content-length-list': `HTTP/1.1 200 OK\r\n${MARKER}Content-Length: 2, 3\r\n\r\nok!`,
  'content-length-negative': `HTTP/1.1 200 OK\r\n${MARKER}Content-Length: -1\r\n\r\nok`,
};

const PARTIAL = 'first part;';

function misbehave(request: RawRequest, socket: Socket): void {
  const name = request.path.slice(1);
  const malformed = MALFORMED[name];
  if (malformed !== undefined) {
    socket.write(malformed);
    return;
  }
  switch (name) {
    case 'hang':
      return; // reads the request, never answers
    case 'stall-body':
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n${PARTIAL}`);
      return;
    case 'stall-body-chunked':
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n${PARTIAL.length.toString(16)}\r\n${PARTIAL}\r\n`);
      return;
    case 'reset-mid-body':
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${PARTIAL}`, () => setTimeout(() => socket.resetAndDestroy(), 30));
      return;
    case 'reset-mid-body-chunked':
      socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${PARTIAL.length.toString(16)}\r\n${PARTIAL}\r\n`, () => setTimeout(() => socket.resetAndDestroy(), 30));
      return;
    case 'close-before-length':
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${PARTIAL}`);
      return;
    case 'close-before-length-connection-close':
      socket.end(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 100\r\n\r\n${PARTIAL}`);
      return;
    case 'bad-chunk-size':
      socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${PARTIAL.length.toString(16)}\r\n${PARTIAL}\r\nzz\r\nmore\r\n0\r\n\r\n`);
      return;
    case 'longer-than-declared':
      // Content-Length 5, then 20 bytes: "hello" and 15 that belong to no response.
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello${'X'.repeat(15)}`);
      return;
    case 'reason-beyond-latin-1':
      socket.write(Buffer.from('HTTP/1.1 200 Fine \u2713\r\nContent-Length: 2\r\n\r\nok', 'utf8'));
      return;
    case 'late-extra-response':
      // A whole second response, 50ms later, while the socket sits idle in Sightline's pool.
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nsmuggled!!'), 50);
      return;
    default:
      socket.write(okResponse(`ok ${request.url}`));
  }
}

describe('an app that accepts connections, then misbehaves', () => {
  let app: MisbehavingApp;
  let sightline: Sightline;
  let base: Baseline;

  beforeAll(async () => {
    app = await startMisbehavingApp();
    app.respond = misbehave;
    sightline = await startSightline({
      upstream: app.url,
      set: { ...NO_BREAKER, 'defaultRoute.timeout': '500ms', 'upstream.idleTimeout': '400ms', 'upstream.keepAliveTimeout': '1s', 'tracing.sampleRatio': '100%' },
    });
    base = await baseline(sightline, () => app.openSockets(), `${sightline.proxyUrl}/warm-up`);
  });
  afterEach(async () => {
    app.onAccept = null;
    await expectSettled(sightline, () => app.openSockets(), base);
  });
  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  describe('2. accepts and never answers, or closes at once', () => {
    it('answers 504 upstream_timeout at the route timeout when the app never answers, and closes that socket', async () => {
      const before = await counters(sightline);
      const requestId = nextId();
      const reply = await exchange(`${sightline.proxyUrl}/hang`, { requestId });
      expectGenerated(reply, 504, 'upstream_timeout');
      expect(reply.ms).toBeGreaterThanOrEqual(490);
      expect(reply.ms).toBeLessThan(1500);
      // The timeout is the route's whole budget: no retry after it.
      const expected = { [served(504)]: 1, [attempt('timeout')]: 1 };
      expect(await countedSince(sightline, before, expected)).toEqual(expected);
      expect(await accessLog(sightline, requestId)).toMatchObject({ attempts: 1, 'error.type': 'timeout', 'sightline.reason': 'upstream_timeout' });
    });

    it.each([
      ['closes (FIN) each connection as it accepts it', (socket: Socket) => socket.end()],
      ['resets (RST) each connection as it accepts it', (socket: Socket) => socket.resetAndDestroy()],
    ])('answers 502 upstream_reset, after one retry, when the app %s', async (_name, onAccept) => {
      app.onAccept = (socket) => {
        onAccept(socket);
        return true;
      };
      const before = await counters(sightline);
      const requestId = nextId();
      const reply = await exchange(`${sightline.proxyUrl}/closed-at-once`, { requestId });
      expectGenerated(reply, 502, 'upstream_reset');
      const expected = { [served(502)]: 1, [attempt('reset')]: 2, [retried('reset')]: 1 };
      expect(await countedSince(sightline, before, expected)).toEqual(expected);
      expect(app.seen.some((r) => r.path === '/closed-at-once')).toBe(false);
    });
  });

  describe('3. answers the headers, then stalls the body', () => {
    it.each(['stall-body', 'stall-body-chunked'])('cuts the client after upstream.idleTimeout (%s): an incomplete response, never a clean end', async (path) => {
      const before = await counters(sightline);
      const requestId = nextId();
      const reply = await exchange(`${sightline.proxyUrl}/${path}`, { requestId });
      expectCut(reply, PARTIAL);
      // undici checks body timeouts on a half-second tick: cut between idleTimeout and a second after it.
      expect(reply.ms).toBeGreaterThanOrEqual(390);
      expect(reply.ms).toBeLessThan(2000);
      // The attempt answered 200 (its headers came in time): the response, not the attempt, was cut.
      const expected = { [served(200)]: 1, [attempt(200)]: 1, [cut('timeout')]: 1 };
      expect(await countedSince(sightline, before, expected)).toEqual(expected);
      expect(await accessLog(sightline, requestId)).toMatchObject({ 'http.response.status_code': 200, 'upstream.status_code': 200, 'error.type': 'timeout', 'http.response.body.size': PARTIAL.length });
    });
  });

  describe('4. sends a malformed status line or headers', () => {
    it.each(Object.keys(MALFORMED))('answers 502 upstream_protocol_error, forwarding none of it, not retried (%s)', async (name) => {
      const before = await counters(sightline);
      const requestId = nextId();
      const reply = await exchange(`${sightline.proxyUrl}/${name}`, { requestId });
      expectGenerated(reply, 502, 'upstream_protocol_error');
      // protocol-error is not in the default retryOn: the app would only say the same thing again.
      const expected = { [served(502)]: 1, [attempt('protocol_error')]: 1 };
      expect(await countedSince(sightline, before, expected)).toEqual(expected);
      expect(await accessLog(sightline, requestId)).toMatchObject({ attempts: 1, 'error.type': 'protocol_error', 'sightline.reason': 'upstream_protocol_error' });
    });

    it('passes a status on with its standard phrase when the app\'s phrase is text Node cannot write back (beyond Latin-1)', async () => {
      const before = await counters(sightline);
      const reply = await exchange(`${sightline.proxyUrl}/reason-beyond-latin-1`);
      expect(reply).toMatchObject({ status: 200, statusMessage: 'OK', body: 'ok', complete: true, error: undefined });
      const expected = { [served(200)]: 1, [attempt(200)]: 1 };
      expect(await countedSince(sightline, before, expected)).toEqual(expected);
    });

    it('destroys the client connection when the framing breaks after the headers (an invalid chunk size)', async () => {
      const before = await counters(sightline);
      const reply = await exchange(`${sightline.proxyUrl}/bad-chunk-size`);
      expect(reply.complete).toBe(false);
      expect(reply.error).toBeDefined();
      expect(reply.error).not.toBe('hung');
      expect(reply.body).not.toContain('more');
      const expected = { [served(200)]: 1, [attempt(200)]: 1, [cut('protocol_error')]: 1 };
      expect(await countedSince(sightline, before, expected)).toEqual(expected);
    });
  });

  describe('5. resets or closes mid-body', () => {
    it.each([
      ['reset-mid-body', 'reset'],
      ['reset-mid-body-chunked', 'reset'],
      ['close-before-length', 'reset'],
      // With Connection: close the body may end at the close: one that ends short of its Content-Length is malformed.
      ['close-before-length-connection-close', 'protocol_error'],
    ])('destroys the client connection (%s) and counts the cut response (%s)', async (path, errorType) => {
      const before = await counters(sightline);
      const requestId = nextId();
      const reply = await exchange(`${sightline.proxyUrl}/${path}`, { requestId });
      expectCut(reply, PARTIAL);
      const expected = { [served(200)]: 1, [attempt(200)]: 1, [cut(errorType)]: 1 };
      expect(await countedSince(sightline, before, expected)).toEqual(expected);
      const line = await accessLog(sightline, requestId);
      expect(line).toMatchObject({ 'http.response.status_code': 200, attempts: 1, 'upstream.status_code': 200, 'error.type': errorType });
      // The SERVER span fails too, whatever its status said.
      expect(await serverSpan(sightline, String(line.trace_id))).toMatchObject({ error: true, attributes: { 'http.response.status_code': 200, 'error.type': errorType } });
    });
  });

  describe('6. sends more bytes than its Content-Length', () => {
    it('gives the client exactly the declared body, and the next response on that connection is its own', async () => {
      const before = await counters(sightline);
      const seenBefore = app.seen.length;
      // Two requests on one client connection: the second must not start with the 15 stray bytes.
      const raw = await rawExchange(sightline.proxyPort, 'GET /longer-than-declared HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const [first, second, ...rest] = raw.split(/(?=HTTP\/1\.1 )/);
      expect(rest).toEqual([]);
      expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(first?.toLowerCase()).toContain('content-length: 5\r\n');
      expect(first?.endsWith('\r\n\r\nhello')).toBe(true);
      expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(second?.endsWith('\r\n\r\nok /next')).toBe(true);
      expect(raw).not.toContain('XXX');
      // The socket the stray bytes came on was dropped, not handed to the next request.
      const [longer, next] = app.seen.slice(seenBefore);
      expect(next?.path).toBe('/next');
      expect(next?.connection).not.toBe(longer?.connection);
      const expected = { [served(200)]: 2, [attempt(200)]: 2 };
      expect(await countedSince(sightline, before, expected)).toEqual(expected);
    });

    it('drops a pooled socket on which the app sends an unasked-for response, instead of taking it for the next answer', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const seenBefore = app.seen.length;
        const first = await exchange(`${sightline.proxyUrl}/late-extra-response`, { agent });
        expect(first).toMatchObject({ status: 200, body: 'hello', complete: true });
        await delay(200); // the stray response arrives while Sightline's socket to the app is idle
        const second = await exchange(`${sightline.proxyUrl}/after-the-stray-response`, { agent });
        expect(second).toMatchObject({ status: 200, body: 'ok /after-the-stray-response', complete: true, reusedSocket: true });
        const [late, after] = app.seen.slice(seenBefore);
        expect(after?.connection).not.toBe(late?.connection);
      } finally {
        agent.destroy();
      }
    });
  });

  it('after all that, and 600 more failures of every kind, holds no more sockets, descriptors or memory than before', async () => {
    const paths = ['hang', 'stall-body', 'reset-mid-body', 'close-before-length', 'bad-chunk-size', 'longer-than-declared', ...Object.keys(MALFORMED)];
    let failures = 0;
    for (let batch = 0; batch < 3; batch++) {
      const replies = await Promise.all(Array.from({ length: 10 }, () => paths.map((p) => exchange(`${sightline.proxyUrl}/${p}`))).flat());
      for (const r of replies) {
        expect(r.error).not.toBe('hung');
        if (r.status !== 200 || !r.complete) failures++;
      }
    }
    expect(failures).toBe(30 * (paths.length - 1));
    await expectSettled(sightline, () => app.openSockets(), base);
    expectRssBounded(sightline, base);
  }, 60_000);
});

// ---- 7. restarts under load ---------------------------------------------------------------------------

describe('7. an app that restarts under load', () => {
  it('answers 502 upstream_connect_failure while it is down, none hangs, and all succeed once it is back', async () => {
    let app: TestApp = await startApp();
    const port = app.port;
    const sightline = await startSightline({ upstream: app.url, set: { ...NO_BREAKER, 'upstream.keepAliveTimeout': '1s' } });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const base = await baseline(sightline, () => app.openSockets(), `${sightline.proxyUrl}/warm-up`);
      const before = await counters(sightline);
      const results: { startedAt: number; status: number; reason: string | undefined; error: string | undefined }[] = [];
      let running = true;
      const loop = async (): Promise<void> => {
        while (running) {
          const startedAt = performance.now();
          const reply = await exchange(`${sightline.proxyUrl}/load`, { agent, timeoutMs: 5000 });
          const reason = reply.headers['x-sightline-reason'];
          results.push({ startedAt, status: reply.status, reason: typeof reason === 'string' ? reason : undefined, error: reply.error });
        }
      };
      const loops = Array.from({ length: 4 }, loop);
      await delay(500);
      const downAt = performance.now();
      await app.close(); // stops listening and destroys every socket, Sightline's pooled ones included
      await delay(300);
      app = await startApp(port);
      const upAt = performance.now();
      await delay(700);
      running = false;
      await Promise.all(loops);

      const count = (p: (r: (typeof results)[number]) => boolean): number => results.filter(p).length;
      const ok = count((r) => r.status === 200);
      const badGateway = count((r) => r.status === 502);
      const other = results.length - ok - badGateway;
      const inGap = count((r) => r.startedAt >= downAt && r.startedAt < upAt);
      console.log(
        `restart under load (4 keep-alive loops, app down ${Math.round(upAt - downAt)}ms): sent ${results.length}, ok ${ok}, 502 ${badGateway}, other ${other}; ` +
          `sent while down ${inGap}, of which ok ${count((r) => r.startedAt >= downAt && r.startedAt < upAt && r.status === 200)} (a retry after the restart)`,
      );
      expect(other).toBe(0);
      expect(count((r) => r.error !== undefined)).toBe(0);
      // Its last attempt could not connect; the first may have been reset by the app going down under it.
      expect(count((r) => r.status === 502 && r.reason !== 'upstream_connect_failure')).toBe(0);
      expect(badGateway).toBeGreaterThan(0);
      // Before the stop all succeed, but for those in flight as the app went down (one per loop at most).
      expect(count((r) => r.startedAt < downAt && r.status !== 200)).toBeLessThanOrEqual(4);
      // Once it is back (and the few requests already in their backoff have had their retry), all succeed.
      expect(count((r) => r.startedAt > upAt + 300 && r.status !== 200)).toBe(0);
      expect(count((r) => r.startedAt > upAt + 300)).toBeGreaterThan(0);

      const changes = moved(before, await counters(sightline));
      console.log(
        `restart under load, as counted: attempts that could not connect ${changes[attempt('connect_failure')] ?? 0}, reset ${changes[attempt('reset')] ?? 0}, ` +
          `retries ${Object.entries(changes).filter(([k]) => k.startsWith('sightline_retries_total')).reduce((n, [, v]) => n + v, 0)}, ` +
          `failures passed on for want of retry budget ${changes['sightline_retry_budget_exhausted_total{http_route="default"}'] ?? 0}`,
      );
      expect(changes[served(200)]).toBe(ok);
      expect(changes[served(502)]).toBe(badGateway);
      // Every 502 made at least one attempt that could not connect; some were retried (the retry budget decides how many).
      expect(changes[attempt('connect_failure')]).toBeGreaterThanOrEqual(badGateway);
      expect(changes[retried('connect-failure')]).toBeGreaterThan(0);
      agent.destroy();
      await expectSettled(sightline, () => app.openSockets(), base);
      expectRssBounded(sightline, base);
    } finally {
      agent.destroy();
      await sightline.stop();
      await app.close();
    }
  }, 30_000);
});

// ---- 8. slow to many clients at once ------------------------------------------------------------------

describe('8. an app that answers slowly to many clients at once', () => {
  it('answers all 500 clients 200, queueing those beyond upstream.connections, then lets go of every socket', async () => {
    const CLIENTS = 500;
    const app = await startApp();
    const sightline = await startSightline({ upstream: app.url, set: { 'upstream.keepAliveTimeout': '1s' } });
    try {
      const base = await baseline(sightline, () => app.openSockets(), `${sightline.proxyUrl}/warm-up`);
      const before = await counters(sightline);
      let peakAppSockets = 0;
      app.server.on('request', () => (peakAppSockets = Math.max(peakAppSockets, app.openSockets())));
      let peakFds = 0;
      const sampler = setInterval(() => (peakFds = Math.max(peakFds, openFds(sightline))), 100);
      const started = performance.now();
      const replies = await Promise.all(
        Array.from({ length: CLIENTS }, (_, i) => exchange(`${sightline.proxyUrl}/slow?ms=${1000 + Math.round((i * 997) % 1000)}`, { timeoutMs: 20_000 })),
      );
      const totalMs = performance.now() - started;
      clearInterval(sampler);
      const statuses = new Map<number, number>();
      for (const r of replies) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      console.log(
        `slow app, many clients: ${CLIENTS} clients, each answered after 1-2 s, all done in ${(totalMs / 1000).toFixed(2)} s; ` +
          `statuses ${JSON.stringify(Object.fromEntries(statuses))}; sockets to the app at most ${peakAppSockets}; ` +
          `sightline fds idle ${base.fds}, peak ${peakFds}; RSS idle ${(base.rss / MiB).toFixed(1)} MiB, peak (VmHWM) ${(sightline.peakRss() / MiB).toFixed(1)} MiB`,
      );
      expect(replies.filter((r) => r.status !== 200 || !r.complete)).toEqual([]);
      // 256 sockets at most (upstream.connections): the other requests waited for one, well within the route's 15s timeout.
      expect(peakAppSockets).toBeLessThanOrEqual(256);
      expect(peakAppSockets).toBeGreaterThan(200);
      expect(Math.max(...replies.map((r) => r.ms))).toBeLessThan(15_000);
      const expected = { [served(200)]: CLIENTS + 0, [attempt(200)]: CLIENTS };
      expect(await countedSince(sightline, before, expected)).toEqual(expected);
      await expectSettled(sightline, () => app.openSockets(), base);
      expectRssBounded(sightline, base);
    } finally {
      await sightline.stop();
      await app.close();
    }
  }, 40_000);
});
