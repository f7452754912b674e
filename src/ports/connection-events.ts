// What happens on the proxy port below the level of a request: requests refused before they became one
// (the HTTP parser's verdicts, timeouts of the head, CONNECT) and connections closed at once because
// server.maxConnections were open. Neither reaches the request metrics or the access log.

import type { Reason } from '../core/http/reasons.ts';

export interface ConnectionEvents {
  /** A request refused before it was handled as one; `code` is Node's error code (HPE_*, ERR_HTTP_*), or CONNECT. */
  clientError(reason: Reason, code: string | undefined, clientAddress: string | undefined): void;
  /** A new connection was closed without an answer: server.maxConnections were open. */
  connectionDropped(): void;
}

export const IGNORE_CONNECTION_EVENTS: ConnectionEvents = {
  clientError() {},
  connectionDropped() {},
};

/** One set of events that tells each of `observers`, in order. */
export function everyConnectionObserver(...observers: readonly ConnectionEvents[]): ConnectionEvents {
  return {
    clientError: (reason, code, address) => { for (const o of observers) o.clientError(reason, code, address); },
    connectionDropped: () => { for (const o of observers) o.connectionDropped(); },
  };
}
