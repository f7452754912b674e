// The proxy's HTTP behaviour, end to end over loopback: client → sightline (child process) → real app.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { startApp, type TestApp } from '../../support/apps.ts';
import { startSightline, type Sightline } from '../../support/sightline.ts';
import { delay, eventually, rawExchange, send } from '../../support/http-client.ts';

let app: TestApp;
let sightline: Sightline;

beforeAll(async () => {
  app = await startApp();
  sightline = await startSightline({ upstream: app.url, set: { 'defaultRoute.timeout': '1s', 'upstream.idleTimeout': '1s' } });
});

afterAll(async () => {
  await sightline?.stop();
  await app?.close();
});

function lastSeen() {
  const seen = app.seen[app.seen.length - 1];
  if (seen === undefined) throw new Error('the app saw no request');
  return seen;
}

describe('forwarding', () => {
  it('passes method, path, query and body to the app and the answer back', async () => {
    const reply = await send(`${sightline.proxyUrl}/orders/42?expand=items&x=%20`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ method: 'POST', url: '/orders/42?expand=items&x=%20', bodyBytes: 5 });
  });

  it('keeps Host and appends X-Forwarded-For, -Proto and -Host', async () => {
    await send(`${sightline.proxyUrl}/fwd`, { headers: { host: 'shop.example', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } });
    const { headers } = lastSeen();
    expect(headers.host).toBe('shop.example');
    expect(headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('https, http');
    expect(headers['x-forwarded-host']).toBe('shop.example');
  });

  it('removes hop-by-hop request headers, including those named in Connection', async () => {
    await send(`${sightline.proxyUrl}/hop`, {
      headers: { connection: 'keep-alive, x-secret', 'x-secret': 'drop me', 'keep-alive': 'timeout=5', 'proxy-connection': 'keep-alive', te: 'gzip', 'x-kept': 'yes' },
    });
    const { headers } = lastSeen();
    expect(headers['x-secret']).toBeUndefined();
    expect(headers['keep-alive']).toBeUndefined();
    expect(headers['proxy-connection']).toBeUndefined();
    expect(headers.te).toBeUndefined();
    expect(headers['x-kept']).toBe('yes');
  });

  it('cannot be made to drop the X-Forwarded-For it adds', async () => {
    await send(`${sightline.proxyUrl}/xff`, { headers: { connection: 'x-forwarded-for', 'x-forwarded-for': '198.51.100.7' } });
    expect(lastSeen().headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('removes hop-by-hop response headers and keeps repeated ones', async () => {
    const reply = await send(`${sightline.proxyUrl}/hop-by-hop-response`);
    expect(reply.headers['x-internal']).toBeUndefined();
    expect(reply.headers['keep-alive']).not.toBe('timeout=5');
    expect(reply.headers['x-kept']).toBe('yes');
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('generates an x-request-id, gives it to the app and returns it', async () => {
    const reply = await send(`${sightline.proxyUrl}/id`);
    const id = reply.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastSeen().headers['x-request-id']).toBe(id);
    const second = await send(`${sightline.proxyUrl}/id`);
    expect(second.headers['x-request-id']).not.toBe(id);
  });

  it("keeps the client's x-request-id, and the app's own if it sets one", async () => {
    const reply = await send(`${sightline.proxyUrl}/id`, { headers: { 'x-request-id': 'client-chose-this' } });
    expect(lastSeen().headers['x-request-id']).toBe('client-chose-this');
    expect(reply.headers['x-request-id']).toBe('client-chose-this');
    const fromApp = await send(`${sightline.proxyUrl}/request-id`);
    expect(fromApp.rawHeaders.filter((h) => h.toLowerCase() === 'x-request-id')).toHaveLength(1);
    expect(fromApp.headers['x-request-id']).toBe('from-app');
  });
});

describe('connections', () => {
  it('keeps connections to the app alive across requests', async () => {
    const before = app.seen.length;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 20; i++) expect((await send(`${sightline.proxyUrl}/ka/${i}`, { agent })).status).toBe(200);
    } finally {
      agent.destroy();
    }
    expect(app.seen.length - before).toBe(20);
    // Sequential requests need one socket to the app, reused: not one per request.
    expect(app.openSockets()).toBeLessThanOrEqual(2);
  });

  it('queues requests beyond upstream.connections instead of opening more sockets to the app', async () => {
    const limited = await startApp();
    const s = await startSightline({ upstream: limited.url, set: { 'upstream.connections': '4' } });
    try {
      let peak = 0;
      limited.server.on('request', () => (peak = Math.max(peak, limited.openSockets())));
      const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => send(`${s.proxyUrl}/slow?ms=${20 + (i % 3) * 10}`)));
      expect(replies.map((r) => r.status)).toEqual(Array(40).fill(200));
      expect(limited.seen).toHaveLength(40);
      expect(peak).toBeLessThanOrEqual(4);
    } finally {
      await s.stop();
      await limited.close();
    }
  });

  it('answers pipelined requests in order on one connection', async () => {
    const raw = await rawExchange(sightline.proxyPort, 'GET /p/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p/2 HTTP/1.1\r\nHost: x\r\n\r\nGET /p/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const urls = [...raw.matchAll(/"url":"(\/p\/\d)"/g)].map((m) => m[1]);
    expect(urls).toEqual(['/p/1', '/p/2', '/p/3']);
  });

  it('answers an HTTP/1.0 client with a body delimited by the connection close', async () => {
    const raw = await rawExchange(sightline.proxyPort, 'GET /download-chunked?bytes=1000 HTTP/1.0\r\nHost: x\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw.toLowerCase()).not.toContain('transfer-encoding');
    expect(raw.length - raw.indexOf('\r\n\r\n') - 4).toBe(1000);
  });
});

describe('HTTP semantics', () => {
  it('answers HEAD with the headers and no body', async () => {
    const raw = await rawExchange(sightline.proxyPort, 'HEAD /download?bytes=5000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw.toLowerCase()).toContain('content-length: 5000');
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
  });

  it.each([204, 304])('passes %i through without a body', async (code) => {
    const raw = await rawExchange(sightline.proxyPort, `GET /status?code=${code} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(raw).toMatch(new RegExp(`^HTTP/1\\.1 ${code} `));
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
    expect(raw.toLowerCase()).not.toContain('transfer-encoding');
  });

  it('answers Expect: 100-continue and then forwards the body', async () => {
    const reply = await new Promise<{ sawContinue: boolean; body: string }>((resolve, reject) => {
      let sawContinue = false;
      const req = request(`${sightline.proxyUrl}/upload`, { method: 'PUT', headers: { expect: '100-continue', 'content-length': '11' }, agent: false });
      req.on('continue', () => {
        sawContinue = true;
        req.end('hello world');
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ sawContinue, body }));
      });
      req.on('error', reject);
    });
    expect(reply.sawContinue).toBe(true);
    expect(JSON.parse(reply.body)).toMatchObject({ bodyBytes: 11 });
    expect(lastSeen().headers.expect).toBeUndefined();
  });

  it('forwards a chunked request body without Transfer-Encoding leaking through as a header of its own', async () => {
    const raw = await rawExchange(sightline.proxyPort, 'POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw).toContain('"bodyBytes":11');
  });

  it('forwards response trailers to a client that accepts them', async () => {
    const reply = await send(`${sightline.proxyUrl}/trailers`, { headers: { te: 'trailers' } });
    expect(reply.text()).toBe('body with trailers');
    expect(reply.trailers['x-checksum']).toBe('abc123');
  });

  it('streams a chunked response of unknown length', async () => {
    const reply = await send(`${sightline.proxyUrl}/download-chunked?bytes=300000`);
    expect(reply.body.length).toBe(300000);
    expect(reply.headers['transfer-encoding']).toBe('chunked');
  });

  it('serves an Upgrade other than WebSocket as a plain request', async () => {
    const reply = await send(`${sightline.proxyUrl}/h2c`, { headers: { connection: 'upgrade, http2-settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAAQAAP__' } });
    expect(reply.status).toBe(200);
    expect(lastSeen().headers.upgrade).toBeUndefined();
    expect(lastSeen().headers['http2-settings']).toBeUndefined();
  });

  it('passes a WebSocket upgrade through and relays bytes both ways', async () => {
    const socket = connect(sightline.proxyPort, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    expect(await eventually(() => Buffer.concat(received).toString().includes('\r\n\r\n'))).toBe(true);
    const head = Buffer.concat(received).toString();
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head.toLowerCase()).toContain('sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=');
    received.length = 0;
    socket.write('ping-through-the-tunnel');
    expect(await eventually(() => Buffer.concat(received).toString() === 'ping-through-the-tunnel')).toBe(true);
    socket.destroy();
  });
});

describe('errors Sightline makes itself', () => {
  it('rejects malformed requests with 400 and keeps serving', async () => {
    const raw = await rawExchange(sightline.proxyPort, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('x-sightline-reason: bad_request');
    expect((await send(`${sightline.proxyUrl}/after-bad`)).status).toBe(200);
  });

  it('rejects oversized headers with 431', async () => {
    const raw = await rawExchange(sightline.proxyPort, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toContain('x-sightline-reason: request_header_too_large');
  });

  it('answers 408 to a client that dribbles its headers past server.headersTimeout', async () => {
    const s = await startSightline({ upstream: app.url, set: { 'server.headersTimeout': '300ms' } });
    try {
      const socket = connect(s.proxyPort, '127.0.0.1');
      let received = '';
      socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
      socket.on('error', () => undefined);
      const startedAt = Date.now();
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => socket.writable && socket.write('X-Drip: 1\r\n'), 100);
      const closed = await eventually(() => socket.destroyed || socket.readableEnded, 5000);
      clearInterval(drip);
      socket.destroy();
      expect(closed).toBe(true);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(received).toContain('x-sightline-reason: request_timeout');
      expect(Date.now() - startedAt).toBeLessThan(2500);
    } finally {
      await s.stop();
    }
  });

  it('refuses an absolute-form request target instead of proxying to another host', async () => {
    const raw = await rawExchange(sightline.proxyPort, 'GET http://elsewhere.example/ HTTP/1.1\r\nHost: elsewhere.example\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('x-sightline-reason: invalid_request');
  });

  it('answers 504 upstream_timeout when the app does not answer in time', async () => {
    const reply = await send(`${sightline.proxyUrl}/stall`);
    expect(reply.status).toBe(504);
    expect(reply.headers['x-sightline-reason']).toBe('upstream_timeout');
    expect(reply.json()).toMatchObject({ error: 'upstream_timeout', request_id: reply.headers['x-request-id'] });
  });

  it.each(['', '?chunked=1'])('destroys the client connection when the app resets mid-body (%s), never ending it as complete', async (variant) => {
    const outcome = await new Promise<{ status: number; bytes: number; error: string | undefined; complete: boolean }>((resolve) => {
      const req = request(`${sightline.proxyUrl}/reset-mid-body${variant}`, { agent: false }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('error', (err) => resolve({ status: res.statusCode ?? 0, bytes, error: err.message, complete: res.complete }));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, error: undefined, complete: res.complete }));
        res.on('close', () => resolve({ status: res.statusCode ?? 0, bytes, error: 'closed', complete: res.complete }));
      });
      req.end();
    });
    expect(outcome.status).toBe(200);
    expect(outcome.complete).toBe(false);
    expect(outcome.bytes).toBeLessThan(1024 * 1024);
  });

  it('cuts the client connection when the app stalls mid-body past upstream.idleTimeout', async () => {
    const outcome = await new Promise<{ complete: boolean; bytes: number }>((resolve) => {
      const req = request(`${sightline.proxyUrl}/stall-body`, { agent: false }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('error', () => undefined);
        res.on('close', () => resolve({ complete: res.complete, bytes }));
      });
      req.end();
    });
    expect(outcome).toEqual({ complete: false, bytes: 'first part;'.length });
  });
});

describe('an app that breaks HTTP', () => {
  it('gets 502 upstream_protocol_error for a malformed status line, and 502 upstream_reset for a dropped connection', async () => {
    const raw = createNetServer((socket) => {
      socket.once('data', (request: Buffer) => {
        if (request.toString().startsWith('GET /garbage')) socket.end('HTTP/1.1 two hundred OK\r\n\r\n');
        else socket.destroy();
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const s = await startSightline({ upstream: `http://127.0.0.1:${(raw.address() as AddressInfo).port}` });
    try {
      const garbage = await send(`${s.proxyUrl}/garbage`);
      expect(garbage.status).toBe(502);
      expect(garbage.headers['x-sightline-reason']).toBe('upstream_protocol_error');
      const dropped = await send(`${s.proxyUrl}/dropped`);
      expect(dropped.status).toBe(502);
      expect(dropped.headers['x-sightline-reason']).toBe('upstream_reset');
    } finally {
      await s.stop();
      raw.close();
    }
  });
});

describe('client disconnects', () => {
  it('aborts the upstream request and leaves no socket open to the app', async () => {
    await eventually(() => app.openSockets() === 0, 6000);
    const before = app.openSockets();
    await new Promise<void>((resolve) => {
      const req = request(`${sightline.proxyUrl}/download?bytes=${512 * 1024 * 1024}`, { agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.end();
    });
    // Sightline must close its socket to the app, not return it to the pool half-read.
    expect(await eventually(() => app.openSockets() === before, 3000)).toBe(true);
    expect((await send(`${sightline.proxyUrl}/still-fine`)).status).toBe(200);
  });

  it('survives a client that disconnects before the app answers', async () => {
    const req = request(`${sightline.proxyUrl}/slow?ms=300`, { agent: false });
    req.on('error', () => undefined);
    req.end();
    await delay(50);
    req.destroy();
    await delay(400);
    expect((await send(`${sightline.proxyUrl}/after-abort`)).status).toBe(200);
    expect(sightline.child.exitCode).toBeNull();
  });
});
