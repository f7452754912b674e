// The demo "shop" API that Sightline sits in front of: a plain node:http app whose failures and latency
// can be changed while it runs (POST /control) or left to the scripted incident (demo/incident-script.mjs).
//
//   GET  /products        the catalogue            GET  /control   current faults, phase and counts
//   GET  /products/:id    one product (404 if none) POST /control   ?failRate=0.5&latencyMs=200&target=products
//   POST /orders          place an order (201)                      ?incident=on|off
//   GET  /slow            a 300-700ms report        GET  /healthz   always 200 (Sightline's health check)
//
// Run alone: node demo/shop-app.mjs [port]   (default 8080; the incident script starts at once)

import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { BASE_LATENCY_MS, PRODUCTS, findProduct } from './shop-catalog.mjs';
import { HEALTHY, aimsAt, applyFaultParams } from './fault-settings.mjs';
import { createIncidentScript } from './incident-script.mjs';

const ATTEMPT_HEADER = 'x-sightline-attempt';
const MAX_ORDER_BYTES = 64 * 1024;

function sendJson(res, status, value, headers = {}) {
  if (res.destroyed) return;
  const body = JSON.stringify(value, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function randomBetween([min, max]) {
  return min + Math.random() * (max - min);
}

/** Which endpoint a request is for, or why it is for none. */
function endpointOf(method, path) {
  if (path === '/products') return method === 'GET' ? 'products' : { allow: 'GET' };
  if (/^\/products\/[^/]+$/.test(path)) return method === 'GET' ? 'product' : { allow: 'GET' };
  if (path === '/orders') return method === 'POST' ? 'orders' : { allow: 'POST' };
  if (path === '/slow') return method === 'GET' ? 'slow' : { allow: 'GET' };
  return undefined;
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The endpoint's answer when nothing goes wrong. */
async function answer(endpoint, req, res, path, headers) {
  switch (endpoint) {
    case 'products':
      return sendJson(res, 200, { products: PRODUCTS }, headers);
    case 'product': {
      const product = findProduct(decodeURIComponent(path.slice('/products/'.length)));
      return product === undefined
        ? sendJson(res, 404, { error: 'not_found', message: 'no such product' }, headers)
        : sendJson(res, 200, product, headers);
    }
    case 'orders':
      return sendJson(res, 201, { orderId: `ord_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`, status: 'accepted' }, headers);
    case 'slow':
      return sendJson(res, 200, { report: 'quarterly sales', rows: 42 }, headers);
  }
}

/**
 * Starts the shop on `host:port` (0: any free port). The incident script waits for startIncident() so
 * the demo can begin it once traffic flows; `onPhase(phase)` hears each phase change.
 */
export async function startShopApp({ port = 8080, host = '127.0.0.1', incidentScale = 1, onPhase = () => {} } = {}) {
  let faults = HEALTHY;
  const seen = { requests: 0, viaSightline: 0, retries: 0, injectedFailures: 0 };
  const incident = createIncidentScript({
    scale: incidentScale,
    apply: (phase) => {
      faults = Object.freeze({ ...phase.faults });
      onPhase(phase);
    },
  });
  let incidentOn = false;

  const controlState = () => ({
    faults,
    incident: incidentOn ? { enabled: true, ...incident.current() } : { enabled: false },
    seen,
  });

  const handleControl = (req, res, params) => {
    if (req.method === 'GET') return sendJson(res, 200, controlState());
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, POST' });
    const unknown = [...params.keys()].filter((k) => !['failRate', 'latencyMs', 'target', 'incident'].includes(k));
    if (unknown.length > 0) return sendJson(res, 400, { error: 'bad_request', message: `unknown parameter ${unknown[0]}: use failRate, latencyMs, target or incident` });
    const switchTo = params.get('incident');
    if (switchTo !== null && switchTo !== 'on' && switchTo !== 'off') return sendJson(res, 400, { error: 'bad_request', message: 'incident must be on or off' });
    // Faults set by hand pause the script (it would overwrite them within seconds) and start from a healthy
    // app, not from whatever the script had broken; faults set while paused add up.
    const setsFaults = params.has('failRate') || params.has('latencyMs') || params.has('target');
    const base = incidentOn && setsFaults ? HEALTHY : faults;
    const result = applyFaultParams(base, params);
    if (result.error !== undefined) return sendJson(res, 400, { error: 'bad_request', message: result.error });
    if (switchTo === 'on') {
      incidentOn = true;
      incident.start();
    } else if (switchTo === 'off' || setsFaults) {
      incidentOn = false;
      incident.stop();
      faults = switchTo === 'off' && !setsFaults ? HEALTHY : result.settings;
    }
    return sendJson(res, 200, controlState());
  };

  const handle = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop');
    const path = url.pathname;
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/control') return handleControl(req, res, url.searchParams);
    const endpoint = endpointOf(req.method, path);
    if (endpoint === undefined) return sendJson(res, 404, { error: 'not_found', message: 'try /products, /products/1, POST /orders or /slow' });
    if (typeof endpoint !== 'string') return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: endpoint.allow });

    seen.requests += 1;
    const attempt = req.headers[ATTEMPT_HEADER];
    const headers = {};
    if (attempt !== undefined) {
      seen.viaSightline += 1;
      if (Number(attempt) > 1) seen.retries += 1;
      // Echoed so `curl -i` through Sightline shows which attempt the app answered.
      headers['x-shop-attempt'] = String(attempt);
    }
    if (endpoint === 'orders') {
      try {
        await readBody(req, MAX_ORDER_BYTES);
      } catch {
        return sendJson(res, 413, { error: 'too_large' });
      }
    }
    const aimed = aimsAt(faults, endpoint);
    const fails = aimed && Math.random() < faults.failRate;
    const delayMs = randomBetween(BASE_LATENCY_MS[endpoint]) + (aimed ? faults.latencyMs : 0);
    setTimeout(() => {
      if (!fails) return void answer(endpoint, req, res, path, headers);
      seen.injectedFailures += 1;
      sendJson(res, 503, { error: 'unavailable', message: `injected failure (${endpoint}: failRate ${faults.failRate})` }, headers);
    }, delayMs);
  };

  const sockets = new Set();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => sendJson(res, 500, { error: 'internal' }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = server.address().port;

  return {
    port: actualPort,
    url: `http://${host}:${actualPort}`,
    startIncident() {
      incidentOn = true;
      incident.start();
    },
    state: controlState,
    close() {
      incident.stop();
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = process.argv[2] === undefined ? 8080 : Number(process.argv[2]);
  const app = await startShopApp({ port, onPhase: (phase) => console.log(`incident: ${phase.name} - ${phase.story}`) });
  app.startIncident();
  console.log(`shop app on ${app.url} (GET /control shows its faults; Ctrl-C stops it)`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
