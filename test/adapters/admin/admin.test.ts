// The admin listener of a running Sightline: health, readiness, metrics and method/path handling.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback } from '../../../src/adapters/admin/admin-server.ts';
import { startApp, type TestApp } from '../../support/apps.ts';
import { startSightline, type Sightline } from '../../support/sightline.ts';
import { eventually, send } from '../../support/http-client.ts';

let app: TestApp;
let sightline: Sightline;

beforeAll(async () => {
  app = await startApp();
  sightline = await startSightline({ upstream: app.url });
});

afterAll(async () => {
  await sightline?.stop();
  await app?.close();
});

describe('admin endpoints', () => {
  it('/healthz answers 200 while the event loop is responsive', async () => {
    const reply = await send(`${sightline.adminUrl}/healthz`);
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ status: 'ok' });
    expect(String(reply.json().detail)).toMatch(/^event loop lag \d+ms$/);
  });

  it('/readyz answers 200 once the app is healthy', async () => {
    expect(await eventually(async () => (await send(`${sightline.adminUrl}/readyz`)).status === 200)).toBe(true);
    expect((await send(`${sightline.adminUrl}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('/metrics serves Prometheus text with process metrics and build info', async () => {
    const reply = await send(`${sightline.adminUrl}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toContain('text/plain');
    expect(reply.text()).toMatch(/^sightline_build_info\{version="\d+\.\d+\.\d+"\} 1$/m);
    expect(reply.text()).toContain('nodejs_eventloop_lag_seconds');
  });

  it('/shutdown refuses GET with 405 and an Allow header', async () => {
    const reply = await send(`${sightline.adminUrl}/shutdown`);
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('POST');
    expect(sightline.child.exitCode).toBeNull();
  });

  it('answers 404 with the list of paths for anything else', async () => {
    const reply = await send(`${sightline.adminUrl}/nope`);
    expect(reply.status).toBe(404);
    expect(reply.json<{ paths: string[] }>().paths).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics', '/shutdown', '/debug/traces', '/debug/stats', '/debug/config', '/']));
  });
});

describe('isLoopback (who may call /shutdown)', () => {
  it.each(['127.0.0.1', '127.0.0.53', '::1', '::ffff:127.0.0.1'])('accepts %s', (address) => {
    expect(isLoopback(address)).toBe(true);
  });
  it.each(['10.0.0.7', '192.168.1.1', '::ffff:10.0.0.7', 'fe80::1', '', undefined])('refuses %s', (address) => {
    expect(isLoopback(address)).toBe(false);
  });
});
