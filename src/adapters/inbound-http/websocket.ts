// WebSocket upgrades pass through http-proxy-3, which splices the two sockets once the app says 101.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return req.method === 'GET' && upgrade !== undefined && upgrade.toLowerCase() === 'websocket';
}

export class WebSocketPassThrough {
  readonly #proxy: ReturnType<typeof createProxyServer>;
  readonly #open = new Set<Duplex>();
  readonly #onClosed: () => void;

  constructor(origin: string, onClosed: () => void) {
    this.#onClosed = onClosed;
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
