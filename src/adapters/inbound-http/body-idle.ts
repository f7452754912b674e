// server.bodyIdleTimeout: a client that stops sending its request body halfway (or dribbles a byte now
// and then) would hold its connection, and a socket to the app, for as long as it likes. One timer per
// body on its way, checked only when it fires: bytes read since the last check, or bytes waiting for the
// proxy to take them (the app reading slowly pauses the socket), mean the silence is not the client's.

import type { IncomingMessage } from 'node:http';

export interface BodyIdleOwner {
  /** No body byte came for the whole timeout while the proxy was ready to read. */
  bodyIdle(): void;
}

function onCheck(watch: BodyIdleWatch): void {
  watch.check();
}

export class BodyIdleWatch {
  readonly #req: IncomingMessage;
  readonly #owner: BodyIdleOwner;
  readonly #timer: NodeJS.Timeout;
  #bytesRead: number;

  constructor(req: IncomingMessage, timeoutMs: number, owner: BodyIdleOwner) {
    this.#req = req;
    this.#owner = owner;
    this.#bytesRead = req.socket.bytesRead;
    this.#timer = setTimeout(onCheck, timeoutMs, this);
  }

  check(): void {
    const req = this.#req;
    const socket = req.socket as IncomingMessage['socket'] | null;
    if (req.complete || req.destroyed || socket === null || socket.destroyed) return;
    const read = socket.bytesRead;
    if (read !== this.#bytesRead || req.readableLength > 0 || socket.isPaused()) {
      this.#bytesRead = read;
      this.#timer.refresh();
      return;
    }
    this.#owner.bodyIdle();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
