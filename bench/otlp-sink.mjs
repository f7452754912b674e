// An OTLP/HTTP traces endpoint that accepts and discards spans, so Sightline exports for real (as it
// would to a collector) without a collector's cost landing on the measured machine's numbers.

import { createServer } from 'node:http';

/** Starts the sink on a loopback port; resolves with its URL, the spans-export count and close(). */
export function startOtlpSink() {
  const sink = { url: '', exports: 0, bytes: 0, close: () => new Promise((r) => server.close(r)) };
  const server = createServer((req, res) => {
    req.on('data', (chunk) => (sink.bytes += chunk.length));
    req.on('end', () => {
      sink.exports += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      sink.url = `http://127.0.0.1:${server.address().port}/v1/traces`;
      resolve(sink);
    });
  });
}
