// Traffic shadowing with real sockets: a second app gets a copy of each mirrored request (Host with
// -shadow, the same body), while the client only ever sees the first app's answer, whatever the shadow
// does: answers 500, never answers, or does not exist. Shadow requests are counted on their own.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { resetApp, startApp, unusedPort, type TestApp } from '../../support/apps.ts';
import { eventually, send } from '../../support/http-client.ts';
import { startSightline, type Sightline } from '../../support/sightline.ts';

let app: TestApp;
let shadow: TestApp;
let sightline: Sightline | undefined;

beforeAll(async () => {
  app = await startApp();
  shadow = await startApp();
});
afterAll(async () => {
  await app.close();
  await shadow.close();
});
afterEach(async () => {
  await sightline?.stop();
  sightline = undefined;
  resetApp(app);
  resetApp(shadow);
});

async function start(set: Record<string, string>): Promise<Sightline> {
  sightline = await startSightline({ upstream: app.url, set: { 'defaultRoute.retry.bufferLimit': '4KiB', ...set } });
  return sightline;
}

/** The value of one series of sightline_shadow_requests_total, 0 when absent. */
async function shadowCount(s: Sightline, result: string): Promise<number> {
  const text = (await send(`${s.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('sightline_shadow_requests_total{') && l.includes(`result="${result}"`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('traffic shadowing', () => {
  it('sends the shadow a copy, Host suffixed -shadow and the same body, and the client the app\'s answer', async () => {
    const s = await start({ 'defaultRoute.shadow.upstream': shadow.url });
    const body = Buffer.alloc(1000, 'x');
    const reply = await send(`${s.proxyUrl}/orders?id=7`, { method: 'PUT', body, headers: { 'content-type': 'text/plain' } });
    expect(reply.status).toBe(200);
    expect(await eventually(async () => shadow.seen.some((r) => r.bodySha256 !== undefined), 5000, 20)).toBe(true);
    const [original] = app.seen;
    const [copy] = shadow.seen;
    expect(copy?.method).toBe('PUT');
    expect(copy?.url).toBe('/orders?id=7');
    expect(copy?.headers['content-type']).toBe('text/plain');
    expect(copy?.headers.host).toBe(String(original?.headers.host).replace(/:(\d+)$/, '-shadow:$1'));
    expect(copy?.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(copy?.bodySha256).toBe(original?.bodySha256);
    expect(await eventually(async () => (await shadowCount(s, '2xx')) === 1, 5000, 50)).toBe(true);
  });

  it('never lets the shadow\'s failures reach the client: a 500, no answer at all, or nobody listening', async () => {
    shadow.always = { status: 500 };
    const s = await start({ 'defaultRoute.shadow.upstream': shadow.url });
    for (let i = 0; i < 5; i++) expect((await send(`${s.proxyUrl}/a/${i}`)).status).toBe(200);
    expect(await eventually(async () => (await shadowCount(s, '5xx')) === 5, 5000, 50)).toBe(true);
    await s.stop();

    shadow.always = 'hang';
    const hanging = await start({ 'defaultRoute.shadow.upstream': shadow.url, 'defaultRoute.shadow.timeout': '300ms' });
    const reply = await send(`${hanging.proxyUrl}/b`);
    expect(reply.status).toBe(200);
    expect(app.seen.map((r) => r.url)).toContain('/b');
    expect(await eventually(async () => (await shadowCount(hanging, 'timeout')) === 1, 5000, 50)).toBe(true);
    await hanging.stop();

    const nobody = await start({ 'defaultRoute.shadow.upstream': `http://127.0.0.1:${await unusedPort()}` });
    expect((await send(`${nobody.proxyUrl}/c`)).status).toBe(200);
    expect(await eventually(async () => (await shadowCount(nobody, 'connect_failure')) === 1, 5000, 50)).toBe(true);
    // The client's own metrics count only its requests, all 200.
    const text = (await send(`${nobody.adminUrl}/metrics`)).text();
    expect(text).not.toMatch(/http_server_request_duration_seconds_count\{[^}]*http_response_status_code="5/);
  });

  it('answers the client while its shadow copy still hangs', async () => {
    shadow.always = 'hang';
    const s = await start({ 'defaultRoute.shadow.upstream': shadow.url, 'defaultRoute.shadow.timeout': '1m' });
    const reply = await send(`${s.proxyUrl}/quick`);
    expect(reply.status).toBe(200);
    expect(await shadowCount(s, 'timeout')).toBe(0);
    expect(shadow.seen.map((r) => r.url)).toEqual(['/quick']);
  });

  it('mirrors only bodies held in memory, up to the buffer limit, and counts the rest as skipped', async () => {
    const s = await start({ 'defaultRoute.shadow.upstream': shadow.url });
    const large = Buffer.alloc(10_000, 'y');
    expect((await send(`${s.proxyUrl}/upload`, { method: 'POST', body: large })).status).toBe(200);
    expect(app.seen[0]?.bodyBytes).toBe(10_000);
    expect(await eventually(async () => (await shadowCount(s, 'skipped_body')) === 1, 5000, 50)).toBe(true);
    expect(shadow.seen).toEqual([]);
  });

  it('keeps at most maxInFlight shadow requests out and drops the rest, counted', async () => {
    shadow.always = 'hang';
    const s = await start({ 'defaultRoute.shadow.upstream': shadow.url, 'defaultRoute.shadow.maxInFlight': '2', 'defaultRoute.shadow.timeout': '1m' });
    for (let i = 0; i < 5; i++) expect((await send(`${s.proxyUrl}/d/${i}`)).status).toBe(200);
    expect(await shadowCount(s, 'dropped_overloaded')).toBe(3);
    expect(await eventually(async () => shadow.seen.length === 2, 5000, 20)).toBe(true);
  });

  it('mirrors about the configured share of requests', async () => {
    const s = await start({ 'defaultRoute.shadow.upstream': shadow.url, 'defaultRoute.shadow.percentage': '25%' });
    for (let i = 0; i < 200; i++) await send(`${s.proxyUrl}/e/${i}`);
    expect(await eventually(async () => (await shadowCount(s, '2xx')) === shadow.seen.length, 5000, 50)).toBe(true);
    // 200 draws at 25%: outside 20..80 has a probability below one in a million.
    expect(shadow.seen.length).toBeGreaterThan(20);
    expect(shadow.seen.length).toBeLessThan(80);
    expect(app.seen).toHaveLength(200);
  });
});
