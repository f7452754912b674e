// The soak's app, run in its own process so that it can be killed and started again on the same port.
// It is the tests' app (test/support/apps.ts, with the fuzzer's guard in front) for every path the
// fuzzer uses, plus an API under /api/ with faults injected at random:
//
//   GET  /api/items/:id   ~2 KiB of JSON            faults: 503 (x-app-fault: 503), a reset before any
//   POST /api/orders      reads the body, answers    byte, a reset in the middle of the body (after the
//                         its size                   head, which says x-app-fault: reset-mid-body), a slow
//   GET  /api/big         256 KiB                    answer (0.3-1.5 s), a stall (no answer: Sightline's
//                                                    route timeout answers 504)
//
// Every /api/ answer carries x-app-instance (this process's pid), so a client can tell a response cut
// by this process being killed. SIGTERM ends it at once, cutting whatever is in flight, as a crash would.
//
// Usage: node scripts/soak/faulty-app.mjs PORT [--healthy]

import { Buffer } from 'node:buffer';
import { setTimeout } from 'node:timers';
import { startApp } from '../../test/support/apps.ts';
import { guardApp } from '../../test/support/fuzz/guarded-app.ts';

const port = Number(process.argv[2]);
const healthy = process.argv.includes('--healthy');

/** Shares of /api/ requests that get each fault (the rest are answered normally). */
const FAULTS = { status503: 0.05, resetBefore: 0.02, resetMidBody: 0.01, slow: 0.05, stall: 0.01 };

const ITEM = JSON.stringify({ id: 0, name: 'item', description: 'x'.repeat(2000) });
const BIG = Buffer.alloc(256 * 1024, 'soak-');

function pickFault() {
  if (healthy) return 'none';
  let r = Math.random();
  for (const [fault, share] of Object.entries(FAULTS)) {
    r -= share;
    if (r < 0) return fault;
  }
  return 'none';
}

function answer(req, res, body, type) {
  const fault = pickFault();
  const headers = { 'content-type': type, 'x-app-instance': String(process.pid) };
  switch (fault) {
    case 'status503': {
      const text = '{"error":"unavailable"}';
      res.writeHead(503, { ...headers, 'content-length': Buffer.byteLength(text), 'x-app-fault': '503' });
      res.end(text);
      return;
    }
    case 'resetBefore':
      req.socket.destroy();
      return;
    case 'resetMidBody':
      res.writeHead(200, { ...headers, 'content-length': body.length, 'x-app-fault': 'reset-mid-body' });
      res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => req.socket.destroy(), 5));
      return;
    case 'stall':
      return;
    case 'slow':
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { ...headers, 'content-length': body.length });
        res.end(body);
      }, 300 + Math.random() * 1200);
      return;
    default:
      res.writeHead(200, { ...headers, 'content-length': body.length });
      res.end(body);
  }
}

function api(req, res) {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && /^\/api\/items\/\d+$/.test(path)) {
    req.resume();
    return answer(req, res, Buffer.from(ITEM), 'application/json');
  }
  if (req.method === 'GET' && path === '/api/big') {
    req.resume();
    return answer(req, res, BIG, 'application/octet-stream');
  }
  if (req.method === 'POST' && path === '/api/orders') {
    let bytes = 0;
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => answer(req, res, Buffer.from(JSON.stringify({ accepted: true, bytes })), 'application/json'));
    return;
  }
  req.resume();
  res.writeHead(404, { 'content-type': 'text/plain', 'x-app': 'soak', 'x-app-instance': String(process.pid) });
  res.end('no such API');
}

const app = await startApp(port);
guardApp(app);
const others = app.server.listeners('request');
app.server.removeAllListeners('request');
app.server.on('request', (req, res) => {
  if ((req.url ?? '').startsWith('/api/')) api(req, res);
  else for (const handle of others) handle(req, res);
});

process.once('SIGTERM', () => {
  // A crash, not a drain: every connection is cut where it stands.
  void app.close();
  process.exit(0);
});
process.send?.({ ready: true, pid: process.pid });
console.log(`faulty app ${process.pid} on ${app.url}${healthy ? ' (healthy)' : ''}`);
