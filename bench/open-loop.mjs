// Open-loop load generator: sends requests on a fixed schedule whatever the target's pace, and times
// each from its *intended* send time, so a stall shows up in every request it delayed (no coordinated
// omission, unlike a closed loop such as wrk that just waits and sends fewer requests).
// Run as its own process so its CPU is not the proxy's or the harness's. Prints one JSON object.
// Usage: node bench/open-loop.mjs '{"url":"http://127.0.0.1:8080/?size=1024","rates":[500,2000],
//          "durationS":5,"warmupS":1,"connections":64,"method":"GET","bodyBytes":0}'

import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { Pool } from 'undici';

const config = JSON.parse(process.argv[2]);
const url = new URL(config.url);
const pool = new Pool(url.origin, { connections: config.connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
const body = config.method === 'POST' ? Buffer.alloc(config.bodyBytes, 'a') : null;
const request = { path: url.pathname + url.search, method: config.method, body, headers: body === null ? {} : { 'content-type': 'application/octet-stream' } };

/** Nearest-rank percentile of an ascending array, in ms. */
const pct = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]);

/** Sends `rate` requests per second for `seconds`; resolves when every one has finished (or failed). */
function phase(rate, seconds) {
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const latencies = [];
  const lags = [];
  let sent = 0;
  let finished = 0;
  let errors = 0;
  return new Promise((resolve) => {
    const t0 = performance.now() + 2;
    const finish = (intended, ok) => {
      if (ok) latencies.push(performance.now() - intended);
      else errors += 1;
      if (++finished === total) {
        const elapsedS = (performance.now() - t0) / 1000;
        resolve({ rate, sent, completed: latencies.length, errors, elapsedS, latencies, lags });
      }
    };
    const fire = (intended) => {
      lags.push(performance.now() - intended);
      pool.request(request).then(
        async ({ statusCode, body: responseBody }) => {
          // Read the whole body: the response is complete only when its last byte has arrived.
          for await (const _chunk of responseBody);
          finish(intended, statusCode >= 200 && statusCode < 300);
        },
        () => finish(intended, false),
      );
    };
    // A timer per request would cost more than the requests at 5000/s: wake about every ms and send
    // every request whose time has come. Late wake-ups count against the latency (measured from the
    // intended time), as they would for a real client.
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) fire(t0 + interval * sent++);
      if (sent < total) setTimeout(tick, Math.min(1, Math.max(0, t0 + sent * interval - now)));
    };
    setTimeout(tick, 2);
  });
}

function summarise({ rate, sent, completed, errors, elapsedS, latencies, lags }) {
  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  return {
    rate,
    sent,
    completed,
    errors,
    achievedRps: completed / elapsedS,
    p50: pct(latencies, 50), p90: pct(latencies, 90), p99: pct(latencies, 99), p999: pct(latencies, 99.9),
    max: latencies.at(-1) ?? null,
    // How late the generator itself sent (ms): a large value means the numbers measure the generator.
    sendLagP99: pct(lags, 99),
  };
}

// Warm-up at the lowest rate: connections opened and code optimised on both sides, not recorded.
await phase(Math.min(...config.rates), config.warmupS);
const phases = [];
for (const rate of config.rates) phases.push(summarise(await phase(rate, config.durationS)));
await pool.close();
process.stdout.write(`${JSON.stringify({ phases })}\n`);
