// The app every target sits in front of, run as its own process so its CPU is not the harness's.
//   GET  /?size=N  → 200, N bytes of JSON (content-length set), from a buffer allocated once per size
//   POST anything  → reads the whole body, answers {"received": <bytes>}
// Prints {"port": P} on stdout once listening. Usage: node bench/upstream.mjs [port]

import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';

const bodies = new Map();

/** N bytes that are valid JSON (a string of x's), made once and reused: the app should cost little. */
function bodyOf(size) {
  let body = bodies.get(size);
  if (body === undefined) {
    body = size === 0 ? Buffer.alloc(0) : size === 1 ? Buffer.from('0') : Buffer.from(`"${'x'.repeat(size - 2)}"`);
    bodies.set(size, body);
  }
  return body;
}
for (const size of [0, 1024, 64 * 1024, 1024 * 1024]) bodyOf(size);

function sizeOf(url) {
  const at = url.indexOf('size=');
  if (at < 0) return 0;
  const n = Number.parseInt(url.slice(at + 5), 10);
  return Number.isFinite(n) && n >= 0 && n <= 64 * 1024 * 1024 ? n : 0;
}

const server = createServer((req, res) => {
  if (req.method === 'POST' || req.method === 'PUT') {
    let received = 0;
    req.on('data', (chunk) => (received += chunk.length));
    req.on('end', () => {
      const reply = `{"received":${received}}`;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
      res.end(reply);
    });
    return;
  }
  const body = bodyOf(sizeOf(req.url));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
// Longer than any proxy's idle keep-alive to it, so the app never closes a socket a proxy is about to reuse.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
