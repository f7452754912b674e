// Config reload, end to end: SIGHUP and POST /reload under continuous traffic lose nothing and route new
// requests by the new config; a config that is invalid, or changes what needs a restart, is refused with
// its key and line while the running one stays; breakers keep their state; a watched file reloads itself;
// with workers, every worker takes the new config.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/apps.ts';
import { delay, eventually, send } from '../support/http-client.ts';
import { startSightline, type Sightline } from '../support/sightline.ts';

let app: TestApp;
let dir: string;
let sightline: Sightline | undefined;

beforeAll(async () => {
  app = await startApp();
  dir = mkdtempSync(join(tmpdir(), 'sightline-reload-'));
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await sightline?.stop();
  sightline = undefined;
});

/** Writes the config file (the same path every time, as a ConfigMap mount would). */
function writeConfig(name: string, lines: readonly string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const ordersOnly = ['routes:', '  - name: orders', '    match: { path: /orders/* }'];
const ordersAndItems = [...ordersOnly, '  - name: items', '    match: { path: /items/* }', '    timeout: 3s'];

async function start(file: string, args: readonly string[] = []): Promise<Sightline> {
  sightline = await startSightline({ upstream: app.url, args: ['--config', file, ...args], set: { 'drain.delay': '0s' } });
  return sightline;
}

async function reloadByPost(s: Sightline): Promise<{ status: number; body: { status: string; errors?: string[] } }> {
  const reply = await send(`${s.adminUrl}/reload`, { method: 'POST' });
  return { status: reply.status, body: reply.json() };
}

/** The route the access log gave the last request to `path`. */
async function routeOf(s: Sightline, path: string): Promise<unknown> {
  const line = await s.waitForLog((l) => l.msg === 'request' && l['url.path'] === path);
  return line['http.route'];
}

function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('config reload', () => {
  it('applies new routes on POST /reload and SIGHUP while clients send without pause: no request lost', async () => {
    const file = writeConfig('load.yaml', ordersOnly);
    const s = await start(file);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const statuses = new Map<number, number>();
    let sending = true;
    const client = async (n: number): Promise<void> => {
      for (let i = 0; sending; i++) {
        const reply = await send(`${s.proxyUrl}/${i % 2 === 0 ? 'orders' : 'items'}/${n}-${i}`, { agent });
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    try {
      for (let round = 0; round < 6; round++) {
        await delay(150);
        writeConfig('load.yaml', round % 2 === 0 ? ordersAndItems : ordersOnly);
        if (round % 3 === 2) {
          s.child.kill('SIGHUP');
          await s.waitForLog((l) => l.msg === 'config reloaded' && l.trigger === 'SIGHUP');
        } else {
          expect((await reloadByPost(s)).status).toBe(200);
        }
      }
      await delay(150);
    } finally {
      sending = false;
      await Promise.all(clients);
      agent.destroy();
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(`reload under load: ${total} requests over 6 reloads, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(total).toBeGreaterThan(100);
    expect(Object.fromEntries(statuses)).toEqual({ 200: total });
    // The last config (round 5: ordersOnly) routes /items/ to the default route again; one before it had an items route.
    await send(`${s.proxyUrl}/items/after`);
    expect(await routeOf(s, '/items/after')).toBe('default');
    writeConfig('load.yaml', ordersAndItems);
    expect((await reloadByPost(s)).status).toBe(200);
    await send(`${s.proxyUrl}/items/later`);
    expect(await routeOf(s, '/items/later')).toBe('items');
    const metrics = (await send(`${s.adminUrl}/metrics`)).text();
    expect(metric(metrics, 'sightline_config_reloads_total{result="success"}')).toBe(7);
    expect(metric(metrics, 'sightline_config_last_reload_successful')).toBe(1);
  }, 30_000);

  it('lets a request in flight finish under the policy it started with; the next one gets the new one', async () => {
    const slow = (timeout: string) => ['routes:', '  - name: slow', '    match: { path: /slow }', `    timeout: ${timeout}`];
    const file = writeConfig('inflight.yaml', slow('5s'));
    const s = await start(file);
    const started = send(`${s.proxyUrl}/slow?ms=700`);
    await delay(150);
    writeConfig('inflight.yaml', slow('200ms'));
    expect((await reloadByPost(s)).status).toBe(200);
    const next = await send(`${s.proxyUrl}/slow?ms=700`);
    expect(next.status).toBe(504);
    expect(next.headers['x-sightline-reason']).toBe('upstream_timeout');
    expect((await started).status).toBe(200);
  });

  it('refuses an invalid config, naming the key and line, and keeps serving with the running one', async () => {
    const file = writeConfig('invalid.yaml', ordersAndItems);
    const s = await start(file);
    writeConfig('invalid.yaml', [...ordersOnly, '    timeout: banana']);
    const refused = await reloadByPost(s);
    expect(refused.status).toBe(422);
    expect(refused.body.status).toBe('refused');
    expect(refused.body.errors).toEqual([`${file}:4:5: routes[0].timeout: "banana" is not a duration: write e.g. 250ms, 5s, 1m or 1m30s`]);
    const logged = await s.waitForLog((l) => l.msg === 'config reload refused: the running config stays');
    expect(logged.errors).toEqual(refused.body.errors);
    // Still the old table: items is a route of its own.
    await send(`${s.proxyUrl}/items/1`);
    expect(await routeOf(s, '/items/1')).toBe('items');
    const metrics = (await send(`${s.adminUrl}/metrics`)).text();
    expect(metric(metrics, 'sightline_config_reloads_total{result="failure"}')).toBe(1);
    expect(metric(metrics, 'sightline_config_last_reload_successful')).toBe(0);
  });

  it('refuses a change that needs a restart, by name, and applies none of the file', async () => {
    const file = writeConfig('fixed.yaml', ordersOnly);
    const s = await start(file);
    writeConfig('fixed.yaml', ['upstream:', '  connections: 3', ...ordersAndItems]);
    const refused = await reloadByPost(s);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([`${file}:2:3: upstream.connections: cannot change on reload (the connection pool to the app is built at start): restart Sightline to change it`]);
    await send(`${s.proxyUrl}/items/2`);
    expect(await routeOf(s, '/items/2')).toBe('default');
  });

  it('keeps an open circuit breaker open across a reload that changes its route', async () => {
    const flaky = ['routes:', '  - name: flaky', '    match: { path: /status }', '    retry: { attempts: 1 }', '    circuitBreaker: { consecutiveFailures: 2, openFor: 1m }'];
    const file = writeConfig('breaker.yaml', flaky);
    const s = await start(file);
    for (let i = 0; i < 2; i++) expect((await send(`${s.proxyUrl}/status?code=503`)).status).toBe(503);
    const open = await send(`${s.proxyUrl}/status?code=200`);
    expect(open.headers['x-sightline-reason']).toBe('circuit_open');
    writeConfig('breaker.yaml', [...flaky, '    timeout: 2s']);
    expect((await reloadByPost(s)).status).toBe(200);
    const stillOpen = await send(`${s.proxyUrl}/status?code=200`);
    expect(stillOpen.status).toBe(503);
    expect(stillOpen.headers['x-sightline-reason']).toBe('circuit_open');
  });

  it('reloads by itself when the file changes, with reload.watch', async () => {
    const file = writeConfig('watched.yaml', ['reload: { watch: true }', ...ordersOnly]);
    const s = await start(file);
    await delay(100);
    writeConfig('watched.yaml', ['reload: { watch: true }', ...ordersAndItems]);
    await s.waitForLog((l) => l.msg === 'config reloaded' && l.trigger === 'config file changed', 10_000);
    await send(`${s.proxyUrl}/items/3`);
    expect(await routeOf(s, '/items/3')).toBe('items');
  }, 20_000);

  const external = Object.values(networkInterfaces()).flat().find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;
  it.skipIf(external === undefined)('answers POST /reload from loopback callers only', async () => {
    const file = writeConfig('remote.yaml', ordersOnly);
    const s = await start(file, ['--admin', '0.0.0.0:0']);
    const port = new URL(s.adminUrl).port;
    const remote = await send(`http://${external as string}:${port}/reload`, { method: 'POST' });
    expect(remote.status).toBe(403);
    expect(s.logs.some((l) => l.msg === 'config reloaded')).toBe(false);
  });
});

describe('config reload with workers', () => {
  it('has every worker route with the new config', async () => {
    const file = writeConfig('workers.yaml', ordersOnly);
    const s = await start(file, ['--workers', '2']);
    writeConfig('workers.yaml', ordersAndItems);
    expect((await reloadByPost(s)).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await send(`${s.proxyUrl}/items/${i}`)).status).toBe(200);
    const counted = await eventually(async () => {
      const text = (await send(`${s.adminUrl}/metrics`)).text();
      const items = text.split('\n').filter((l) => l.startsWith('http_server_request_duration_seconds_count{') && l.includes('http_route="items"'));
      return items.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0) === 20;
    }, 5000, 100);
    expect(counted).toBe(true);
    // SIGHUP reaches the primary, which relays the reload; a worker that took the signal itself would die of it.
    s.child.kill('SIGHUP');
    await s.waitForLog((l) => l.msg === 'config reloaded' && l.trigger === 'SIGHUP');
    const workers = (await send(`${s.adminUrl}/debug/workers`)).json() as { workers: { listening: boolean }[] };
    expect(workers.workers.map((w) => w.listening)).toEqual([true, true]);
  }, 30_000);
});
