// Hostile and malformed client requests against the real binary, over raw TCP: request smuggling
// (conflicting framing, obfuscated Transfer-Encoding, bad chunks, bare LF), oversized and malformed
// heads, unknown methods and versions, slowloris and slow bodies, a flood of connections past
// server.maxConnections, hop-by-hop abuse and spoofed X-Forwarded-*, and the admin port's
// state-changing endpoints. For each: a clear 4xx/5xx with its reason (or a cleanly closed connection),
// nothing reaching the app that the client did not send as one request, and Sightline serving the next
// request as before. At the end: the process is alive, its memory is not running away and its file
// descriptors are back to their baseline.

import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type SeenRequest, type TestApp } from '../support/apps.ts';
import { delay, eventually, rawExchange, send } from '../support/http-client.ts';
import { startSightline, type Sightline } from '../support/sightline.ts';

const MiB = 1024 * 1024;
/** Resident memory Sightline may reach after the whole suite: far below what a leak per hostile connection would cost. */
const RSS_LIMIT = 200 * MiB;
/** File descriptors above the idle baseline allowed once every hostile connection is closed (sockets to the app, a scrape). */
const FD_MARGIN = 6;

let app: TestApp;
let sightline: Sightline;
let fdBaseline = 0;
let sentinels = 0;

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

beforeAll(async () => {
  app = await startApp();
  // The app's own Node server would refuse more than about 1000 header fields itself.
  app.server.maxHeadersCount = 0;
  sightline = await startSightline({
    upstream: app.url,
    set: { 'defaultRoute.timeout': '2s', 'server.headersTimeout': '1s', 'server.bodyIdleTimeout': '1s' },
  });
  expect((await send(`${sightline.proxyUrl}/warm-up`)).status).toBe(200);
  fdBaseline = openFds(sightline.child.pid as number);
});

afterAll(async () => {
  await sightline?.stop();
  await app?.close();
});

// ---- what came back, what reached the app -----------------------------------------------------------

interface HostileResult {
  readonly raw: string;
  /** The status of every response on the connection, in order. */
  readonly statuses: number[];
  readonly reasons: string[];
  /** What the app received while the hostile connection was open (the sentinel request excluded). */
  readonly seen: SeenRequest[];
}

function statusesOf(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

function reasonsOf(raw: string): string[] {
  return [...raw.matchAll(/x-sightline-reason: ([a-z_]+)/gi)].map((m) => m[1] as string);
}

/** Requests the app received whole (a request cut off mid-body never ends, so never gets a hash). */
const whole = (seen: readonly SeenRequest[]): SeenRequest[] => seen.filter((r) => r.bodySha256 !== undefined);

/**
 * Sends raw bytes on a new connection and reads until Sightline closes it; then a normal request on a new
 * connection, which must be served (the process is unharmed) and marks the end of what the hostile one
 * could have made the app see.
 */
async function hostile(bytes: string | readonly string[], port = sightline.proxyPort, timeoutMs = 3000): Promise<HostileResult> {
  const before = app.seen.length;
  const raw = typeof bytes === 'string'
    ? await rawExchange(port, Buffer.from(bytes, 'latin1'), timeoutMs).catch((err: NodeJS.ErrnoException) => `ERR ${err.code ?? err.message}`)
    : await rawInParts(port, bytes, timeoutMs);
  await delay(50);
  const sentinel = `/sentinel/${++sentinels}`;
  expect((await send(`${sightline.proxyUrl}${sentinel}`)).status).toBe(200);
  const seen = app.seen.slice(before).filter((r) => r.url !== sentinel);
  return { raw, statuses: statusesOf(raw), reasons: reasonsOf(raw), seen };
}

/** Like rawExchange, but the parts go 100ms apart: a body that has not all arrived when the request is forwarded. */
function rawInParts(port: number, parts: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    setTimeout(() => socket.destroy(), timeoutMs);
    parts.forEach((part, i) => setTimeout(() => socket.writable && socket.write(part, 'latin1'), i * 100));
  });
}

async function expectHealthy(s: Sightline = sightline): Promise<void> {
  expect(s.child.exitCode).toBeNull();
  expect((await send(`${s.adminUrl}/healthz`)).status).toBe(200);
}

async function metric(s: Sightline, line: string): Promise<number> {
  const text = (await send(`${s.adminUrl}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? NaN : Number(found.slice(found.lastIndexOf(' ') + 1));
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'latin1').digest('hex');

/** A WebSocket handshake, its head left open for more fields. */
const WS_HANDSHAKE = 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

/** A request the app must never see: the smuggled half of an ambiguous message. */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

// ---- 1. request smuggling ---------------------------------------------------------------------------

describe('request smuggling', () => {
  afterEach(() => expectHealthy());

  // [what, bytes, status, reason, the error is in the body (the app may see the head of a request cut off)]
  it.each<[string, string, number, string, boolean]>([
    ['Content-Length with Transfer-Encoding: chunked', `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', false],
    ['Transfer-Encoding: chunked before Content-Length', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', false],
    ['two Content-Length values that disagree', `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\nhello${SMUGGLED}`, 400, 'bad_request', false],
    ['two equal Content-Length fields', `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`, 400, 'bad_request', false],
    ['a Content-Length list', `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello${SMUGGLED}`, 400, 'bad_request', false],
    ['a signed Content-Length', `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello${SMUGGLED}`, 400, 'bad_request', false],
    ['Transfer-Encoding: xchunked', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 501, 'unsupported_transfer_coding', false],
    ['Transfer-Encoding: chunked, identity (chunked not last)', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', false],
    ['Transfer-Encoding: identity, chunked', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 501, 'unsupported_transfer_coding', false],
    ['Transfer-Encoding: gzip, chunked (a coding Sightline cannot decode)', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 501, 'unsupported_transfer_coding', false],
    ['tab-separated codings', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\t,chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 501, 'unsupported_transfer_coding', false],
    ['two Transfer-Encoding fields', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', false],
    ['a space before the colon', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`, 400, 'bad_request', false],
    ['Transfer-Encoding folded onto a second line', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', false],
    ['Transfer-Encoding in HTTP/1.0', `POST /a HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 400, 'invalid_request', false],
    ['a negative chunk size', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', true],
    ['a chunk size that overflows 64 bits', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', true],
    ['a 0x-prefixed chunk size', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', true],
    ['a chunk size followed by a space', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', true],
    ['a chunk longer than its size', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', true],
    ['a 20 KB chunk extension', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;${'e'.repeat(20_000)}\r\nhello\r\n0\r\n\r\n${SMUGGLED}`, 400, 'bad_request', true],
    ['a chunk extension ended by a bare LF', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a\nGET /smuggled HTTP/1.1\r\nhello\r\n0\r\n\r\n`, 400, 'bad_request', true],
    ['chunks with bare LF line ends', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n${SMUGGLED}`, 400, 'bad_request', true],
    ['Content-Length in the trailer', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 40\r\n\r\n${SMUGGLED}`, 400, 'bad_request', true],
    ['a head with bare LF line ends', `GET /a HTTP/1.1\nHost: x\n\n${SMUGGLED}`, 400, 'bad_request', false],
    ['a bare CR in the head', `GET /a HTTP/1.1\rHost: x\r\n\r\n${SMUGGLED}`, 400, 'bad_request', false],
    ['an absolute-form target naming another host', 'GET http://elsewhere.example/ HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n', 400, 'invalid_request', false],
    ['CONNECT', 'CONNECT elsewhere.example:443 HTTP/1.1\r\nHost: elsewhere.example:443\r\n\r\n', 400, 'invalid_request', false],
    ['an HTTP/1.1 request without Host', 'GET /a HTTP/1.1\r\nUser-Agent: x\r\n\r\n', 400, 'invalid_request', false],
    ['two Host fields', 'GET /a HTTP/1.1\r\nHost: app\r\nHost: elsewhere.example\r\n\r\n', 400, 'invalid_request', false],
    ['a Host with a path in it', 'GET /a HTTP/1.1\r\nHost: elsewhere.example/evil\r\n\r\n', 400, 'invalid_request', false],
    ['a WebSocket handshake with two Host fields (not upgraded: refused as a request)', `${WS_HANDSHAKE}Host: elsewhere.example\r\n\r\n`, 400, 'invalid_request', false],
  ])('refuses %s, and the app gets no request from it', async (_what, bytes, status, reason, errorInBody) => {
    const r = await hostile(bytes);
    expect(r.statuses).toEqual([status]);
    expect(r.reasons).toEqual([reason]);
    expect(r.seen.map((s) => s.url)).not.toContain('/smuggled');
    // A refused head never reaches the app; a body refused halfway may have started a request there,
    // but the app never receives it whole.
    expect(errorInBody ? whole(r.seen) : r.seen).toEqual([]);
  });

  it.each<[string, string]>([
    ['Transfer-Encoding: chunked with trailing white space', 'Transfer-Encoding: chunked \r\n'],
    ['Transfer-Encoding:<TAB>chunked', 'Transfer-Encoding:\tchunked\r\n'],
    ['Transfer-Encoding: CHUNKED', 'Transfer-Encoding: CHUNKED\r\n'],
  ])('reads %s as chunked, and the app gets exactly that one request and its body', async (_what, field) => {
    const body = SMUGGLED; // the body looks like a request: the app must see it as bytes of this one
    const r = await hostile(`POST /one HTTP/1.1\r\nHost: x\r\n${field}Connection: close\r\n\r\n${body.length.toString(16)};ext=1\r\n${body}\r\n0\r\n\r\n`);
    expect(r.statuses).toEqual([200]);
    expect(r.seen.map((s) => [s.method, s.url, s.bodyBytes, s.bodySha256])).toEqual([['POST', '/one', body.length, sha256(body)]]);
    expect(r.seen[0]?.headers['transfer-encoding'] ?? r.seen[0]?.headers['content-length']).toBeDefined();
  });

  it('sends the app a body that looks like a request as the body of the one request, with Content-Length', async () => {
    const r = await hostile(`POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: ${SMUGGLED.length}\r\nConnection: close\r\n\r\n${SMUGGLED}`);
    expect(r.statuses).toEqual([200]);
    expect(r.seen.map((s) => [s.method, s.url, s.bodyBytes, s.bodySha256])).toEqual([['POST', '/one', SMUGGLED.length, sha256(SMUGGLED)]]);
  });

  it('answers the requests before a pipelined request its parser refuses, then refuses that one and closes', async () => {
    const r = await hostile(`GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /slow?ms=100 HTTP/1.1\r\nHost: x\r\n\r\nG(ET /p3 HTTP/1.1\r\nHost: x\r\n\r\n${SMUGGLED}`);
    expect(r.statuses).toEqual([200, 200, 400]);
    expect(r.reasons).toEqual(['bad_request']);
    expect(r.seen.map((s) => s.url)).toEqual(['/p1', '/slow?ms=100']);
  });

  it('serves an HTTP/1.0 request without Host (the app gets one, with the Host undici sets)', async () => {
    const r = await hostile('GET /old HTTP/1.0\r\n\r\n');
    expect(r.statuses).toEqual([200]);
    expect(r.seen.map((s) => s.url)).toEqual(['/old']);
  });
});

// ---- 2. request line and headers ----------------------------------------------------------------------

describe('oversized and malformed heads', () => {
  afterEach(() => expectHealthy());

  it.each<[string, string, number, string]>([
    // The request line counts toward server.maxHeaderSize: Node cannot tell a long target from long headers, so 431, not 414.
    ['a 20 KB request target', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'request_header_too_large'],
    ['a 20 KB header', `GET /a HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431, 'request_header_too_large'],
    ['4000 small headers (20 KB)', `GET /a HTTP/1.1\r\nHost: x\r\n${'h:1\r\n'.repeat(4000)}\r\n`, 431, 'request_header_too_large'],
    ['a NUL in a header value', 'GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', 400, 'bad_request'],
    ['a CR in a header value', 'GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n', 400, 'bad_request'],
    ['a bare LF splitting a header value', 'GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\nX-Injected: 1\r\n\r\n', 400, 'bad_request'],
    ['a DEL in a header value', 'GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\x7fb\r\n\r\n', 400, 'bad_request'],
    ['a space in a header name', 'GET /a HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n', 400, 'bad_request'],
    ['a control character in the target', 'GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['a space in the target', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['the method G(ET', 'G(ET /a HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    // Methods are case-sensitive: `get` is a valid token but no method Node's parser knows, as is any extension method.
    ['the method get (lower case)', 'get /a HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['an unknown method FOO', 'FOO /a HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['HTTP/0.9 (a request line without a version)', 'GET /\r\n\r\n', 505, 'http_version_not_supported'],
    ['HTTP/2.0 in HTTP/1 framing', 'GET /a HTTP/2.0\r\nHost: x\r\n\r\n', 505, 'http_version_not_supported'],
    ['HTTP/1.2', 'GET /a HTTP/1.2\r\nHost: x\r\n\r\n', 505, 'http_version_not_supported'],
    ['HTTP/9.9', 'GET /a HTTP/9.9\r\nHost: x\r\n\r\n', 505, 'http_version_not_supported'],
    ['the HTTP/2 connection preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 505, 'http_version_not_supported'],
    ['a malformed version (HTTP/1.10)', 'GET /a HTTP/1.10\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['an unknown protocol', 'GET /a HTTPX/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
  ])('refuses %s', async (_what, bytes, status, reason) => {
    const r = await hostile(bytes);
    expect(r.statuses).toEqual([status]);
    expect(r.reasons).toEqual([reason]);
    expect(r.seen).toEqual([]);
  });

  // Node's parser counts maxHeaderSize over names and values only; the field count is capped on its own (2000).
  const fields = (n: number): string => Array.from({ length: n }, (_, i) => `q${i.toString(36)}:1\r\n`).join('');

  it('forwards a head of 2000 header fields, the most allowed, whole: never a truncated list', async () => {
    // Host, 1997 fields, X-Last and Connection.
    const r = await hostile(`GET /many HTTP/1.1\r\nHost: x\r\n${fields(1997)}X-Last: yes\r\nConnection: close\r\n\r\n`);
    expect(r.statuses).toEqual([200]);
    expect(r.seen).toHaveLength(1);
    const names = (r.seen[0]?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.filter((n) => /^q[0-9a-z]+$/.test(n))).toHaveLength(1997);
    expect(r.seen[0]?.headers['x-last']).toBe('yes');
  });

  it('refuses 2001 header fields with 431 rather than forwarding the first 2000', async () => {
    const r = await hostile(`GET /too-many HTTP/1.1\r\nHost: x\r\n${fields(1998)}X-Last: yes\r\nConnection: close\r\n\r\n`);
    expect(r.statuses).toEqual([431]);
    expect(r.reasons).toEqual(['request_header_too_large']);
    expect(r.seen).toEqual([]);
  });

  it('times out a request line that never ends (408), closing the connection', async () => {
    const r = await hostile('GET /\r\n', sightline.proxyPort, 5000);
    expect(r.statuses).toEqual([408]);
    expect(r.reasons).toEqual(['request_timeout']);
    expect(r.seen).toEqual([]);
  });

  it('serves an Expect other than 100-continue as a plain request, without Node\'s bare 417', async () => {
    const r = await hostile('GET /expect HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nConnection: close\r\n\r\n');
    expect(r.statuses).toEqual([200]);
    expect(r.seen.map((s) => [s.url, s.headers.expect])).toEqual([['/expect', undefined]]);
  });
});

// ---- 3. slow clients ------------------------------------------------------------------------------------

/** A connection that sends `head` and then one more byte of something every `everyMs`, until stopped. */
function dribbler(port: number, head: string, drip: string, everyMs: number) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  socket.write(head);
  const timer = setInterval(() => {
    if (socket.writable) socket.write(drip);
  }, everyMs);
  return {
    socket,
    get received() {
      return received;
    },
    get closed() {
      return closed;
    },
    stop() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

describe('slow clients', () => {
  afterEach(() => expectHealthy());

  it('serves other clients while 200 slowloris connections dribble their headers, then answers each 408 and closes it', async () => {
    const loris = Array.from({ length: 200 }, (_, i) => dribbler(sightline.proxyPort, `GET /loris/${i} HTTP/1.1\r\nHost: x\r\n`, 'X-Drip: 1\r\n', 100));
    try {
      await delay(200);
      for (let i = 0; i < 20; i++) {
        const reply = await send(`${sightline.proxyUrl}/while-loris/${i}`, { timeoutMs: 2000 });
        expect(reply.status).toBe(200);
      }
      // server.headersTimeout is 1s here, checked every second: all are answered within a few seconds.
      expect(await eventually(() => loris.every((l) => l.closed), 6000, 50)).toBe(true);
      expect(loris.filter((l) => l.received.startsWith('HTTP/1.1 408 ') && l.received.includes('x-sightline-reason: request_timeout'))).toHaveLength(200);
      expect(app.seen.some((s) => s.url.startsWith('/loris/'))).toBe(false);
    } finally {
      for (const l of loris) l.stop();
    }
  });

  it('answers 408 when a request body stops arriving (server.bodyIdleTimeout), and the app never gets it whole', async () => {
    for (const method of ['POST', 'PUT']) { // streamed to the app at once, and held for a retry first
      const before = app.seen.length;
      const conn = dribbler(sightline.proxyPort, `${method} /stalled-body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789`, '', 1000);
      try {
        expect(await eventually(() => conn.closed, 5000, 50)).toBe(true);
        expect(conn.received).toMatch(/^HTTP\/1\.1 408 /);
        expect(conn.received).toContain('x-sightline-reason: request_timeout');
        expect(whole(app.seen.slice(before))).toEqual([]);
      } finally {
        conn.stop();
      }
    }
    const logged = await sightline.waitForLog((l) => l.msg === 'request' && l['url.path'] === '/stalled-body');
    expect(logged).toMatchObject({ 'http.response.status_code': 408, 'sightline.reason': 'request_timeout' });
  });

  it('lets a body that keeps coming, however slowly, arrive whole', async () => {
    const before = app.seen.length;
    const conn = dribbler(sightline.proxyPort, 'PUT /trickle HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\nConnection: close\r\n\r\n', 'x', 400);
    try {
      expect(await eventually(() => conn.closed, 8000, 50)).toBe(true);
      expect(conn.received).toMatch(/^HTTP\/1\.1 200 /);
      expect(whole(app.seen.slice(before)).map((s) => [s.url, s.bodyBytes])).toEqual([['/trickle', 8]]);
    } finally {
      conn.stop();
    }
  });

  it('never counts the app reading slowly as the client\'s silence', async () => {
    // The app reads nothing for 1.5s: an 8 MiB upload fills every buffer on the way and waits, well past bodyIdleTimeout (300ms).
    let received = -1;
    const lazy: Server = createServer((req, res) => {
      setTimeout(() => {
        let n = 0;
        req.on('data', (c: Buffer) => (n += c.length));
        req.on('end', () => {
          received = n;
          res.end('ok');
        });
      }, 1500);
    });
    await new Promise<void>((resolve) => lazy.listen(0, '127.0.0.1', resolve));
    const s = await startSightline({ upstream: `http://127.0.0.1:${(lazy.address() as AddressInfo).port}`, set: { 'server.bodyIdleTimeout': '300ms' } });
    try {
      const reply = await send(`${s.proxyUrl}/upload`, { method: 'POST', body: Buffer.alloc(8 * MiB, 'u') });
      expect(reply.status).toBe(200);
      expect(received).toBe(8 * MiB);
    } finally {
      await s.stop();
      lazy.closeAllConnections();
      lazy.close();
    }
  });

  it('answers 408 to a body dribbled forever once server.requestTimeout is up', async () => {
    const s = await startSightline({ upstream: app.url, set: { 'server.headersTimeout': '1s', 'server.requestTimeout': '2s', 'server.bodyIdleTimeout': '0' } });
    const before = app.seen.length;
    const conn = dribbler(s.proxyPort, 'POST /forever HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n', 'y', 100);
    try {
      const startedAt = Date.now();
      expect(await eventually(() => conn.closed, 6000, 50)).toBe(true);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500);
      expect(conn.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(conn.received).toContain('x-sightline-reason: request_timeout');
      expect(whole(app.seen.slice(before))).toEqual([]);
      const logged = await s.waitForLog((l) => l.msg === 'request' && l['url.path'] === '/forever');
      expect(logged).toMatchObject({ 'http.response.status_code': 408, 'sightline.reason': 'request_timeout' });
      await expectHealthy(s);
    } finally {
      conn.stop();
      await s.stop();
    }
  });
});

// ---- 3b. a flood of connections -------------------------------------------------------------------------

describe('server.maxConnections', () => {
  it('closes connections beyond the cap at once, keeps serving the open ones, counts and logs once, and recovers', async () => {
    const s = await startSightline({ upstream: app.url, set: { 'server.maxConnections': '20' } });
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    try {
      // Twenty keep-alive connections, all open at once.
      const first = await Promise.all(Array.from({ length: 20 }, (_, i) => send(`${s.proxyUrl}/slow?ms=100&i=${i}`, { agent })));
      expect(first.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(await metric(s, 'sightline_open_connections')).toBe(20);

      // Ten more: each is accepted by the kernel and closed by Sightline without a byte.
      const extra = await Promise.all(Array.from({ length: 10 }, (_, i) => rawExchange(s.proxyPort, `GET /extra/${i} HTTP/1.1\r\nHost: x\r\n\r\n`, 3000).catch(() => '')));
      expect(extra).toEqual(Array(10).fill(''));
      expect(app.seen.some((r) => r.url.startsWith('/extra/'))).toBe(false);

      // The open ones still work; so does the admin port, which the cap does not cover.
      const again = await Promise.all(Array.from({ length: 20 }, (_, i) => send(`${s.proxyUrl}/again/${i}`, { agent })));
      expect(again.map((r) => r.status)).toEqual(Array(20).fill(200));
      await expectHealthy(s);

      expect(await metric(s, 'sightline_connections_dropped_total')).toBe(10);
      expect(s.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('connection limit reached'))).toHaveLength(1);

      // Once they close, new connections are served again.
      agent.destroy();
      expect(await eventually(async () => (await metric(s, 'sightline_open_connections')) === 0, 5000, 50)).toBe(true);
      expect((await send(`${s.proxyUrl}/after-flood`)).status).toBe(200);
    } finally {
      agent.destroy();
      await s.stop();
    }
  });
});

// ---- 4. hop-by-hop abuse and X-Forwarded-* ---------------------------------------------------------------

describe('hop-by-hop abuse', () => {
  afterEach(() => expectHealthy());

  it('does not let Connection strip Host, the request id, Content-Length or the X-Forwarded-For Sightline adds', async () => {
    // The body comes after the head is forwarded: the length the app sees is the client's Content-Length, not one undici measured.
    const r = await hostile([
      'POST /strip HTTP/1.1\r\nHost: shop\r\nX-Request-Id: client-id\r\nX-Forwarded-For: 203.0.113.9\r\nIdempotency-Key: k1\r\nX-Custom: drop-me\r\n' +
        'Connection: close, host, x-request-id, content-length, transfer-encoding, x-forwarded-for, x-forwarded-proto, x-forwarded-host, idempotency-key, x-custom\r\n' +
        'Content-Length: 5\r\n\r\n',
      'hello',
    ]);
    expect(r.statuses).toEqual([200]);
    expect(r.seen).toHaveLength(1);
    const { headers, bodyBytes } = r.seen[0] as SeenRequest;
    expect(headers.host).toBe('shop');
    expect(headers['x-request-id']).toBe('client-id');
    expect(headers['content-length']).toBe('5');
    expect(bodyBytes).toBe(5);
    // The client's own copies of hop-by-hop-named fields go; the values this hop adds stay.
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe('shop');
    expect(headers['idempotency-key']).toBeUndefined();
    expect(headers['x-custom']).toBeUndefined();
    expect(headers.connection).not.toMatch(/x-forwarded|host|content-length/i);
  });

  it('does not retry a POST whose Idempotency-Key Connection removed: the app could not tell the retry from a new request', async () => {
    app.script.push({ status: 503 });
    const r = await hostile('POST /idem HTTP/1.1\r\nHost: x\r\nIdempotency-Key: k2\r\nConnection: close, idempotency-key\r\nContent-Length: 2\r\n\r\nhi');
    app.script.length = 0;
    expect(r.statuses).toEqual([503]);
    expect(r.seen.map((s) => s.url)).toEqual(['/idem']);
  });

  it.each(['close, keep-alive', 'keep-alive, close', 'Keep-Alive,CLOSE'])('closes after the first answer with Connection: %s and ignores what is pipelined after it', async (connection) => {
    const r = await hostile(`GET /first HTTP/1.1\r\nHost: x\r\nConnection: ${connection}\r\n\r\n${SMUGGLED}`);
    expect(r.statuses).toEqual([200]);
    expect(r.raw.toLowerCase()).toContain('connection: close');
    expect(r.seen.map((s) => s.url)).toEqual(['/first']);
  });

  it('appends to the client\'s X-Forwarded-* chain by default (server.xForwardedFor: append)', async () => {
    const r = await hostile('GET /xff HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 203.0.113.9, 10.1.1.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: edge.example\r\nConnection: close\r\n\r\n');
    expect(r.seen.map((s) => [s.headers['x-forwarded-for'], s.headers['x-forwarded-proto'], s.headers['x-forwarded-host']])).toEqual([
      ['203.0.113.9, 10.1.1.1, 127.0.0.1', 'https, http', 'edge.example, shop'],
    ]);
  });
});

// ---- 4b + 5. An edge Sightline (xForwardedFor: replace) with its admin port on every interface -------------

const external = Object.values(networkInterfaces()).flat().find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

describe('an edge Sightline: server.xForwardedFor replace, admin on 0.0.0.0', () => {
  let edge: Sightline;
  beforeAll(async () => {
    edge = await startSightline({ upstream: app.url, set: { 'server.xForwardedFor': 'replace' }, args: ['--admin', '0.0.0.0:0'] });
  });
  afterAll(async () => {
    await edge?.stop();
  });

  it('drops whatever X-Forwarded-* the client sent and sends only its own', async () => {
    const before = app.seen.length;
    const raw = await rawExchange(edge.proxyPort, 'GET /edge HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 10.0.0.1\r\nx-forwarded-for: 192.168.0.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: admin.internal\r\nConnection: close\r\n\r\n');
    expect(statusesOf(raw)).toEqual([200]);
    const seen = app.seen.slice(before);
    expect(seen.map((s) => [s.headers['x-forwarded-for'], s.headers['x-forwarded-proto'], s.headers['x-forwarded-host']])).toEqual([['127.0.0.1', 'http', 'shop']]);
  });

  it('does the same for a WebSocket handshake', async () => {
    const handshakes: (string | string[] | undefined)[][] = [];
    const record = (req: { headers: Record<string, string | string[] | undefined> }): void => {
      handshakes.push([req.headers['x-forwarded-for'], req.headers['x-forwarded-proto']]);
    };
    app.server.on('upgrade', record);
    try {
      const raw = await rawExchange(edge.proxyPort, `${WS_HANDSHAKE}X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n\r\n`, 500);
      expect(statusesOf(raw)).toEqual([101]);
      // http-proxy-3 names the protocol of a WebSocket `ws`.
      expect(handshakes).toEqual([['127.0.0.1', 'ws']]);
    } finally {
      app.server.off('upgrade', record);
    }
  });

  it('answers GET on /shutdown and /reload with 405, changing nothing', async () => {
    for (const path of ['/shutdown', '/reload']) {
      const reply = await send(`${edge.adminUrl}${path}`);
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe('POST');
    }
    expect((await send(`${edge.adminUrl}/readyz`)).json()).toMatchObject({ status: 'ready' });
  });

  it.skipIf(external === undefined)('answers POST /shutdown from a non-loopback address with 403 and keeps running', async () => {
    const port = new URL(edge.adminUrl).port;
    const remote = await send(`http://${external as string}:${port}/shutdown`, { method: 'POST' });
    expect(remote.status).toBe(403);
    expect(remote.json()).toMatchObject({ error: 'forbidden' });
    await delay(200);
    expect(edge.child.exitCode).toBeNull();
    expect(edge.logs.some((l) => typeof l.msg === 'string' && /drain/i.test(l.msg))).toBe(false);
    expect((await send(`${edge.adminUrl}/readyz`)).status).toBe(200);
    expect((await send(`${edge.proxyUrl}/still-serving`)).status).toBe(200);
  });
});

// ---- telemetry of refusals, and the process after all of it ----------------------------------------------------

describe('after the hostile traffic', () => {
  it('counted the refusals by reason in sightline_client_errors_total and logged them once a minute at most', async () => {
    expect(await metric(sightline, 'sightline_client_errors_total{reason="bad_request"}')).toBeGreaterThanOrEqual(20);
    expect(await metric(sightline, 'sightline_client_errors_total{reason="request_header_too_large"}')).toBeGreaterThanOrEqual(3);
    expect(await metric(sightline, 'sightline_client_errors_total{reason="request_timeout"}')).toBeGreaterThanOrEqual(200);
    expect(await metric(sightline, 'sightline_client_errors_total{reason="http_version_not_supported"}')).toBeGreaterThanOrEqual(2);
    expect(await metric(sightline, 'sightline_client_errors_total{reason="invalid_request"}')).toBe(1); // CONNECT
    const lines = sightline.logs.filter((l) => l.msg === 'client error: request refused before it was handled');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    // Refusals of requests that were parsed are requests: in the access log and http_server_*, with their reason.
    const reasons = new Set(sightline.logs.filter((l) => l.msg === 'request').map((l) => l['sightline.reason']));
    for (const reason of ['invalid_request', 'unsupported_transfer_coding', 'http_version_not_supported', 'request_timeout']) expect(reasons).toContain(reason);
    expect(await metric(sightline, 'http_server_request_duration_seconds_count{http_request_method="POST",http_route="default",http_response_status_code="501"}')).toBeGreaterThanOrEqual(4);
  });

  it('left the process alive, its memory bounded and its file descriptors back at their baseline', async () => {
    await expectHealthy();
    const pid = sightline.child.pid as number;
    expect(sightline.rss()).toBeLessThan(RSS_LIMIT);
    const settled = await eventually(() => openFds(pid) <= fdBaseline + FD_MARGIN, 10_000, 100);
    expect({ settled, fds: openFds(pid), baseline: fdBaseline }).toMatchObject({ settled: true });
    expect((await send(`${sightline.proxyUrl}/the-end`)).status).toBe(200);
  });
});

