// http-proxy-3 (the maintained rewrite of node-http-proxy) with a keep-alive agent, as most Node
// proxies built on it are deployed. Usage: node bench/http-proxy-3-proxy.mjs UPSTREAM_URL PORT

import { Agent, createServer } from 'node:http';
import { createProxyServer } from 'http-proxy-3';

const [upstream, port] = process.argv.slice(2);
// Without an agent http-proxy sends `Connection: close` and opens a socket per request.
const agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 60_000 });
const proxy = createProxyServer({ target: upstream, agent });
proxy.on('error', (_error, _req, res) => {
  if (res.headersSent === false) res.writeHead(502).end();
  else res.destroy();
});
createServer((req, res) => proxy.web(req, res)).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
