// The bare Node floor: what any Node proxy pays before adding features. node:http in, one undici Pool
// with keep-alive out, hop-by-hop headers dropped, bodies streamed both ways.
// Usage: node bench/minimal-undici-proxy.mjs UPSTREAM_URL PORT

import { createServer } from 'node:http';
import { Pool } from 'undici';

const [upstream, port] = process.argv.slice(2);
const pool = new Pool(upstream, { connections: 64, keepAliveTimeout: 4_000 });
// RFC 9110 §7.6.1 hop-by-hop headers (undici also refuses some of them on requests).
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);
const endToEnd = (headers) => Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP.has(name)));

createServer((req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool.stream(
    { path: req.url, method: req.method, headers: endToEnd(req.headers), body: hasBody ? req : null, opaque: res },
    ({ statusCode, headers, opaque }) => {
      opaque.writeHead(statusCode, endToEnd(headers));
      return opaque;
    },
    (error) => {
      if (error === null || error === undefined) return;
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    },
  );
}).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
