// An "app" that speaks HTTP/1.1 by hand on a raw node:net server, so a test can make it misbehave at
// the byte level: malformed heads, bodies longer or shorter than declared, resets, silence. Each request
// (method, path, Content-Length body) is parsed and handed to the test's `respond`, which writes whatever
// bytes it likes on the socket; the connection then goes on reading requests (keep-alive) until one side
// closes it. It counts its open sockets and numbers its connections, so leaks and reuse are visible.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface RawRequest {
  readonly method: string;
  /** The request target as sent, query included. */
  readonly url: string;
  /** The path without the query. */
  readonly path: string;
  /** Header lines, names in lower case (last one wins). */
  readonly headers: Readonly<Record<string, string>>;
  /** Which connection it came on: 1 for the first one accepted. */
  readonly connection: number;
  /** Requests seen on that connection before this one. */
  readonly index: number;
}

/** Writes the answer to `request` (or nothing, or destroys the socket). */
export type Respond = (request: RawRequest, socket: Socket) => void;

export interface MisbehavingApp {
  readonly port: number;
  readonly url: string;
  readonly server: Server;
  /** What each request gets; by default a valid 200 `ok`. */
  respond: Respond;
  /** Called as each connection is accepted, before anything is read: return true once it has dealt with the socket (e.g. closed it). */
  onAccept: ((socket: Socket) => boolean) | null;
  /** Every request parsed, in order. */
  readonly seen: RawRequest[];
  /** Connections accepted so far. */
  accepted(): number;
  /** Sockets open right now. */
  openSockets(): number;
  close(): Promise<void>;
}

/** A well-formed answer with a Content-Length. */
export function okResponse(body = 'ok', extraHeaders = ''): string {
  return `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n${body}`;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export async function startMisbehavingApp(port = 0): Promise<MisbehavingApp> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  // eslint-disable-next-line prefer-const -- the connection handler refers to the app, which needs the server first
  let app: MisbehavingApp;
  const server = createServer((socket) => {
    const connection = ++accepted;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (app.onAccept !== null && app.onAccept(socket)) {
      // Keep reading, so that the peer's FIN is seen and a socket ended here closes (and is counted as closed).
      socket.resume();
      return;
    }
    let pending: Buffer = Buffer.alloc(0);
    let index = 0;
    let bodyLeft = 0;
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        if (bodyLeft > 0) {
          const n = Math.min(bodyLeft, pending.length);
          bodyLeft -= n;
          pending = pending.subarray(n);
          if (bodyLeft > 0) return;
        }
        const end = pending.indexOf(HEAD_END);
        if (end < 0) return;
        const lines = pending.subarray(0, end).toString('latin1').split('\r\n');
        pending = pending.subarray(end + HEAD_END.length);
        const [method = '', url = ''] = (lines[0] ?? '').split(' ');
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        bodyLeft = Number(headers['content-length'] ?? 0);
        const request: RawRequest = { method, url, path: url.split('?')[0] ?? url, headers, connection, index: index++ };
        app.seen.push(request);
        if (socket.destroyed) return;
        app.respond(request, socket);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  app = {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    server,
    respond: (_request, socket) => socket.write(okResponse()),
    onAccept: null,
    seen: [],
    accepted: () => accepted,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return app;
}
