// The demo's clients: a steady stream of shop requests through Sightline over keep-alive connections,
// counted by outcome so the live line can say what clients actually saw (as opposed to what the app did).

import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

/** What the shop's clients do, with weights: mostly browsing, some orders, the odd slow report. */
const REQUEST_MIX = [
  { weight: 35, request: () => ({ method: 'GET', path: '/products' }) },
  // Ids 1-6 exist; 7 answers 404, a client error that never counts against the app's breaker.
  { weight: 35, request: () => ({ method: 'GET', path: `/products/${1 + Math.floor(Math.random() * 7)}` }) },
  { weight: 20, request: () => ({ method: 'POST', path: '/orders', body: JSON.stringify({ productId: 1 + Math.floor(Math.random() * 6), quantity: 1 }) }) },
  { weight: 10, request: () => ({ method: 'GET', path: '/slow' }) },
];
const TOTAL_WEIGHT = REQUEST_MIX.reduce((sum, r) => sum + r.weight, 0);

/** Beyond this many requests waiting for answers, ticks are skipped: a stalled app must not pile up sockets. */
const MAX_IN_FLIGHT = 200;

function pickRequest() {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const entry of REQUEST_MIX) {
    roll -= entry.weight;
    if (roll < 0) return entry.request();
  }
  return REQUEST_MIX[0].request();
}

function emptyCounts() {
  return { sent: 0, ok: 0, clientErrors: 0, serverErrors: 0, circuitOpen: 0, failed: 0 };
}

/** Sends `rate` requests per second to `origin` until stop(); takeCounts() returns and resets the counts since the last call. */
export function startTraffic({ origin, rate }) {
  const pool = new Pool(origin, { connections: 16, headersTimeout: 30_000, bodyTimeout: 30_000 });
  let counts = emptyCounts();
  const totals = emptyCounts();
  let inFlight = 0;

  const count = (field) => {
    counts[field] += 1;
    totals[field] += 1;
  };

  const send = async () => {
    const { method, path, body } = pickRequest();
    inFlight += 1;
    count('sent');
    try {
      const res = await pool.request({
        method,
        path,
        body,
        headers: { 'user-agent': 'sightline-demo-traffic', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      });
      await res.body.dump();
      if (res.statusCode < 400) count('ok');
      else if (res.statusCode < 500) count('clientErrors');
      else count('serverErrors');
      if (res.headers['x-sightline-reason'] === 'circuit_open') count('circuitOpen');
    } catch {
      count('failed');
    } finally {
      inFlight -= 1;
    }
  };

  const timer = setInterval(() => {
    if (inFlight < MAX_IN_FLIGHT) void send();
  }, 1000 / rate);

  return {
    takeCounts() {
      const taken = counts;
      counts = emptyCounts();
      return taken;
    },
    totals: () => ({ ...totals }),
    /** Stops sending, gives requests in flight a moment to finish, then closes the connections. */
    async stop() {
      clearInterval(timer);
      for (let waited = 0; inFlight > 0 && waited < 1000; waited += 50) await sleep(50);
      await pool.destroy();
    },
  };
}
