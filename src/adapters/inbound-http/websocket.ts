// WebSocket upgrades pass through http-proxy-3, which splices the two sockets once the app says 101.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import { headFieldsOf, requestHeadProblem } from '../../core/http/request-head.ts';

/**
 * A WebSocket handshake with a head Sightline accepts. One it would refuse (no Host, two of them...) is
 * not upgraded: it is served as a plain request, and the exchange refuses it with its reason.
 */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return req.method === 'GET' && upgrade !== undefined && upgrade.toLowerCase() === 'websocket' &&
    requestHeadProblem(req.httpVersionMajor, req.httpVersionMinor, headFieldsOf(req.rawHeaders)) === undefined;
}

const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port'];

export class WebSocketPassThrough {
  readonly #proxy: ReturnType<typeof createProxyServer>;
  readonly #open = new Set<Duplex>();
  readonly #onClosed: () => void;
  readonly #replaceForwarded: boolean;

  /** `replaceForwarded` (server.xForwardedFor: replace): the client's X-Forwarded-* go; http-proxy-3 sets its own. */
  constructor(origin: string, onClosed: () => void, replaceForwarded = false) {
    this.#onClosed = onClosed;
    this.#replaceForwarded = replaceForwarded;
    this.#proxy = createProxyServer({ target: origin, ws: true, xfwd: true });
    this.#proxy.on('error', (_err, _req, socket) => {
      // The app refused or dropped the upgrade: the client's socket is all we can close.
      if (socket !== undefined && 'destroy' in socket) socket.destroy();
    });
  }

  get openCount(): number {
    return this.#open.size;
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#replaceForwarded) for (const name of FORWARDED) delete req.headers[name];
    this.#open.add(socket);
    socket.once('close', () => {
      this.#open.delete(socket);
      this.#onClosed();
    });
    this.#proxy.ws(req, socket as never, head);
  }

  destroyAll(): void {
    for (const socket of this.#open) socket.destroy();
  }
}
