// The proxy port below the level of requests: client connections open, those dropped at
// server.maxConnections, and requests refused before they were handled (the parser's 400/431/505, the
// head's 408, CONNECT), which never reach http_server_* or the access log.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConnectionEvents } from '../../ports/connection-events.ts';

const CLIENT_ERROR_REASONS = ['bad_request', 'request_header_too_large', 'request_timeout', 'http_version_not_supported', 'invalid_request'];

export function connectionMetrics(registry: Registry, openConnections: () => Promise<number>): ConnectionEvents {
  const registers = [registry];
  new Gauge({
    name: 'sightline_open_connections', help: 'Client connections open on the proxy port (idle keep-alive ones included).', registers,
    async collect() {
      this.set(await openConnections());
    },
  });
  const dropped = new Counter({ name: 'sightline_connections_dropped_total', help: 'New client connections closed at once, unanswered, because server.maxConnections were open.', registers });
  const refused = new Counter({ name: 'sightline_client_errors_total', help: 'Requests refused before they were handled as requests (malformed, head too large or too slow, HTTP version, CONNECT), by reason; not in http_server_* nor the access log.', labelNames: ['reason'], registers });
  for (const reason of CLIENT_ERROR_REASONS) refused.labels(reason);
  return {
    clientError(reason) {
      refused.labels(reason).inc();
    },
    connectionDropped() {
      dropped.inc();
    },
  };
}
