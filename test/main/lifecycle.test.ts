// Startup, readiness and graceful drain of the real process, as Kubernetes drives it.

import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import { startApp, unusedPort, type TestApp } from '../support/apps.ts';
import { startSightline, type Sightline } from '../support/sightline.ts';
import { delay, eventually, send } from '../support/http-client.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function app(port?: number): Promise<TestApp> {
  const a = await startApp(port);
  cleanups.push(() => a.close());
  return a;
}

async function sightline(upstream: string, set: Record<string, string>): Promise<Sightline> {
  const s = await startSightline({ upstream, set });
  cleanups.push(() => s.stop());
  return s;
}

describe('startup', () => {
  it('keeps /readyz at 503 and answers 502 while the app is down, then turns ready when it comes up', async () => {
    const port = await unusedPort();
    const s = await sightline(`http://127.0.0.1:${port}`, { 'drain.delay': '0' });

    const notReady = await send(`${s.adminUrl}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.json()).toMatchObject({ status: 'not_ready', reason: 'app_unhealthy' });

    const refused = await send(`${s.proxyUrl}/anything`);
    expect(refused.status).toBe(502);
    expect(refused.headers['x-sightline-reason']).toBe('upstream_connect_failure');
    expect(refused.json()).toMatchObject({ error: 'upstream_connect_failure' });
    expect((await send(`${s.adminUrl}/healthz`)).status).toBe(200);

    await delay(500);
    expect(s.child.exitCode).toBeNull();
    expect((await send(`${s.adminUrl}/readyz`)).status).toBe(503);

    await app(port);
    const startedAt = Date.now();
    expect(await eventually(async () => (await send(`${s.adminUrl}/readyz`)).status === 200, 5000)).toBe(true);
    // Startup probing is fast: readiness follows the app within a fraction of the 2s interval.
    expect(Date.now() - startedAt).toBeLessThan(1500);
    expect((await send(`${s.proxyUrl}/anything`)).status).toBe(200);
  });

  it('reports an unhealthy app after the failure threshold when the health check is HTTP', async () => {
    const a = await app();
    const s = await sightline(a.url, { 'health.type': 'http', 'health.path': '/status?code=200', 'health.interval': '100ms', 'health.timeout': '100ms', 'health.unhealthyThreshold': '2' });
    expect(await eventually(async () => (await send(`${s.adminUrl}/readyz`)).status === 200)).toBe(true);
    await a.close();
    expect(await eventually(async () => (await send(`${s.adminUrl}/readyz`)).status === 503, 3000)).toBe(true);
    await s.waitForLog((l) => l.msg === 'app is unhealthy');
  });
});

describe('graceful drain', () => {
  it('loses no request across SIGTERM during a rolling restart', async () => {
    const a = await app();
    const s = await sightline(a.url, { 'drain.delay': '1s', 'drain.timeout': '5s' });
    expect(await eventually(async () => (await send(`${s.adminUrl}/readyz`)).status === 200)).toBe(true);

    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    cleanups.push(async () => agent.destroy());
    const failures: string[] = [];
    let completed = 0;
    let completedAfterSignal = 0;
    let signalled = false;
    let routed = true; // what the Service does: route here until readiness has failed for a while

    const one = (path: string): Promise<void> =>
      new Promise((resolve) => {
        const req = request(`${s.proxyUrl}${path}`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) {
              completed++;
              if (signalled) completedAfterSignal++;
            } else failures.push(`${path}: HTTP ${res.statusCode}`);
            resolve();
          });
          res.on('error', (err) => {
            failures.push(`${path}: ${err.message}`);
            resolve();
          });
        });
        req.on('error', (err) => {
          failures.push(`${path}: ${err.message}`);
          resolve();
        });
        req.end();
      });

    const worker = async (id: number): Promise<void> => {
      for (let i = 0; routed; i++) await one(i % 5 === 0 ? `/slow?ms=${id % 2 === 0 ? 800 : 150}` : `/fast/${id}/${i}`);
    };
    const workers = Array.from({ length: 8 }, (_, i) => worker(i));

    await delay(300);
    s.child.kill('SIGTERM');
    signalled = true;
    const signalAt = Date.now();
    expect(await eventually(async () => (await send(`${s.adminUrl}/readyz`)).status === 503, 500)).toBe(true);
    await delay(600); // endpoints propagate; traffic keeps arriving during drain.delay
    routed = false;
    await Promise.all(workers);
    const { code } = await s.exited;

    console.log(`rolling restart: ${completed} requests completed (${completedAfterSignal} after SIGTERM), ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(completed).toBeGreaterThan(50);
    expect(completedAfterSignal).toBeGreaterThan(10);
    expect(code).toBe(0);
    expect(Date.now() - signalAt).toBeGreaterThanOrEqual(1000);
    await s.waitForLog((l) => l.msg === 'drained, exiting' && l.outcome === 'drained');
  });

  it('stops accepting after drain.delay while in-flight requests finish with Connection: close', async () => {
    const a = await app();
    const s = await sightline(a.url, { 'drain.delay': '200ms', 'drain.timeout': '5s' });
    const slow = send(`${s.proxyUrl}/slow?ms=1000`);
    await delay(100);
    s.child.kill('SIGTERM');
    await delay(400);
    await expect(send(`${s.proxyUrl}/too-late`)).rejects.toThrow(/ECONNREFUSED/);
    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(reply.text()).toBe('slow 1000');
    expect(reply.headers.connection).toBe('close');
    expect((await s.exited).code).toBe(0);
  });

  it('cuts what is left after drain.timeout and still exits 0', async () => {
    const a = await app();
    const s = await sightline(a.url, { 'drain.delay': '0', 'drain.timeout': '300ms' });
    const stalled = send(`${s.proxyUrl}/stall`).then(() => 'answered', (err: Error) => err.message);
    await delay(100);
    const signalAt = Date.now();
    s.child.kill('SIGTERM');
    const { code } = await s.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalAt).toBeLessThan(3000);
    expect(await stalled).toMatch(/socket hang up|ECONNRESET/);
    await s.waitForLog((l) => l.msg === 'drained, exiting' && l.outcome === 'timed_out');
  });

  it('exits at once on a second signal', async () => {
    const a = await app();
    const s = await sightline(a.url, { 'drain.delay': '30s' });
    s.child.kill('SIGTERM');
    await s.waitForLog((l) => l.msg === 'draining: readiness now fails');
    const secondAt = Date.now();
    s.child.kill('SIGINT');
    const { code } = await s.exited;
    expect(Date.now() - secondAt).toBeLessThan(2000);
    expect(code).toBe(1);
  });

  it('drains on POST /shutdown from loopback', async () => {
    const a = await app();
    const s = await sightline(a.url, { 'drain.delay': '300ms' });
    const reply = await send(`${s.adminUrl}/shutdown`, { method: 'POST' });
    expect(reply.status).toBe(202);
    expect(reply.json()).toMatchObject({ status: 'draining', started: true });
    expect((await send(`${s.adminUrl}/readyz`)).json()).toMatchObject({ reason: 'draining' });
    expect((await send(`${s.proxyUrl}/still-served`)).status).toBe(200);
    expect((await s.exited).code).toBe(0);
  });
});
