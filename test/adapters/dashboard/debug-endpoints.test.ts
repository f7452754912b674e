// /debug/stats, /debug/config and the dashboard's files on a running Sightline's admin port: known
// traffic in, exact counts out; secrets in the config file, none in the answer.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src/adapters/dashboard/dashboard-assets.ts';
import { DASHBOARD_SCRIPT } from '../../../src/adapters/dashboard/dashboard-script.ts';
import { DASHBOARD_STYLE } from '../../../src/adapters/dashboard/dashboard-style.ts';
import type { StatsView } from '../../../src/core/stats/stats-view.ts';
import { startApp, type TestApp } from '../../support/apps.ts';
import { eventually, send } from '../../support/http-client.ts';
import { startSightline, type Sightline } from '../../support/sightline.ts';

const SECRETS = ['hunter2', 'k3y-in-query', 't0k3n-attr', 's3cr3t-header'];

const CONFIG = `
routes:
  - name: catalog
    match: { path: /catalog/* }
  - name: budgeted
    match: { path: /budgeted/* }
    retry: { attempts: 3, budget: { ratio: 0%, minRetriesPerSecond: 0 } }
    circuitBreaker: { consecutiveFailures: 0, failureRate: 0 }
  - name: checkout
    match: { path: /checkout/* }
    retry: { attempts: 3, backoff: { base: 5ms, max: 20ms } }
    circuitBreaker: { consecutiveFailures: 3, failureRate: 0, openFor: 1m }
  - name: internal
    match: { path: /internal/*, headers: { authorization: "Bearer s3cr3t-header" } }
tracing:
  sampleRatio: 100%
  endpoint: http://otel:hunter2@127.0.0.1:9/v1/traces?api_key=k3y-in-query
  resourceAttributes: { deployment.environment: prod, service.token: t0k3n-attr }
accessLog: { enabled: false }
flags: { beta: { enabled: 10%, key: x-user-id }, chaos: false }
`;

let app: TestApp;
let sightline: Sightline;
let configFile: string;
const startedAt = Date.now();

beforeAll(async () => {
  app = await startApp();
  configFile = join(mkdtempSync(join(tmpdir(), 'sightline-debug-')), 'sightline.yaml');
  writeFileSync(configFile, CONFIG);
  sightline = await startSightline({ upstream: app.url, args: ['--config', configFile], env: { SIGHTLINE_FLAG_CHAOS: 'true' } });
  expect(await eventually(async () => (await send(`${sightline.adminUrl}/readyz`)).status === 200)).toBe(true);

  const get = async (path: string): Promise<number> => (await send(`${sightline.proxyUrl}${path}`)).status;
  for (let i = 0; i < 12; i++) expect(await get(`/catalog/${i}`)).toBe(200);
  // No budget at all: each 503 could be retried, and each retry is denied.
  app.script.push(...Array.from({ length: 4 }, () => ({ status: 503 })));
  for (let i = 0; i < 4; i++) expect(await get(`/budgeted/${i}`)).toBe(503);
  // Three attempts fail and open the breaker; the next two are refused without reaching the app.
  app.script.push({ status: 503 }, { status: 503 }, { status: 503 });
  expect(await get('/checkout/a')).toBe(503);
  expect(await get('/checkout/b')).toBe(503);
  expect(await get('/checkout/c?card=4111')).toBe(503);
  expect(await get('/slow?ms=120&password=pw')).toBe(200);
}, 30_000);

afterAll(async () => {
  await sightline?.stop();
  await app?.close();
});

const stats = async (query = ''): Promise<StatsView> => {
  const reply = await send(`${sightline.adminUrl}/debug/stats${query}`);
  expect(reply.status).toBe(200);
  expect(reply.headers['content-type']).toBe('application/json');
  return reply.json<StatsView>();
};
const routeOf = (view: StatsView, name: string) => {
  const route = view.routes.find((r) => r.name === name);
  if (route === undefined) throw new Error(`no route ${name} in ${JSON.stringify(view.routes.map((r) => r.name))}`);
  return route;
};
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe('/debug/stats', () => {
  it('counts each route exactly: requests, 5xx, ratio, retries, budget denials, rejections', async () => {
    const view = await stats();
    expect(view.processes).toBe(1);
    expect(view.window).toMatchObject({ seconds: 300, resolutionSeconds: 1 });
    expect(view.routes.map((r) => r.name)).toEqual(['catalog', 'budgeted', 'checkout', 'internal', 'default']);
    expect(routeOf(view, 'catalog').totals).toMatchObject({ requests: 12, errors: 0, errorRatio: 0, retries: 0 });
    expect(routeOf(view, 'budgeted').totals).toMatchObject({ requests: 4, errors: 4, errorRatio: 1, retries: 0, retryBudgetDenied: 4, rejected: 0 });
    expect(routeOf(view, 'checkout').totals).toMatchObject({ requests: 3, errors: 3, errorRatio: 1, retries: 2, retryRatio: 0.667, retryBudgetDenied: 0, rejected: 2 });
    expect(routeOf(view, 'internal').totals).toMatchObject({ requests: 0, errorRatio: null, p50Ms: null, p99Ms: null });
    for (const route of view.routes) {
      expect(route.series.requests).toHaveLength(300);
      expect(sum(route.series.requests)).toBe(route.totals.requests);
      expect(sum(route.series.errors)).toBe(route.totals.errors);
    }
    expect(routeOf(view, 'checkout').policy).toEqual({ timeoutMs: 15_000, retryAttempts: 3, retryBudget: { ratio: 0.2, minPerSecond: 10 }, circuitBreaker: 'checkout' });
  });

  it('estimates the latency of the slow request within its bucket, and lists it first among the slowest, without its query', async () => {
    const view = await stats();
    const slow = routeOf(view, 'default').totals;
    expect(slow.requests).toBe(1);
    for (const q of [slow.p50Ms, slow.p99Ms]) {
      expect(q).toBeGreaterThanOrEqual(100);
      expect(q).toBeLessThanOrEqual(slow.maxMs as number);
    }
    expect(slow.maxMs).toBeGreaterThanOrEqual(120);
    expect(view.slowest[0]).toMatchObject({ route: 'default', method: 'GET', path: '/slow', status: 200, attempts: 1, upstream: '200', sampled: true });
    expect(view.latency.method).toMatch(/interpolation/);
  });

  it('shows the breaker that opened with its transition, and the others closed', async () => {
    const view = await stats();
    const byName = Object.fromEntries(view.breakers.map((b) => [b.name, b]));
    expect(byName.checkout).toMatchObject({ routes: ['checkout'], state: 'open', transitions: [{ from: 'closed', to: 'open' }] });
    expect(Date.parse(byName.checkout?.since ?? '')).toBeGreaterThanOrEqual(startedAt);
    expect(byName.catalog).toMatchObject({ state: 'closed', since: null, transitions: [] });
    expect(byName.budgeted).toBeUndefined(); // no breaker configured
  });

  it('lists the failed requests newest first, with their traces, which /debug/traces holds', async () => {
    const view = await stats();
    expect(view.failed.map((f) => `${f.route} ${f.path} ${f.reason ?? f.upstream} ${f.attempts}`)).toEqual([
      'checkout /checkout/c circuit_open 0',
      'checkout /checkout/b circuit_open 0',
      'checkout /checkout/a 503 3',
      'budgeted /budgeted/3 503 1',
      'budgeted /budgeted/2 503 1',
      'budgeted /budgeted/1 503 1',
      'budgeted /budgeted/0 503 1',
    ]);
    const retried = view.failed[2];
    expect(retried?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(retried?.sampled).toBe(true);
    const traces = (await send(`${sightline.adminUrl}/debug/traces`)).json<{ traces: { traceId: string; spans: { kind: string }[] }[] }>().traces;
    const trace = traces.find((t) => t.traceId === retried?.traceId);
    expect(trace?.spans.filter((s) => s.kind === 'client')).toHaveLength(3);
  });

  it('reports the app health, and answers ?seconds=N with the last N seconds', async () => {
    const view = await stats('?seconds=30');
    expect(view.upstream).toMatchObject({ origin: app.url, healthy: true, changes: [{ healthy: true }] });
    expect(view.window.seconds).toBe(30);
    expect(routeOf(view, 'catalog').series.requests).toHaveLength(30);
    expect(routeOf(view, 'catalog').totals.requests).toBe(12);
    expect((await stats('?seconds=junk')).window.seconds).toBe(300);
  });

  it('answers GET and HEAD only', async () => {
    const reply = await send(`${sightline.adminUrl}/debug/stats`, { method: 'POST' });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
    expect((await send(`${sightline.adminUrl}/debug/stats`, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('/debug/config', () => {
  it('shows the effective config, where it came from and when, with every secret redacted', async () => {
    const reply = await send(`${sightline.adminUrl}/debug/config`);
    expect(reply.status).toBe(200);
    for (const secret of SECRETS) expect(reply.text()).not.toContain(secret);
    interface Shown {
      readonly source: { file: string; loadedAt: string };
      readonly config: {
        upstream: { origin: string };
        tracing: { endpoint: string; sampleRatio: number; resourceAttributes: [string, string][] };
        routes: { name: string; match: { headers: [string, string][] }; circuitBreaker: Record<string, unknown> }[];
      };
    }
    const body = reply.json<Shown>();
    expect(body.source.file).toBe(configFile);
    expect(Date.parse(body.source.loadedAt)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(Date.parse(body.source.loadedAt)).toBeLessThanOrEqual(Date.now());
    expect(body.config.tracing.endpoint).toBe('http://otel:[redacted]@127.0.0.1:9/v1/traces?api_key=[redacted]');
    expect(body.config.tracing.resourceAttributes).toEqual([['deployment.environment', 'prod'], ['service.token', '[redacted]']]);
    expect(body.config.routes[3]?.match.headers).toEqual([['authorization', '[redacted]']]);
    // Everything else as it runs.
    expect(body.config.routes.map((r) => r.name)).toEqual(['catalog', 'budgeted', 'checkout', 'internal']);
    expect(body.config.routes[2]?.circuitBreaker).toMatchObject({ consecutiveFailures: 3, openForMs: 60_000 });
    expect(body.config.upstream.origin).toBe(app.url);
    expect(body.config.tracing.sampleRatio).toBe(1);
  });

  it('shows the feature flags as they stand, an env override named as the source', async () => {
    const body = (await send(`${sightline.adminUrl}/debug/config`)).json<{ flags: unknown[] }>();
    expect(body.flags).toEqual([
      { name: 'beta', value: '10%', key: 'x-user-id', source: 'config', env: 'SIGHTLINE_FLAG_BETA' },
      { name: 'chaos', value: true, key: null, source: 'env', env: 'SIGHTLINE_FLAG_CHAOS' },
    ]);
  });
});

describe('the dashboard files', () => {
  it('serves the page at / with a strict Content-Security-Policy, and its script and style beside it', async () => {
    const page = await send(`${sightline.adminUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'self';/);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.text()).toContain('<script src="dashboard.js" defer></script>');
    expect(page.text()).not.toMatch(/<script>|<style>| style=| on[a-z]+=/);

    const script = await send(`${sightline.adminUrl}/dashboard.js`);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.text()).toBe(DASHBOARD_SCRIPT);
    const style = await send(`${sightline.adminUrl}/dashboard.css`);
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(style.text()).toBe(DASHBOARD_STYLE);
  });

  it('never builds the page from markup strings: no innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
    expect(DASHBOARD_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it('answers POST / with 405, and lists the dashboard among the paths of a 404', async () => {
    expect((await send(`${sightline.adminUrl}/`, { method: 'POST' })).status).toBe(405);
    const missing = await send(`${sightline.adminUrl}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json<{ paths: string[] }>().paths).toEqual(expect.arrayContaining(['/', '/dashboard.js', '/debug/stats', '/debug/config']));
  });
});
