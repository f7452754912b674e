// The app, reached through one undici Pool with keep-alive. `dispatch` hands the inbound handler
// straight to undici: the handler protocol of the port is undici's own.

import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { UpstreamConfig } from '../../core/config/model.ts';
import type { Upstream, UpstreamHandler, UpstreamRequest } from '../../ports/upstream.ts';

export class UndiciUpstream implements Upstream {
  readonly #pool: Pool;

  constructor(config: UpstreamConfig) {
    this.#pool = new Pool(config.origin, {
      connections: config.connections,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      keepAliveMaxTimeout: config.keepAliveTimeoutMs,
      connectTimeout: config.connectTimeoutMs,
      // The route policies time each attempt (perTryTimeout, timeout) from the moment the request was received.
      headersTimeout: 0,
      bodyTimeout: config.idleTimeoutMs,
      // Requests are not pipelined: a failure on a pipelined socket would take innocent requests with it.
      pipelining: 1,
    });
  }

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    this.#pool.dispatch(
      {
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body as Dispatcher.DispatchOptions['body'],
      },
      handler as unknown as Dispatcher.DispatchHandler,
    );
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}
