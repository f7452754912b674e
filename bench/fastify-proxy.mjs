// fastify with @fastify/http-proxy (undici underneath, through @fastify/reply-from), logging off:
// the usual way to put a proxy inside a fastify app. Usage: node bench/fastify-proxy.mjs UPSTREAM_URL PORT

import httpProxy from '@fastify/http-proxy';
import Fastify from 'fastify';

const [upstream, port] = process.argv.slice(2);
const app = Fastify({ logger: false });
// Same pool shape as the minimal proxy: 64 keep-alive connections, no pipelining.
await app.register(httpProxy, { upstream, undici: { connections: 64, pipelining: 1, keepAliveTimeout: 4_000 } });
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
