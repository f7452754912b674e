// `workers: N`: the real binary as a primary with worker processes, on loopback: the load spread over the
// workers and summed in /metrics, a killed worker replaced, and the drain of the whole process tree.

import { afterEach, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { Agent } from 'node:http';
import { startApp, type TestApp } from '../../support/apps.ts';
import { isAlive, runSightline, startSightline, type Sightline } from '../../support/sightline.ts';
import { delay, eventually, send, type Reply } from '../../support/http-client.ts';

interface WorkerView {
  readonly id: number;
  readonly pid: number;
  readonly listening: boolean;
  readonly requests: number | null;
  readonly inFlight: number | null;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});


async function app(): Promise<TestApp> {
  const a = await startApp();
  cleanups.push(() => a.close());
  return a;
}

const seenPids = new Set<number>();

/** Starts Sightline with workers and waits until it is ready; cleanup kills whatever processes of it are left. */
async function cluster(upstream: string, set: Record<string, string> = {}): Promise<Sightline> {
  const s = await startSightline({ upstream, set: { workers: '2', ...set } });
  cleanups.push(async () => {
    await s.stop();
    for (const pid of seenPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    seenPids.clear();
  });
  expect(await eventually(async () => (await send(`${s.adminUrl}/readyz`)).status === 200)).toBe(true);
  await workers(s);
  return s;
}

async function workers(s: Sightline): Promise<WorkerView[]> {
  const list = (await send(`${s.adminUrl}/debug/workers`)).json<{ workers: WorkerView[] }>().workers;
  for (const w of list) seenPids.add(w.pid);
  return list;
}

/** The sum of every sample of /metrics named exactly `name` (any labels). */
async function total(s: Sightline, name: string): Promise<number> {
  const text = (await send(`${s.adminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('workers: 2', () => {
  it('spreads connections over both workers and sums their metrics and traces on the admin port', async () => {
    const a = await app();
    const s = await cluster(a.url, { 'tracing.sampleRatio': '100%', 'tracing.keepTraces': '1000' });
    const pool = await workers(s);
    expect(pool).toHaveLength(2);
    expect(new Set(pool.map((w) => w.pid)).size).toBe(2);
    expect(pool.map((w) => w.pid)).not.toContain(s.child.pid);

    // 100 requests over 4 keep-alive connections, and 100 on connections of their own, 10 at a time.
    let ok = 0;
    const agents = Array.from({ length: 4 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    cleanups.push(async () => agents.forEach((agent) => agent.destroy()));
    await Promise.all(agents.map(async (agent, i) => {
      for (let n = 0; n < 25; n++) if ((await send(`${s.proxyUrl}/kept/${i}/${n}`, { agent })).status === 200) ok++;
    }));
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(Array.from({ length: 10 }, (_, n) => send(`${s.proxyUrl}/fresh/${batch}/${n}`)));
      ok += replies.filter((r) => r.status === 200).length;
    }
    expect(ok).toBe(200);

    expect(await total(s, 'http_server_request_duration_seconds_count')).toBe(200);
    const served = await workers(s);
    console.log(`workers: 2: requests served per worker ${served.map((w) => `${w.id}=${w.requests}`).join(', ')} (of 200)`);
    expect(served.every((w) => (w.requests ?? 0) > 0)).toBe(true);
    expect(served.reduce((sum, w) => sum + (w.requests ?? 0), 0)).toBe(200);

    // The primary's own series are there once, beside the workers' sums.
    expect(await total(s, 'sightline_build_info')).toBe(1);
    expect(await total(s, 'sightline_workers_listening')).toBe(2);
    expect(await total(s, 'sightline_worker_restarts_total')).toBe(0);
    const openMetrics = (await send(`${s.adminUrl}/metrics`, { headers: { accept: 'application/openmetrics-text' } })).text();
    expect(openMetrics).toMatch(/http_server_request_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}"\}/);
    expect(openMetrics.endsWith('# EOF\n')).toBe(true);

    // Every request was sampled: the merged /debug/traces holds all 200, from both workers, newest first.
    const traces = (await send(`${s.adminUrl}/debug/traces`)).json<{ traces: { startTime: string }[] }>().traces;
    expect(traces).toHaveLength(200);
    const starts = traces.map((t) => t.startTime);
    expect(starts).toEqual([...starts].sort().reverse());

    // Several processes share one stdout: every line arrived whole (the harness keeps unparsable text as a bare msg).
    expect(await eventually(() => s.logs.filter((l) => l.msg === 'request').length === 200, 2000)).toBe(true);
    expect(s.logs.filter((l) => typeof l.time !== 'string')).toEqual([]);
  });

  it('replaces a worker killed with SIGKILL, counts the restart, and keeps serving meanwhile', async () => {
    const a = await app();
    const s = await cluster(a.url);
    const [victim, survivor] = await workers(s);
    if (victim === undefined || survivor === undefined) throw new Error('expected two workers');

    process.kill(victim.pid, 'SIGKILL');
    const died = await s.waitForLog((l) => l.msg === 'worker died; replacing it');
    expect(died).toMatchObject({ level: 40, workerId: victim.id, workerPid: victim.pid, signal: 'SIGKILL', restartInMs: 0 });
    // Before the replacement is up, the survivor takes every new connection.
    const during = await Promise.all(Array.from({ length: 20 }, (_, i) => send(`${s.proxyUrl}/during/${i}`)));
    expect(during.map((r) => r.status)).toEqual(Array(20).fill(200));

    expect(await eventually(async () => (await total(s, 'sightline_worker_restarts_total')) === 1, 10_000, 100)).toBe(true);
    expect(await eventually(async () => (await send(`${s.adminUrl}/readyz`)).status === 200, 10_000, 100)).toBe(true);
    const now = await workers(s);
    expect(now).toHaveLength(2);
    expect(now.every((w) => w.listening)).toBe(true);
    expect(now.map((w) => w.pid)).toContain(survivor.pid);
    expect(now.map((w) => w.pid)).not.toContain(victim.pid);
    expect(isAlive(victim.pid)).toBe(false);
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => send(`${s.proxyUrl}/after/${i}`)));
    expect(after.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('drains on SIGTERM: in-flight requests finish, then every process exits, the primary with 0', async () => {
    const a = await app();
    const s = await cluster(a.url, { 'drain.delay': '300ms', 'drain.timeout': '5s' });
    const pids = (await workers(s)).map((w) => w.pid);
    // Slow requests, each on a connection of its own, until both workers have some in flight.
    const slow: Promise<Reply>[] = [];
    let busy: WorkerView[] = [];
    while (slow.length < 12 && !(busy.length === 2 && busy.every((w) => (w.inFlight ?? 0) > 0))) {
      slow.push(send(`${s.proxyUrl}/slow?ms=1500`), send(`${s.proxyUrl}/slow?ms=1500`));
      await delay(50);
      busy = await workers(s);
    }
    console.log(`drain: in flight per worker at SIGTERM ${busy.map((w) => `${w.id}=${w.inFlight}`).join(', ')}`);
    expect(busy.every((w) => (w.inFlight ?? 0) > 0)).toBe(true);
    expect(await total(s, 'http_server_active_requests')).toBe(slow.length);
    s.child.kill('SIGTERM');
    expect(await eventually(async () => (await send(`${s.adminUrl}/readyz`)).status === 503, 500, 20)).toBe(true);
    // During drain.delay new requests are still served, asking the client to close.
    const late = await send(`${s.proxyUrl}/still-served`);
    expect(late.status).toBe(200);
    expect(late.headers.connection).toBe('close');
    await delay(450);
    await expect(send(`${s.proxyUrl}/too-late`)).rejects.toThrow(/ECONNREFUSED/);

    const replies = await Promise.all(slow);
    expect(replies.map((r) => r.status)).toEqual(Array(slow.length).fill(200));
    expect(replies.map((r) => r.text())).toEqual(Array(slow.length).fill('slow 1500'));
    expect(replies.every((r) => r.headers.connection === 'close')).toBe(true);
    const { code } = await s.exited;
    expect(code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    const drained = s.logs.filter((l) => l.msg === 'worker drained, exiting');
    expect(drained.map((l) => l.outcome)).toEqual(['drained', 'drained']);
    expect(drained.every((l) => typeof l.worker === 'number')).toBe(true);
    await s.waitForLog((l) => l.msg === 'drained, exiting' && l.outcome === 'drained');
  });

  it('drains on POST /shutdown too, and exits at once, with 1 and no worker left, on a signal after it', async () => {
    const a = await app();
    const s = await cluster(a.url, { 'drain.delay': '30s' });
    const pids = (await workers(s)).map((w) => w.pid);
    const reply = await send(`${s.adminUrl}/shutdown`, { method: 'POST' });
    expect(reply.json()).toMatchObject({ status: 'draining', started: true });
    expect((await send(`${s.adminUrl}/readyz`)).json()).toMatchObject({ reason: 'draining' });
    expect((await send(`${s.proxyUrl}/still-served`)).headers.connection).toBe('close');
    const secondAt = Date.now();
    s.child.kill('SIGINT');
    const { code } = await s.exited;
    expect(Date.now() - secondAt).toBeLessThan(2500);
    expect(code).toBe(1);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('leaves no worker behind when the primary is killed with SIGKILL', async () => {
    const a = await app();
    const s = await cluster(a.url);
    const pids = (await workers(s)).map((w) => w.pid);
    s.child.kill('SIGKILL');
    await s.exited;
    expect(await eventually(() => pids.filter(isAlive).length === 0, 5000, 50)).toBe(true);
  });
});

describe('workers setting', () => {
  it('stops with exit code 1 when the workers cannot listen at startup', async () => {
    const taken = await app();
    const { code, stderr, stdout } = await runSightline(['run', '--workers', '2', '--listen', `127.0.0.1:${taken.port}`, '--admin', '127.0.0.1:0', '--upstream', taken.url]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^sightline: .*EADDRINUSE/);
    expect(stdout).toContain('"msg":"worker could not start"');
  });

  it('runs one worker per available CPU with auto', async () => {
    const a = await app();
    const s = await startSightline({ upstream: a.url, set: { workers: 'auto' } });
    cleanups.push(() => s.stop());
    const listening = await s.waitForLog((l) => l.msg === 'sightline listening');
    const cpus = availableParallelism();
    if (cpus === 1) expect(listening.workers).toBeUndefined(); // one process, as with workers: 1
    else {
      expect(listening.workers).toHaveLength(cpus);
      for (const w of listening.workers as { pid: number }[]) seenPids.add(w.pid);
      cleanups.push(async () => {
        for (const pid of seenPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      });
    }
  });

  it('runs a single process, without /debug/workers, with workers: 1', async () => {
    const a = await app();
    const s = await startSightline({ upstream: a.url });
    cleanups.push(() => s.stop());
    expect((await send(`${s.proxyUrl}/one`)).status).toBe(200);
    expect((await send(`${s.adminUrl}/debug/workers`)).status).toBe(404);
    expect((await send(`${s.adminUrl}/metrics`)).text()).not.toContain('sightline_worker_restarts_total');
  });

  it.each([
    [['--workers', '0'], {}, 'flag --workers: workers: must be at least 1 (or auto: one per CPU)'],
    [['--set', 'workers=-1'], {}, 'flag --set workers: workers: must be at least 1 (or auto: one per CPU)'],
    [[], { SIGHTLINE_WORKERS: 'many' }, 'env SIGHTLINE_WORKERS: workers: "many" is not a whole number or auto'],
  ])('refuses %j %j with an error naming the key', async (args, env, message) => {
    const { code, stderr } = await runSightline(['run', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...args], env);
    expect(code).toBe(1);
    expect(stderr).toBe(`sightline: invalid configuration (1 error):\n  ${message}\n`);
  });
});
