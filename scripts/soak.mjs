// `npm run soak`: Sightline (this repository's binary, in a child process) in front of an app that fails
// on purpose (scripts/soak/faulty-app.mjs: 503s, resets before and in the middle of a body, slow
// answers, stalls, and a restart every minute), under mixed traffic for N minutes (scripts/soak/clients.mjs:
// keep-alive and new connections, GETs and POSTs with bodies, slow uploads, slow readers, clients that
// leave early) plus fuzzed connections at a low rate (test/support/fuzz). Then a graceful restart under
// load: SIGTERM while clients keep sending, and a new Sightline on the same port.
//
// It prints a line every 15 s and a report at the end, with PASS/FAIL per check, and exits 1 on any FAIL:
//   - no request lost (see scripts/soak/clients.mjs for how each outcome is classified);
//   - no fuzzed connection got a malformed answer (outside app restarts);
//   - Sightline's open file descriptors and RSS back to their start (after warm-up) once traffic stops;
//   - the graceful restart lost nothing, and the old Sightline exited 0.
//
// Usage: npm run soak -- [--minutes N (5)] [--rate R (60 requests/s)] [--fuzz-runs K (300 per minute)] [--seed S]

import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { peakRssBytes, rssBytes } from '../bench/proc-stats.mjs';
import { freePort, httpStatus, killAll, logTail, start, stop, waitFor200 } from '../bench/processes.mjs';
import { createClients, tally } from './soak/clients.mjs';
import { planConnection } from '../test/support/fuzz/connection-plan.ts';
import { runConnection } from '../test/support/fuzz/raw-connection.ts';
import { judge, reproducer } from '../test/support/fuzz/verdict.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/sightline.js');
const APP = join(ROOT, 'scripts/soak/faulty-app.mjs');
const MiB = 1024 * 1024;

const USAGE = 'usage: npm run soak -- [--minutes N (default 5)] [--rate R (requests/s, default 60)] [--fuzz-runs K (fuzzed requests, default 300 a minute)] [--seed S]';

function options() {
  const { values } = parseArgs({
    strict: true,
    args: process.argv.slice(2),
    options: { minutes: { type: 'string' }, rate: { type: 'string' }, 'fuzz-runs': { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (text, fallback, what) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${what} must be a number, got "${text}"`);
    return n;
  };
  const minutes = number(values.minutes, 5, 'minutes');
  return { minutes, rate: number(values.rate, 60, 'rate'), fuzzRuns: number(values['fuzz-runs'], Math.round(300 * minutes), 'fuzz-runs'), seed: number(values.seed, 20261126, 'seed') };
}

let opts;
try {
  opts = options();
} catch (error) {
  console.error(`soak: ${error.message}\n${USAGE}`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'sightline-soak-'));
const runId = Date.now().toString(36);
const startedAt = Date.now();
const clock = () => {
  const s = Math.floor((Date.now() - startedAt) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const say = (text) => console.log(`${clock()} ${text}`);
const mib = (bytes) => `${(bytes / MiB).toFixed(0)} MiB`;
const openFds = (pid) => readdirSync(`/proc/${pid}/fd`).length;
/** The fewest open files over a second: the app's health check holds a socket for a moment every 2 s. */
async function steadyFds(pid) {
  let fewest = Infinity;
  for (let i = 0; i < 10; i++) {
    fewest = Math.min(fewest, openFds(pid));
    await sleep(100);
  }
  return fewest;
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// ---- the app, restarted on the same port ----------------------------------------------------------

const appPort = await freePort();
const killed = new Map(); // app pid → when it was killed
/** [from, to] spans when the app was down or restarting; fuzz verdicts inside them are excused. */
const restarts = [];
let app;
let appInstances = 0;

async function startApp(healthy = false) {
  appInstances++;
  const proc = start(process.execPath, [APP, String(appPort), ...(healthy ? ['--healthy'] : [])], { logFile: join(dir, `app-${appInstances}.log`), cwd: ROOT });
  const deadline = Date.now() + 15_000;
  while ((await httpStatus(`http://127.0.0.1:${appPort}/api/nothing`)) === undefined) {
    if (Date.now() > deadline) throw new Error(`the app did not start: ${logTail(proc)}`);
    await sleep(25);
  }
  return proc;
}

async function restartApp(healthy = false) {
  const from = Date.now();
  killed.set(app.pid, from);
  await stop(app, 2000);
  await sleep(300); // a gap where nothing listens: Sightline sees connect failures
  app = await startApp(healthy);
  restarts.push([from, Date.now()]);
}

// ---- Sightline -------------------------------------------------------------------------------------

const proxyPort = await freePort();
const adminPort = await freePort();
const SETTINGS = {
  'defaultRoute.timeout': '2s', // a stalled app is answered 504 after 2 s
  'drain.delay': '2s',
  'drain.timeout': '10s',
};
let sightlines = 0;

async function startSightline() {
  sightlines++;
  const logFile = join(dir, `sightline-${sightlines}.log`);
  const args = [BIN, 'run', '--listen', `127.0.0.1:${proxyPort}`, '--admin', `127.0.0.1:${adminPort}`, '--upstream', `http://127.0.0.1:${appPort}`, ...Object.entries(SETTINGS).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const proc = start(process.execPath, args, { logFile, cwd: ROOT });
  await waitFor200(proc, `http://127.0.0.1:${adminPort}/readyz`, 20_000);
  return proc;
}

/** request_id → the access log line, from a Sightline log file. */
function accessLog(logFile) {
  const lines = new Map();
  let notJson = 0;
  for (const text of readFileSync(logFile, 'utf8').split('\n')) {
    if (text === '') continue;
    let line;
    try {
      line = JSON.parse(text);
    } catch {
      notJson++;
      continue;
    }
    if (line.msg === 'request' && typeof line.request_id === 'string') lines.set(line.request_id, line);
  }
  return { lines, notJson };
}

// ---- fuzzing at a low rate -------------------------------------------------------------------------

const fuzz = { requests: 0, connections: 0, failures: [], excused: 0, next: 0 };

async function fuzzLoop(port, until, total) {
  const span = until - Date.now();
  const from = Date.now();
  while (Date.now() < until) {
    // Keep to the pace: K requests spread over the phase.
    if (fuzz.requests > (total * (Date.now() - from)) / span) {
      await sleep(100);
      continue;
    }
    const plan = planConnection(opts.seed, fuzz.next++);
    const began = Date.now();
    const result = await runConnection(port, plan);
    fuzz.connections++;
    fuzz.requests += plan.requests.length;
    const verdict = judge(result, { appMayFail: true });
    if (verdict.problems.length === 0) continue;
    const ended = Date.now();
    // An app killed under the connection explains a cut answer; that is the app's failure, not Sightline's.
    if (restarts.some(([a, b]) => a <= ended + 500 && b >= began - 500) || killed.size > restarts.length) fuzz.excused++;
    else fuzz.failures.push(reproducer(plan, result, verdict));
  }
}

// ---- run -------------------------------------------------------------------------------------------

console.log(`soak: ${opts.minutes} min at ${opts.rate} requests/s, ${opts.fuzzRuns} fuzzed requests (seed ${opts.seed}); logs in ${dir}`);
console.log('soak: the app fails on purpose: 5% 503, 2% reset before answering, 1% reset mid-body, 5% slow (0.3-1.5 s), 1% stall; restarted every minute');
app = await startApp();
let sightline = await startSightline();
const pid = sightline.pid;
say(`app on :${appPort}, Sightline ${pid} on :${proxyPort} (admin :${adminPort})`);

const clients = createClients({ proxyUrl: `http://127.0.0.1:${proxyPort}`, runId, killedAt: (p) => killed.get(p) });

// Warm-up: 10 s of traffic, then quiet until idle connections have closed.
async function traffic(seconds, rate) {
  const until = Date.now() + seconds * 1000;
  let owed = 0;
  let last = Date.now();
  while (Date.now() < until) {
    const now = Date.now();
    owed += ((now - last) / 1000) * rate;
    last = now;
    for (; owed >= 1; owed--) clients.sendRandom();
    await sleep(10);
  }
}

async function settle(maxMs) {
  const deadline = Date.now() + maxMs;
  while (clients.inFlight() > 0 && Date.now() < deadline) await sleep(100);
}

await traffic(10, opts.rate);
await settle(35_000);
clients.close();
await sleep(6000);
const startFds = await steadyFds(pid);
const startRss = rssBytes(pid);
const warmUpRecords = clients.records.length;
say(`warmed up (${warmUpRecords} requests): Sightline RSS ${mib(startRss)}, ${startFds} open files`);

// Main phase.
const mainFrom = clients.records.length;
let peakFds = startFds;
const mainUntil = Date.now() + opts.minutes * 60_000;
const sampler = setInterval(() => {
  try {
    peakFds = Math.max(peakFds, openFds(pid));
  } catch {
    // gone: reported below
  }
}, 1000);
const appRestarter = setInterval(() => void restartApp().then(() => say(`app restarted (now ${app.pid})`)), 60_000);
const reporter = setInterval(() => {
  const t = tally(clients.records.slice(mainFrom));
  say(
    `sent ${t.sent} | answered ${t.answered} (2xx ${t.classes['2xx']}, 4xx ${t.classes['4xx']}, 5xx ${t.classes['5xx']}: app ${t.fromApp}, Sightline ${Object.values(t.fromSightline).reduce((a, b) => a + b, 0)}) | ` +
      `cut by the app ${t.cutByApp} | refused ${t.refused} | closed early ${t.closedEarly} | truncated ${t.truncated} | timeout ${t.timeout} | gave up ${t.gaveUp} | in flight ${clients.inFlight()} | ` +
      `fuzz ${fuzz.requests} req, ${fuzz.failures.length} failing | RSS ${mib(rssBytes(pid))}, ${openFds(pid)} fds`,
  );
}, 15_000);

const fuzzing = fuzzLoop(proxyPort, mainUntil, opts.fuzzRuns);
await traffic(opts.minutes * 60, opts.rate);
clearInterval(appRestarter);
clearInterval(reporter);
await fuzzing;
await settle(40_000);
clients.close();
say('traffic stopped; waiting for idle connections to close');
const idleDeadline = Date.now() + 30_000;
while (openFds(pid) > startFds && Date.now() < idleDeadline) await sleep(100);
await sleep(2000);
clearInterval(sampler);
const endFds = await steadyFds(pid);
const endRss = rssBytes(pid);
const peakRss = peakRssBytes(pid);
const aliveAfterMain = sightline.child.exitCode === null && sightline.child.signalCode === null;
const healthz = await httpStatus(`http://127.0.0.1:${adminPort}/healthz`);

// Classify the main phase: connections closed before any byte are settled by the access log.
const log1 = accessLog(join(dir, 'sightline-1.log'));
function settleClosedEarly(records, logs) {
  let clean = 0;
  let lost = 0;
  for (const r of records) {
    if (r.outcome !== 'closed-early') continue;
    if (logs.some((l) => l.has(r.id))) {
      r.outcome = 'lost-after-taken';
      lost++;
    } else clean++;
  }
  return { clean, lost };
}
const mainRecords = clients.records.slice(mainFrom);
const mainClosed = settleClosedEarly(mainRecords, [log1.lines]);
const main = tally(mainRecords);
const mainLost = main.truncated + main.timeout + main.pending + mainClosed.lost;
const answeredIds = mainRecords.filter((r) => r.outcome === 'answered').map((r) => r.id);
const unlogged = answeredIds.filter((id) => !log1.lines.has(id)).length;

// ---- graceful restart under load -------------------------------------------------------------------

await restartApp(true);
// The breaker opened in the last restart stays open a while (its open time doubles on each trip): wait
// until Sightline passes requests again, so that what follows measures the drain, not the breaker.
const breakerDeadline = Date.now() + 90_000;
while ((await httpStatus(`http://127.0.0.1:${proxyPort}/api/items/1`)) !== 200 && Date.now() < breakerDeadline) await sleep(250);
say('graceful restart: the app restarted healthy; 6 clients send without pause; SIGTERM in 2 s');
const restartFrom = clients.records.length;
let sending = true;
const KINDS = ['keepalive-get', 'keepalive-post', 'keepalive-get', 'keepalive-post', 'fresh-get', 'fresh-post'];
const loops = KINDS.map(async (kind) => {
  while (sending) {
    const record = await new Promise((resolve) => clients.send(kind, resolve));
    if (record.outcome === 'refused') await sleep(20); // nothing listening: try again shortly
  }
});
await sleep(2000);
const termAt = Date.now();
sightline.child.kill('SIGTERM');
const oldExit = await sightline.exited;
say(`old Sightline exited ${oldExit.signal ?? `with code ${oldExit.code}`} after ${((Date.now() - termAt) / 1000).toFixed(1)} s`);
sightline = await startSightline();
say(`new Sightline ${sightline.pid} ready ${((Date.now() - termAt) / 1000).toFixed(1)} s after the SIGTERM`);
await sleep(2000);
sending = false;
await Promise.all(loops);
await settle(15_000);
clients.close();
// The old Sightline's log, read again now that it has exited (the drain's requests are at its end).
const log1Final = accessLog(join(dir, 'sightline-1.log'));
await stop(sightline, 15_000);
const log2 = accessLog(join(dir, 'sightline-2.log'));
const restartRecords = clients.records.slice(restartFrom);
const restartClosed = settleClosedEarly(restartRecords, [log1Final.lines, log2.lines]);
const restart = tally(restartRecords);
const restartLost = restart.truncated + restart.timeout + restart.pending + restart.cutByApp + restartClosed.lost;
const afterTerm = restartRecords.filter((r) => r.startedAt >= termAt);
const answeredAfterTerm = afterTerm.filter((r) => r.outcome === 'answered');
const byOld = answeredAfterTerm.filter((r) => log1Final.lines.has(r.id)).length;
const byNew = answeredAfterTerm.filter((r) => log2.lines.has(r.id)).length;
const restartUnlogged = restartRecords.filter((r) => r.outcome === 'answered' && !log1Final.lines.has(r.id) && !log2.lines.has(r.id)).length;
await stop(app, 2000);

// ---- report ----------------------------------------------------------------------------------------

const checks = [];
const check = (ok, text) => checks.push(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
const reasons = (t) => Object.entries(t.fromSightline).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
console.log('');
console.log(`soak report (${opts.minutes} min at ${opts.rate}/s; logs in ${dir})`);
console.log(`  main phase: ${main.sent} requests sent (after ${warmUpRecords} in the warm-up), ${restarts.length - 1} app restarts`);
console.log(`    answered ${main.answered}: 2xx ${main.classes['2xx']}, 3xx ${main.classes['3xx']}, 4xx ${main.classes['4xx']}, 5xx ${main.classes['5xx']} (the app's own 503: ${main.fromApp}; Sightline's: ${reasons(main)})`);
console.log(`    failed by the app mid-body (connection cut, as documented): ${main.cutByApp}`);
console.log(`    clean connection errors: ${main.refused} refused, ${mainClosed.clean} closed before Sightline took the request (not in its access log)`);
console.log(`    clients that left on purpose: ${main.gaveUp}`);
console.log(`    lost: ${mainLost} (${main.truncated} truncated without an app failure, ${main.timeout} without an answer in 30 s, ${mainClosed.lost} closed after Sightline took them, ${main.pending} unsettled)`);
console.log(`    POST answers whose body size did not match what was sent: ${main.bodyMismatch}`);
console.log(`  fuzz: ${fuzz.requests} requests on ${fuzz.connections} connections (seed ${opts.seed}), ${fuzz.failures.length} failing, ${fuzz.excused} excused (an app restart under them)`);
for (const f of fuzz.failures.slice(0, 3)) console.log(f.replace(/^/gm, '    '));
console.log(`  Sightline ${pid}: RSS ${mib(startRss)} at start, ${mib(peakRss)} peak, ${mib(endRss)} at the end; open files ${startFds} at start, ${peakFds} peak, ${endFds} at the end`);
console.log(`  access log: ${log1.lines.size} lines, ${log1.notJson} not JSON; ${unlogged} answered requests missing from it`);
console.log(`  graceful restart: ${restart.sent} requests sent by 6 clients; SIGTERM at +2 s; old Sightline exit ${oldExit.code ?? oldExit.signal}`);
console.log(`    answered ${restart.answered} (${answeredAfterTerm.length} sent after the SIGTERM: ${byOld} by the draining Sightline, ${byNew} by the new one); 5xx ${restart.classes['5xx']} (${reasons(restart)})`);
console.log(`    refused before sending ${restart.refused}, closed before Sightline read them ${restartClosed.clean} (new connections the listener closed as it stopped; not in either access log); lost ${restartLost}`);
console.log('');
check(aliveAfterMain && healthz === 200, `Sightline alive and /healthz 200 after the main phase (${healthz})`);
check(mainLost === 0, `no request lost in the main phase (${mainLost})`);
check(main.bodyMismatch === 0, `every POST answer matched its body (${main.bodyMismatch} mismatches)`);
check(fuzz.failures.length === 0, `every fuzzed connection answered with well-formed HTTP (${fuzz.failures.length} failing)`);
check(endFds <= startFds, `open files back to baseline: ${endFds} at the end vs ${startFds} at start`);
const rssLimit = startRss + Math.max(32 * MiB, startRss * 0.25);
check(endRss <= rssLimit, `RSS back near baseline: ${mib(endRss)} at the end vs ${mib(startRss)} at start (limit ${mib(rssLimit)}: +25% or +32 MiB for the heap V8 keeps)`);
check(unlogged === 0 && log1.notJson === 0, `access log complete and all JSON (so that "closed before taken" can be trusted)`);
check(oldExit.code === 0, `old Sightline exited 0 after SIGTERM (${oldExit.code ?? oldExit.signal})`);
check(restartLost === 0, `graceful restart lost nothing (${restartLost})`);
check(restartUnlogged === 0, `every request answered around the restart is in the old or the new access log (${restartUnlogged} missing)`);
check(byNew > 0, `the new Sightline answered (${byNew})`);
for (const line of checks) console.log(line);
const failed = checks.filter((l) => l.startsWith('FAIL')).length;
console.log(failed === 0 ? 'soak: PASS' : `soak: FAIL (${failed} check${failed === 1 ? '' : 's'})`);
process.exit(failed === 0 ? 0 : 1);
