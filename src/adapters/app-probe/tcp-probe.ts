// App health by TCP connect: the app is up when its port accepts a connection.

import { connect } from 'node:net';
import type { AppProbe, ProbeResult } from '../../ports/app-probe.ts';

export class TcpProbe implements AppProbe {
  readonly #host: string;
  readonly #port: number;

  constructor(origin: string) {
    const url = new URL(origin);
    this.#host = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(url.port || 80);
  }

  check(timeoutMs: number): Promise<ProbeResult> {
    return new Promise((resolve) => {
      const socket = connect({ host: this.#host, port: this.#port });
      const done = (result: ProbeResult) => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `connect timed out after ${timeoutMs}ms` }));
      socket.once('connect', () => done({ ok: true, detail: 'connected' }));
      socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, detail: err.code ?? err.message }));
    });
  }
}
