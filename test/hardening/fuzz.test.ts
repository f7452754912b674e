// Byte-level fuzzing of the proxy port: a real Sightline (child process) in front of the real test app,
// and raw TCP connections (node:net) writing valid, mutated and garbage requests, several per
// connection, pipelined or one after another, whole or in pieces. Every connection's answer must parse
// as well-formed HTTP/1.1 responses (test/support/fuzz/response-parser.ts, the oracle) or be a close
// without a byte; Sightline's own error answers carry x-sightline-reason; valid requests get their own
// answer, in order. Afterwards: the app only ever saw requests a client sent whole, and Sightline is
// alive, healthy, still proxying, back to its file descriptors and within its memory.
//
// SIGHTLINE_FUZZ_SEED (default below) and SIGHTLINE_FUZZ_RUNS (requests, default 10,000) change the run;
// SIGHTLINE_FUZZ_ONLY=N replays connection N of the seed alone (a failure prints the line to use).
// Known departures, each pinned by a test in fuzz-findings.test.ts, are counted and printed,
// not failed: see the *_GAP constants in test/support/fuzz/verdict.ts.

import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/apps.ts';
import { describeSummary, fuzz, type FuzzSummary } from '../support/fuzz/fuzz-run.ts';
import { guardApp, type GuardedApp } from '../support/fuzz/guarded-app.ts';
import { METHODS } from '../support/fuzz/request-generator.ts';
import { delay, eventually, send } from '../support/http-client.ts';
import { startSightline, type Sightline } from '../support/sightline.ts';

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number.parseInt(v, 10);
}

const SEED = envInt('SIGHTLINE_FUZZ_SEED', 20261126);
const RUNS = envInt('SIGHTLINE_FUZZ_RUNS', 10_000);
const CONCURRENCY = envInt('SIGHTLINE_FUZZ_CONCURRENCY', 24);
const ONLY = process.env.SIGHTLINE_FUZZ_ONLY === undefined ? undefined : envInt('SIGHTLINE_FUZZ_ONLY', 0);
const MiB = 1024 * 1024;

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

describe(`fuzzing the proxy port (seed ${SEED}, ${ONLY === undefined ? `${RUNS} requests` : `connection ${ONLY} only`})`, () => {
  let app: TestApp;
  let guard: GuardedApp;
  let sightline: Sightline;
  let summary: FuzzSummary;
  /** What each connection wrote, by index: the source of every request the app may see. */
  const sent = new Map<number, Buffer>();
  let baseline: { fds: number; rss: number };

  beforeAll(async () => {
    app = await startApp();
    guard = guardApp(app);
    // Idle sockets to the app close after 1s instead of 4s, so the file descriptor count settles sooner.
    sightline = await startSightline({ upstream: app.url, set: { 'upstream.keepAliveTimeout': '1s' } });
    // Warm-up: the code paths loaded, a connection to the app made and let go.
    for (let i = 0; i < 20; i++) expect((await send(`${sightline.proxyUrl}/warm-up/${i}`, { method: i % 2 === 0 ? 'GET' : 'POST', body: i % 2 === 0 ? undefined : 'x'.repeat(i * 100) })).status).toBe(200);
    await delay(1500);
    guard.received.length = 0;
    const pid = sightline.child.pid as number;
    // The fewest over a second: the app's health check opens a socket for a moment every 2 s.
    let fds = Infinity;
    for (let i = 0; i < 10; i++, await delay(100)) fds = Math.min(fds, openFds(pid));
    baseline = { fds, rss: sightline.rss() };
  }, 60_000);

  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  it('answers every connection with well-formed HTTP/1.1 responses, or closes it without a byte', async () => {
    summary = await fuzz(sightline.proxyPort, {
      seed: SEED,
      requests: RUNS,
      concurrency: CONCURRENCY,
      only: ONLY,
      onConnection: (r) => sent.set(r.plan.index, r.sent),
    });
    const total = summary.requests.valid + summary.requests.mutated + summary.requests.garbage;
    console.log(`fuzz: ${describeSummary(summary)}`);
    const known = Object.entries(summary.known).map(([k, v]) => `${v}× ${k}`);
    if (known.length > 0) console.log(`fuzz: known gaps (pinned in fuzz-findings.test.ts): ${known.join('; ')}`);
    if (ONLY === undefined) expect(total).toBeGreaterThanOrEqual(RUNS);
    expect(summary.failures.slice(0, 5).join('\n\n'), `${summary.failures.length} failing connection(s); the first ones`).toBe('');
  }, 240_000);

  it('passed the app only requests that a client wrote whole, and answered them before refusing what followed', () => {
    expect(summary, 'the fuzzing run above did not finish').toBeDefined();
    let all: Buffer | undefined;
    // The request line as written, then the end of a head (an empty line) somewhere after it.
    const wroteWhole = (bytes: Buffer, lines: readonly string[]): boolean =>
      lines.some((line) => {
        const at = bytes.indexOf(line, 0, 'latin1');
        return at >= 0 && (bytes.indexOf('\n\r\n', at, 'latin1') >= 0 || bytes.indexOf('\n\n', at, 'latin1') >= 0);
      });
    const strangers: string[] = [];
    let preempted = 0;
    for (const r of guard.received) {
      // The request line as written: a method token, the target as sent (the app reads it as latin1),
      // then a version, or nothing: Node's parser takes `GET /path` and a line end (CRLF or a bare LF)
      // for an HTTP/0.9 request line, and reads headers after it.
      const line = [`${r.method} ${r.url} HTTP/`, `${r.method} ${r.url}\r`, `${r.method} ${r.url}\n`];
      const index = /^c(\d+)$/.exec(r.tag ?? '')?.[1];
      const own = index === undefined ? undefined : sent.get(Number(index));
      const onItsConnection = own !== undefined && wroteWhole(own, line);
      let found = onItsConnection;
      if (!found) {
        all ??= Buffer.concat([...sent.values()]);
        found = wroteWhole(all, line);
      }
      if (!found || !r.url.startsWith('/') || !/^[A-Z-]+$/.test(r.method)) strangers.push(`${r.method} ${JSON.stringify(r.url.slice(0, 100))} (tag ${r.tag})`);
      // (A mutation can turn one connection's tag into another's: only a request that connection wrote counts.)
      if (onItsConnection && r.completed && summary.refusedFirst.has(Number(index))) preempted++;
    }
    const alphabet = guard.received.filter((r) => (METHODS as readonly string[]).includes(r.method)).length;
    console.log(
      `fuzz: the app received ${guard.received.length} requests (${alphabet} with a method of the generator's alphabet, ` +
        `${guard.received.length - alphabet} with another one the parser knows, from mutations); ${guard.guarded} answered by the test's guard; ` +
        `${preempted} whole requests whose connection got a refusal of a later pipelined request in place of their answer`,
    );
    if (ONLY === undefined) expect(guard.received.length).toBeGreaterThan(0);
    expect(strangers.slice(0, 10)).toEqual([]);
    // A request the app processed whole must get its answer before any refusal of what followed it.
    expect(preempted).toBe(0);
  });

  it('is still alive, healthy and proxying, and logged every line as JSON', async () => {
    expect(summary, 'the fuzzing run above did not finish').toBeDefined();
    expect(sightline.child.exitCode).toBeNull();
    expect(sightline.child.signalCode).toBeNull();
    expect((await send(`${sightline.adminUrl}/healthz`)).status).toBe(200);
    const reply = await send(`${sightline.proxyUrl}/after-the-fuzz?x=1`, { method: 'POST', body: 'still here', headers: { 'content-type': 'text/plain' } });
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ method: 'POST', url: '/after-the-fuzz?x=1', bodyBytes: 10 });
    // A line that is not JSON (the support parser keeps it as {msg}) or an error-level line is a defect.
    const notJson = sightline.logs.filter((l) => typeof l.time !== 'string');
    const errors = sightline.logs.filter((l) => typeof l.level === 'number' && l.level >= 50);
    console.log(`fuzz: Sightline wrote ${sightline.logs.length} log lines (${sightline.logs.filter((l) => l.msg === 'request').length} access log lines)`);
    expect(notJson.slice(0, 3)).toEqual([]);
    expect(errors.slice(0, 3)).toEqual([]);
  });

  it('returns to its baseline of file descriptors once the clients are gone, within bounded memory', async () => {
    expect(summary, 'the fuzzing run above did not finish').toBeDefined();
    const pid = sightline.child.pid as number;
    const peak = sightline.peakRss();
    // Every client socket is closed; the sockets to the app close after 1s idle. Two descriptors of
    // slack: a WebSocket upgrade pipelined behind a large body still leaks its sockets (pinned in
    // fuzz-findings.test.ts), and one run of the whole suite ended one above the baseline. Any leak
    // per request or per connection crosses this at once.
    const settled = await eventually(() => openFds(pid) <= baseline.fds + 2, 15_000, 100);
    const fds = openFds(pid);
    const rss = sightline.rss();
    console.log(
      `fuzz: Sightline's open files ${baseline.fds} before, ${fds} after; RSS ${(baseline.rss / MiB).toFixed(0)} MiB before, ` +
        `peak ${(peak / MiB).toFixed(0)} MiB, ${(rss / MiB).toFixed(0)} MiB after; the app has ${app.openSockets()} sockets open`,
    );
    expect(settled, `open file descriptors: ${fds}, baseline ${baseline.fds}`).toBe(true);
    expect(await eventually(() => app.openSockets() <= 1, 5000, 100)).toBe(true);
    // Generous bounds (measured here: 45-50 MiB over the baseline at the peak, and still at the end, V8
    // keeping its heap): a leak of a few KiB per request, or bodies held whole, would cross them.
    expect(peak - baseline.rss).toBeLessThan(160 * MiB);
    expect(rss - baseline.rss).toBeLessThan(110 * MiB);
  }, 30_000);
});
