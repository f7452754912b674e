// /debug/stats with `--workers 2`: the primary asks both workers for their counts over IPC and adds
// them up, so the answer counts every request exactly once, whichever worker served it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsView } from '../../../src/core/stats/stats-view.ts';
import { startApp, type TestApp } from '../../support/apps.ts';
import { eventually, send } from '../../support/http-client.ts';
import { startSightline, type Sightline } from '../../support/sightline.ts';

let app: TestApp;
let sightline: Sightline;

beforeAll(async () => {
  app = await startApp();
  sightline = await startSightline({
    upstream: app.url,
    args: ['--workers', '2'],
    set: { 'tracing.sampleRatio': '100%', 'accessLog.enabled': 'false', 'defaultRoute.circuitBreaker.consecutiveFailures': '0', 'defaultRoute.circuitBreaker.failureRate': '0' },
  });
  expect(await eventually(async () => (await send(`${sightline.adminUrl}/readyz`)).status === 200, 10_000)).toBe(true);
}, 30_000);

afterAll(async () => {
  await sightline?.stop();
  await app?.close();
});

describe('/debug/stats with two workers', () => {
  it('sums both workers\' requests and errors exactly, and merges their failed requests', async () => {
    // Every request on a new connection, so the kernel spreads them over both workers' sockets.
    for (let i = 0; i < 40; i++) expect((await send(`${sightline.proxyUrl}/items/${i}`)).status).toBe(200);
    app.always = { status: 500 };
    for (let i = 0; i < 10; i++) expect((await send(`${sightline.proxyUrl}/broken/${i}`)).status).toBe(500);

    const workers = (await send(`${sightline.adminUrl}/debug/workers`)).json<{ workers: { id: number; requests: number }[] }>().workers;
    expect(workers).toHaveLength(2);
    expect(workers.every((w) => w.requests > 0)).toBe(true); // both served some: the sum below adds two parts
    expect(workers.reduce((n, w) => n + w.requests, 0)).toBe(50);

    const view = (await send(`${sightline.adminUrl}/debug/stats`)).json<StatsView>();
    expect(view.processes).toBe(2);
    const route = view.routes.find((r) => r.name === 'default');
    expect(route?.totals).toMatchObject({ requests: 50, errors: 10, errorRatio: 0.2 });
    expect(route?.series.requests.reduce((a, b) => a + b, 0)).toBe(50);
    expect(route?.totals.p99Ms).toBeGreaterThan(0);
    expect(view.failed).toHaveLength(10);
    expect(new Set(view.failed.map((f) => f.path))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `/broken/${i}`)));
    const ids = new Set(workers.map((w) => w.id));
    for (const f of view.failed) expect(ids.has(f.worker as number)).toBe(true);
    expect(view.failed.map((f) => f.at)).toEqual([...view.failed.map((f) => f.at)].sort().reverse());
    expect(view.upstream?.healthy).toBe(true);
  });
});
