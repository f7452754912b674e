// The dashboard in a real browser: Sightline and an app on loopback, known traffic on two routes (one
// of them failing until its breaker opens), then headless Chromium opens the admin port's page and the
// test reads back what it drew. Saves reports/dashboard.png (and docs/dashboard.png with
// SIGHTLINE_UPDATE_SCREENSHOT=1).

import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src/adapters/dashboard/dashboard-assets.ts';
import { launchBrowser, watchedPage } from '../../support/browser.ts';
import { startApp, type TestApp } from '../../support/apps.ts';
import { delay, eventually, rawExchange, send } from '../../support/http-client.ts';
import { PROJECT_ROOT, startSightline, type Sightline } from '../../support/sightline.ts';

const CONFIG = `
routes:
  - name: catalog
    match: { path: /catalog/* }
    retry: { attempts: 1 }
    circuitBreaker: { consecutiveFailures: 0, failureRate: 0 }
  - name: checkout
    match: { path: /checkout/* }
    retry: { attempts: 3, backoff: { base: 5ms, max: 20ms } }
    circuitBreaker: { consecutiveFailures: 3, failureRate: 0, openFor: 1m }
tracing:
  sampleRatio: 100%
  resourceAttributes: { deployment.environment: demo, deployment.token: t0ps3cret }
accessLog: { enabled: false }
flags: { beta: { enabled: 25%, key: x-user-id }, chaos: false }
`;

/** Chosen by a client, shown on the page: must appear as text, never as markup. */
const HOSTILE_PATH = '/checkout/<b>bold</b>';

let app: TestApp;
let sightline: Sightline;
let browser: Browser;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-dashboard-'));
  const file = join(dir, 'sightline.yaml');
  writeFileSync(file, CONFIG);
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  sightline = await startSightline({ upstream: app.url, args: ['--config', file], env: { SIGHTLINE_FLAG_CHAOS: 'true' } });
  expect(await eventually(async () => (await send(`${sightline.adminUrl}/readyz`)).status === 200)).toBe(true);

  // Five rounds over about four seconds, so the charts have several seconds to draw: 30 OK on
  // catalog, 20 OK on checkout; then two slow requests on the default route; then, while the app
  // answers 503, 7 failures on catalog (no retries, no breaker) and one on checkout, tried 3 times,
  // which opens checkout's breaker: the 2 checkout requests after it are refused (circuit_open)
  // without reaching the app.
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const get = async (path: string): Promise<number> => (await send(`${sightline.proxyUrl}${path}`, { agent })).status;
  for (let round = 0; round < 5; round++) {
    const statuses = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => get(`/catalog/item-${round}-${i}`)),
      ...Array.from({ length: 4 }, (_, i) => get(`/checkout/cart-${round}-${i}`)),
    ]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    await delay(800);
  }
  expect(await Promise.all([get('/slow?ms=150&token=s3cret'), get('/slow?ms=150&token=s3cret')])).toEqual([200, 200]);
  app.always = { status: 503 };
  const failing: number[] = [];
  for (let i = 0; i < 7; i++) failing.push(await get(`/catalog/broken-${i}`));
  // Sent raw: an http client would percent-encode the brackets.
  const raw = await rawExchange(sightline.proxyPort, `GET ${HOSTILE_PATH} HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n`);
  failing.push(Number(raw.slice(9, 12)));
  for (let i = 1; i <= 2; i++) failing.push(await get(`/checkout/pay-${i}`));
  expect(failing).toEqual(Array(10).fill(503));
  agent.destroy();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await sightline?.stop();
  await app?.close();
});

describe('the dashboard page (headless Chromium)', () => {
  it('draws the traffic that was sent: routes, counts, error ratio, latency, breaker, failed requests with their traces', async () => {
    const reply = await send(`${sightline.adminUrl}/`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);

    const { page, problems } = await watchedPage(browser, { width: 1360, height: 1800 });
    await page.goto(`${sightline.adminUrl}/?window=60`);
    const kpi = (route: string, name: string) => page.locator(`[data-route="${route}"] [data-kpi="${name}"] .kpi-value`);
    await expect.poll(() => kpi('checkout', 'requests').textContent(), { timeout: 8000 }).toBe('23');

    // Every route of the config, in its order, with the counts computed from what was sent.
    expect(await page.locator('article.route').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-route')))).toEqual(['catalog', 'checkout', 'default']);
    expect(await page.locator('article.route h3').allTextContents()).toEqual(['catalog', 'checkout', 'default']);
    expect(await kpi('catalog', 'requests').textContent()).toBe('37');
    expect(await kpi('catalog', 'errors').textContent()).toBe('18.9%'); // 7 of 37
    expect(await kpi('catalog', 'retries').textContent()).toBe('0');
    expect(await kpi('checkout', 'errors').textContent()).toBe('13.0%'); // 3 of 23
    expect(await kpi('checkout', 'retries').textContent()).toBe('2');
    expect(await kpi('checkout', 'rejected').textContent()).toBe('2');
    expect(await kpi('default', 'requests').textContent()).toBe('2');

    // The charts plot those numbers: per-series sums of the bars (ok, 5xx), over more than one second.
    const chart = (route: string, id: string) => page.locator(`[data-route="${route}"] svg[data-chart="${id}"]`);
    expect(await chart('catalog', 'requests').getAttribute('data-sums')).toBe('30,7');
    expect(await chart('checkout', 'requests').getAttribute('data-sums')).toBe('20,3');
    expect(await chart('catalog', 'requests').locator('rect.bar').count()).toBeGreaterThanOrEqual(3);
    expect(Number(await chart('catalog', 'error-ratio').getAttribute('data-peak'))).toBeGreaterThan(0.18);
    expect(await chart('checkout', 'error-ratio').locator('path.line, circle.dot').count()).toBeGreaterThan(0);
    const slowP99 = Number(await chart('default', 'latency').getAttribute('data-peak'));
    expect(slowP99).toBeGreaterThanOrEqual(150);
    expect(slowP99).toBeLessThan(1000);

    // The breaker that opened, on its route's card and in the breakers table with its transition.
    expect(await page.locator('[data-route="checkout"] [data-breaker-state]').getAttribute('data-breaker-state')).toBe('open');
    expect(await page.locator('[data-route="default"] [data-breaker-state]').getAttribute('data-breaker-state')).toBe('closed');
    expect(await page.locator('[data-route="catalog"] .badge').textContent()).toBe('no breaker');
    const breakerRow = page.locator('#breakers tr[data-breaker="checkout"]');
    expect(await breakerRow.locator('[data-breaker-state]').getAttribute('data-breaker-state')).toBe('open');
    expect(await breakerRow.locator('.transitions li').allTextContents()).toEqual([expect.stringMatching(/closed → open$/)]);
    expect(await page.locator('#health').textContent()).toContain('healthy');

    // Slowest first, its query (token=...) cut off.
    expect(await page.locator('#slowest tr.sample').first().locator('td.path').textContent()).toBe('/slow');

    // Ten failed requests, newest first, each with its trace: the two refused ones never reached the
    // app (a SERVER bar alone); the one the app failed three times has three attempt bars; each
    // catalog failure one.
    const failedRows = page.locator('#failed tr.sample');
    const traces = page.locator('#failed tr.trace-row');
    expect(await failedRows.count()).toBe(10);
    expect(await failedRows.locator('td.path').allTextContents()).toEqual([
      '/checkout/pay-2', '/checkout/pay-1', HOSTILE_PATH, ...Array.from({ length: 7 }, (_, i) => `/catalog/broken-${6 - i}`),
    ]);
    await expect.poll(() => page.locator('#failed svg.waterfall').count(), { timeout: 5000 }).toBe(10);
    const attemptBars = await traces.evaluateAll((rows) => rows.map((r) => r.querySelectorAll('rect.span-client').length));
    expect(attemptBars).toEqual([0, 0, 3, 1, 1, 1, 1, 1, 1, 1]);
    const waterfall = traces.nth(2).locator('svg.waterfall');
    expect(await waterfall.locator('rect.span-server').count()).toBe(1);
    expect(await waterfall.locator('text.span-label').allTextContents()).toEqual(['GET checkout', 'attempt 1 → 503', 'attempt 2 → 503', 'attempt 3 → 503']);
    expect(await failedRows.first().textContent()).toContain('circuit_open');

    // The client's markup is text: no <b> element came from it.
    expect(await page.locator('#failed b').count()).toBe(0);
    expect(await page.locator('#failed').textContent()).toContain('<b>bold</b>');

    // The effective config, with its secret redacted.
    const config = await page.locator('pre[data-config-section="config"]').textContent();
    expect(config).toContain('"checkout"');
    expect(config).toContain('[redacted]');
    expect(await page.content()).not.toContain('t0ps3cret');
    // The feature flags as they stand, the env override named.
    expect(await page.locator('table.flags tr[data-flag="beta"] td').allTextContents()).toEqual(['beta', '25%', 'x-user-id', 'config']);
    expect(await page.locator('table.flags tr[data-flag="chaos"] td').allTextContents()).toEqual(['chaos', 'on', 'request id', 'env SIGHTLINE_FLAG_CHAOS']);

    expect(problems).toEqual([]);
    mkdirSync(join(PROJECT_ROOT, 'reports'), { recursive: true });
    const shot = join(PROJECT_ROOT, 'reports', 'dashboard.png');
    await page.screenshot({ path: shot });
    if (process.env.SIGHTLINE_UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(PROJECT_ROOT, 'docs'), { recursive: true });
      copyFileSync(shot, join(PROJECT_ROOT, 'docs', 'dashboard.png'));
    }

    // The admin port goes away: the page says so, and keeps the last figures.
    await sightline.stop();
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 6000 }).toBe('admin port unreachable');
    expect(await page.locator('#banner').isVisible()).toBe(true);
    expect(await page.locator('#banner').textContent()).toMatch(/^Cannot reach Sightline's admin port .*the figures below are from \d\d:\d\d:\d\d\.$/);
    expect(await kpi('checkout', 'requests').textContent()).toBe('23');
  }, 30_000);
});
