// Real app servers on loopback for the tests: an echo app with a few misbehaving routes, and a port
// where nothing listens. Each counts its open sockets, so leaks are visible.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { Writable } from 'node:stream';

export interface TestApp {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Sockets the app has open right now. */
  openSockets(): number;
  /** Every request the app has seen: method, url, lower-case headers, body length. */
  readonly seen: SeenRequest[];
  /** What the next requests get, in order, whatever their path (the scripted failures of resilience tests). */
  readonly script: Behaviour[];
  /** What every request gets once the script is used up; null: the path decides (the routes below). */
  always: Behaviour | null;
  close(): Promise<void>;
}

/** A scripted answer: a status (with Retry-After), a reset connection, or no answer at all. */
export type Behaviour =
  | { readonly status: number; readonly retryAfter?: string }
  | 'reset'
  | 'hang';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaders: string[];
  bodyBytes: number;
  /** sha256 of the body, hex, once it has been read whole. */
  bodySha256?: string;
}

const PATTERN = Buffer.alloc(64 * 1024, 'sightline-stream-');

/** Writes `total` bytes into a response or request, honouring backpressure, then ends it. */
export function streamBytes(out: Writable, total: number): void {
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, PATTERN.length);
      left -= n;
      if (!out.write(n === PATTERN.length ? PATTERN : PATTERN.subarray(0, n))) {
        out.once('drain', pump);
        return;
      }
    }
    out.end();
  };
  pump();
}

function query(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://x').searchParams;
}

function behave(behaviour: Behaviour, req: IncomingMessage, res: ServerResponse): void {
  if (behaviour === 'reset') {
    req.socket.destroy();
    return;
  }
  if (behaviour === 'hang') return;
  const body = `scripted ${behaviour.status}`;
  const headers: Record<string, string> = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), 'x-app': 'scripted' };
  if (behaviour.retryAfter !== undefined) headers['retry-after'] = behaviour.retryAfter;
  res.writeHead(behaviour.status, headers);
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse, app: TestApp): void {
  const record: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, rawHeaders: [...req.rawHeaders], bodyBytes: 0 };
  app.seen.push(record);
  const path = (req.url ?? '/').split('?')[0];
  const q = query(req);
  const hash = createHash('sha256');
  req.on('data', (chunk: Buffer) => {
    record.bodyBytes += chunk.length;
    hash.update(chunk);
  });
  const scripted = app.script.shift() ?? app.always;
  req.on('end', () => {
    record.bodySha256 = hash.digest('hex');
    if (scripted !== null) {
      behave(scripted, req, res);
      return;
    }
    switch (path) {
      case '/download':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': q.get('bytes') ?? '0' });
        streamBytes(res, Number(q.get('bytes') ?? 0));
        return;
      case '/download-chunked':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        streamBytes(res, Number(q.get('bytes') ?? 0));
        return;
      case '/status': {
        const code = Number(q.get('code') ?? 200);
        res.writeHead(code, { 'x-app': 'status' });
        res.end(code === 204 || code === 304 ? undefined : `status ${code}`);
        return;
      }
      case '/slow':
        setTimeout(() => {
          if (!res.destroyed) res.end(`slow ${q.get('ms')}`);
        }, Number(q.get('ms') ?? 100));
        return;
      case '/stall':
        return; // never answers
      case '/stall-body':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
        res.write('first part;');
        return; // never finishes the body
      case '/reset-mid-body':
        // Declared length, or chunked (q chunked=1): either way the body stops short and the socket dies.
        res.writeHead(200, q.has('chunked') ? { 'content-type': 'text/plain' } : { 'content-type': 'text/plain', 'content-length': String(1024 * 1024) });
        res.write(PATTERN, () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      case '/trailers':
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
        res.write('body with trailers');
        res.addTrailers({ 'x-checksum': 'abc123' });
        res.end();
        return;
      case '/hop-by-hop-response':
        res.writeHead(200, { connection: 'x-internal', 'x-internal': 'secret', 'keep-alive': 'timeout=5', 'x-kept': 'yes', 'set-cookie': ['a=1', 'b=2'] });
        res.end('ok');
        return;
      case '/request-id':
        res.writeHead(200, { 'x-request-id': 'from-app' });
        res.end('ok');
        return;
      default: {
        const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyBytes: record.bodyBytes });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
        res.end(body);
      }
    }
  });
}

/** Minimal WebSocket endpoint: completes the handshake, then echoes raw bytes back. */
function handleUpgrade(req: IncomingMessage, socket: Socket): void {
  const key = req.headers['sec-websocket-key'] ?? '';
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
  socket.pipe(socket);
}

export async function startApp(port = 0): Promise<TestApp> {
  const sockets = new Set<Socket>();
  // eslint-disable-next-line prefer-const -- the handler refers to the app, which needs the server first
  let app: TestApp;
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => handle(req, res, app));
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => handleUpgrade(req, socket));
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  app = {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    seen: [],
    script: [],
    always: null,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return app;
}

/** A loopback port with nothing listening on it (connections are refused). */
/** Forgets what the app saw and any scripted behaviour, between tests that share it. */
export function resetApp(app: TestApp): void {
  app.seen.length = 0;
  app.script.length = 0;
  app.always = null;
}

export async function unusedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
