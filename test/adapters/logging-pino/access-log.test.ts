// Access log lines as a log pipeline reads them: JSON on Sightline's stdout, one per request.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quote } from '../../../src/adapters/logging-pino/access-log.ts';
import { request } from 'node:http';
import { startApp, type TestApp } from '../../support/apps.ts';
import { startSightline, type LogLine, type Sightline } from '../../support/sightline.ts';
import { delay, send } from '../../support/http-client.ts';

const isAccess = (l: LogLine): boolean => l.msg === 'request';

describe('access log', () => {
  let app: TestApp;
  let sightline: Sightline;

  beforeAll(async () => {
    app = await startApp();
    sightline = await startSightline({ upstream: app.url, set: { 'accessLog.skipPaths': '/healthz,/ping' } });
  });

  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  it('writes one JSON line per request with the OpenTelemetry field names', async () => {
    await send(`${sightline.proxyUrl}/orders/42?secret=token`, {
      method: 'POST', body: 'hello', headers: { 'user-agent': 'curl/8.5 "quoted"\\', 'x-request-id': 'req-access-1' },
    });
    const line = await sightline.waitForLog((l) => isAccess(l) && l.request_id === 'req-access-1');
    expect(line).toMatchObject({
      level: 30,
      'http.request.method': 'POST',
      'url.path': '/orders/42',
      'http.route': 'default',
      'http.response.status_code': 200,
      attempts: 1,
      'upstream.status_code': 200,
      'http.request.body.size': 5,
      'client.address': '127.0.0.1',
      'user_agent.original': 'curl/8.5 "quoted"\\',
    });
    expect(typeof line.duration_ms).toBe('number');
    expect(Number(line['http.response.body.size'])).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(String(line.time)))).toBe(false);
    // The query string can carry secrets: it is not logged.
    expect(JSON.stringify(line)).not.toContain('secret=token');
  });

  it('records the reason and error type of a request Sightline answered itself', async () => {
    app.script.push('reset', 'reset');
    await send(`${sightline.proxyUrl}/x`, { headers: { 'x-request-id': 'req-access-2' } });
    const line = await sightline.waitForLog((l) => isAccess(l) && l.request_id === 'req-access-2');
    expect(line).toMatchObject({ 'http.response.status_code': 502, attempts: 2, 'error.type': 'reset', 'sightline.reason': 'upstream_reset' });
  });

  it('logs a client that left before the answer as 499', async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${sightline.proxyUrl}/slow?ms=2000`, { headers: { 'x-request-id': 'req-access-3' } });
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    const line = await sightline.waitForLog((l) => isAccess(l) && l.request_id === 'req-access-3');
    expect(line['http.response.status_code']).toBe(499);
  });

  it('skips the configured paths', async () => {
    await send(`${sightline.proxyUrl}/healthz`, { headers: { 'x-request-id': 'req-skipped' } });
    await send(`${sightline.proxyUrl}/after-skip`, { headers: { 'x-request-id': 'req-after-skip' } });
    await sightline.waitForLog((l) => isAccess(l) && l.request_id === 'req-after-skip');
    expect(sightline.logs.some((l) => l.request_id === 'req-skipped')).toBe(false);
  });
});

describe('access log settings', () => {
  it('writes nothing when disabled or sampled at 0%, while operational lines still come', async () => {
    const app = await startApp();
    const off = await startSightline({ upstream: app.url, set: { 'accessLog.enabled': 'false' } });
    const sampledOut = await startSightline({ upstream: app.url, set: { 'accessLog.sampleRatio': '0%' } });
    try {
      for (let i = 0; i < 20; i++) {
        await send(`${off.proxyUrl}/x`);
        await send(`${sampledOut.proxyUrl}/x`);
      }
      await delay(200);
      expect(off.logs.filter(isAccess)).toEqual([]);
      expect(sampledOut.logs.filter(isAccess)).toEqual([]);
      expect(off.logs.some((l) => l.msg === 'sightline listening')).toBe(true);
    } finally {
      await off.stop();
      await sampledOut.stop();
      await app.close();
    }
  });
});

describe('quote', () => {
  it('writes exactly what JSON.stringify writes, for any string (its fast path included)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u007f', 'é', '\ud800') })), (text) => {
      expect(quote(text)).toBe(JSON.stringify(text));
    }), { numRuns: 2000 });
  });
});
