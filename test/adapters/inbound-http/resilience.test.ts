// The resilience policies end to end: client → sightline (child process) → a scripted app on loopback
// that fails on demand and records every attempt it receives.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetApp, startApp, unusedPort, type TestApp } from '../../support/apps.ts';
import { startSightline, type Sightline } from '../../support/sightline.ts';
import { eventually, send } from '../../support/http-client.ts';

/** The value of one series in Sightline's /metrics, e.g. `sightline_circuit_state{http_route="default"}`; 0 when absent. */
async function metric(sightline: Sightline, series: string): Promise<number> {
  const text = (await send(`${sightline.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const attemptsSeen = (app: TestApp): string[] => app.seen.map((r) => String(r.headers['x-sightline-attempt']));

describe('retries', () => {
  let app: TestApp;
  let sightline: Sightline;

  beforeAll(async () => {
    app = await startApp();
    sightline = await startSightline({
      upstream: app.url,
      // No breaker here: these tests fail on purpose and must not trip it.
      set: { 'defaultRoute.retry.attempts': '3', 'defaultRoute.circuitBreaker.consecutiveFailures': '0', 'defaultRoute.circuitBreaker.failureRate': '0' },
    });
  });
  afterEach(() => resetApp(app));
  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  it('recovers a GET after 2 failures within 3 attempts, each attempt numbered', async () => {
    app.script.push({ status: 503 }, 'reset');
    const reply = await send(`${sightline.proxyUrl}/orders?id=7`);
    expect(reply.status).toBe(200);
    expect(app.seen.map((r) => r.url)).toEqual(['/orders?id=7', '/orders?id=7', '/orders?id=7']);
    expect(attemptsSeen(app)).toEqual(['1', '2', '3']);
  });

  it('passes the last failure on as it is when the attempts run out', async () => {
    app.script.push({ status: 503 }, { status: 502 }, { status: 504 });
    const reply = await send(`${sightline.proxyUrl}/x`);
    expect(reply.status).toBe(504);
    expect(reply.headers['x-app']).toBe('scripted');
    expect(app.seen).toHaveLength(3);
  });

  it('does not retry what retryOn leaves out (a 500 is not a gateway error)', async () => {
    app.script.push({ status: 500 });
    const reply = await send(`${sightline.proxyUrl}/x`);
    expect(reply.status).toBe(500);
    expect(app.seen).toHaveLength(1);
  });

  it('sends a POST without Idempotency-Key to the app exactly once, whatever the failure', async () => {
    app.script.push({ status: 503 });
    const first = await send(`${sightline.proxyUrl}/pay`, { method: 'POST', body: 'amount=10' });
    expect(first.status).toBe(503);
    expect(first.headers['x-app']).toBe('scripted');
    app.script.push('reset');
    const second = await send(`${sightline.proxyUrl}/pay`, { method: 'POST', body: 'amount=10' });
    expect(second.status).toBe(502);
    expect(second.headers['x-sightline-reason']).toBe('upstream_reset');
    expect(app.seen).toHaveLength(2);
    expect(attemptsSeen(app)).toEqual(['1', '1']);
  });

  it('retries a POST that carries an Idempotency-Key, replaying its body', async () => {
    app.script.push({ status: 503 }, 'reset');
    const body = 'amount=10&currency=EUR';
    const reply = await send(`${sightline.proxyUrl}/pay`, { method: 'POST', body, headers: { 'idempotency-key': 'k-1' } });
    expect(reply.status).toBe(200);
    expect(app.seen).toHaveLength(3);
    const sha = createHash('sha256').update(body).digest('hex');
    expect(app.seen.map((r) => r.bodySha256)).toEqual([sha, sha, sha]);
  });

  it('replays a chunked body within bufferLimit', async () => {
    app.script.push({ status: 503 });
    const body = Buffer.alloc(10 * 1024, 'c');
    const reply = await send(`${sightline.proxyUrl}/put`, { method: 'PUT', body, headers: { 'transfer-encoding': 'chunked' } });
    expect(reply.status).toBe(200);
    expect(app.seen.map((r) => r.bodyBytes)).toEqual([body.length, body.length]);
  });

  it('streams a 100KiB body (over bufferLimit) without retrying it, and it arrives intact', async () => {
    app.script.push({ status: 503 });
    const body = Buffer.alloc(100 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) % 251;
    const reply = await send(`${sightline.proxyUrl}/put`, { method: 'PUT', body });
    expect(reply.status).toBe(503);
    expect(app.seen).toHaveLength(1);
    expect(app.seen[0]?.bodyBytes).toBe(body.length);
    expect(app.seen[0]?.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('streams a chunked body that outgrows bufferLimit intact (the bytes already held go first)', async () => {
    const body = Buffer.alloc(300 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) % 253;
    const reply = await send(`${sightline.proxyUrl}/put`, { method: 'PUT', body, headers: { 'transfer-encoding': 'chunked' } });
    expect(reply.status).toBe(200);
    expect(app.seen[0]?.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('never retries once the response has started: a body cut short cuts the client', async () => {
    await expect(send(`${sightline.proxyUrl}/reset-mid-body`)).rejects.toThrow();
    expect(app.seen).toHaveLength(1);
  });

  it('honours a short Retry-After, and passes a long one on without retrying', async () => {
    app.script.push({ status: 503, retryAfter: '1' });
    const started = performance.now();
    const waited = await send(`${sightline.proxyUrl}/x`);
    const elapsed = performance.now() - started;
    expect(waited.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(app.seen).toHaveLength(2);

    app.seen.length = 0;
    app.script.push({ status: 503, retryAfter: '30' });
    const passed = await send(`${sightline.proxyUrl}/x`);
    expect(passed.status).toBe(503);
    expect(passed.headers['retry-after']).toBe('30');
    expect(app.seen).toHaveLength(1);
  });
});

describe('timeouts', () => {
  let app: TestApp;
  let sightline: Sightline;

  beforeAll(async () => {
    app = await startApp();
    sightline = await startSightline({
      upstream: app.url,
      set: {
        'defaultRoute.timeout': '400ms',
        'defaultRoute.retry.attempts': '10',
        'defaultRoute.retry.perTryTimeout': '100ms',
        'defaultRoute.retry.retryOn': 'connect-failure,reset,gateway-error,per-try-timeout',
        'defaultRoute.circuitBreaker.consecutiveFailures': '0',
        'defaultRoute.circuitBreaker.failureRate': '0',
      },
    });
  });
  afterEach(() => resetApp(app));
  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  it('retries an attempt that outlives perTryTimeout', async () => {
    app.script.push('hang');
    const reply = await send(`${sightline.proxyUrl}/x`);
    expect(reply.status).toBe(200);
    expect(attemptsSeen(app)).toEqual(['1', '2']);
  });

  it('bounds the total latency with the overall timeout, whatever the retries: 504 upstream_timeout', async () => {
    app.always = 'hang';
    const started = performance.now();
    const reply = await send(`${sightline.proxyUrl}/x`);
    const elapsed = performance.now() - started;
    expect(reply.status).toBe(504);
    expect(reply.headers['x-sightline-reason']).toBe('upstream_timeout');
    // Never past the timeout (plus the test's own overhead); earlier when no further try fits in it.
    expect(elapsed).toBeLessThan(600);
    // 100ms per try plus backoff in 400ms: at most 4 attempts, and more than one.
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(app.seen.length).toBeGreaterThanOrEqual(2);
    expect(app.seen.length).toBeLessThanOrEqual(4);
  });

  it('answers 504 at the overall timeout when a single attempt hangs (no per-try timeout)', async () => {
    const other = await startSightline({ upstream: app.url, set: { 'defaultRoute.timeout': '400ms', 'defaultRoute.retry.attempts': '3' } });
    try {
      app.always = 'hang';
      const started = performance.now();
      const reply = await send(`${other.proxyUrl}/x`);
      const elapsed = performance.now() - started;
      expect(reply.status).toBe(504);
      expect(reply.headers['x-sightline-reason']).toBe('upstream_timeout');
      expect(elapsed).toBeGreaterThanOrEqual(395);
      expect(elapsed).toBeLessThan(600);
      expect(app.seen).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});

describe('circuit breaker', () => {
  let app: TestApp;
  let sightline: Sightline;

  beforeAll(async () => {
    app = await startApp();
    sightline = await startSightline({
      upstream: app.url,
      set: {
        'defaultRoute.retry.attempts': '1',
        'defaultRoute.circuitBreaker.consecutiveFailures': '3',
        'defaultRoute.circuitBreaker.openFor': '600ms',
      },
    });
  });
  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  it('opens after the configured failures, fails fast while open, half-opens after openFor and closes on success', async () => {
    app.always = { status: 500 };
    for (let i = 0; i < 3; i++) expect((await send(`${sightline.proxyUrl}/x`)).status).toBe(500);
    await sightline.waitForLog((l) => l.msg === 'circuit breaker opened');
    expect(app.seen).toHaveLength(3);

    // Open: answered at once, without the app.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const latencies: number[] = [];
    let last = await send(`${sightline.proxyUrl}/x`, { agent });
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      last = await send(`${sightline.proxyUrl}/x`, { agent });
      latencies.push(performance.now() - started);
    }
    agent.destroy();
    expect(last.status).toBe(503);
    expect(last.headers['x-sightline-reason']).toBe('circuit_open');
    expect(Number(last.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(app.seen).toHaveLength(3);
    expect(await metric(sightline, 'sightline_circuit_state{http_route="default"}')).toBe(1);
    expect(await metric(sightline, 'sightline_rejected_requests_total{http_route="default",reason="circuit_open"}')).toBe(51);
    latencies.sort((a, b) => a - b);
    const median = latencies[25] as number;
    const p98 = latencies[48] as number;
    console.log(`circuit open fast-fail latency over 50 requests (keep-alive): median ${median.toFixed(2)} ms, p98 ${p98.toFixed(2)} ms, max ${latencies[49]?.toFixed(2)} ms`);
    expect(median).toBeLessThan(5);

    // After openFor: one probe reaches the app; its success closes the breaker.
    app.always = null;
    await new Promise((r) => setTimeout(r, 650));
    expect((await send(`${sightline.proxyUrl}/x`)).status).toBe(200);
    await sightline.waitForLog((l) => l.msg === 'circuit breaker closed');
    expect((await send(`${sightline.proxyUrl}/x`)).status).toBe(200);
    expect(app.seen).toHaveLength(5);
    expect(await metric(sightline, 'sightline_circuit_state{http_route="default"}')).toBe(0);
    for (const to of ['open', 'half-open', 'closed']) {
      expect(await metric(sightline, `sightline_circuit_transitions_total{http_route="default",to="${to}"}`)).toBe(1);
    }
  });

  it('does not count 4xx answers as failures', async () => {
    app.seen.length = 0;
    app.always = { status: 404 };
    for (let i = 0; i < 6; i++) expect((await send(`${sightline.proxyUrl}/x`)).status).toBe(404);
    expect(app.seen).toHaveLength(6);
    app.always = null;
  });
});

describe('retry budget under total failure', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  async function hammer(sightline: Sightline, requests: number, concurrency: number): Promise<number[]> {
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const statuses: number[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests) {
        next++;
        statuses.push((await send(`${sightline.proxyUrl}/x`, { agent })).status);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    agent.destroy();
    return statuses;
  }

  it('keeps upstream attempts within (1 + ratio) × requests when every attempt fails', async () => {
    app = await startApp();
    app.always = { status: 503 };
    const sightline = await startSightline({
      upstream: app.url,
      set: {
        'defaultRoute.retry.attempts': '3',
        'defaultRoute.retry.budget.minRetriesPerSecond': '0',
        'defaultRoute.circuitBreaker.consecutiveFailures': '0',
        'defaultRoute.circuitBreaker.failureRate': '0',
      },
    });
    try {
      const requests = 1000;
      const statuses = await hammer(sightline, requests, 16);
      expect(statuses.every((s) => s === 503)).toBe(true);
      const ratio = app.seen.length / requests;
      console.log(`total failure, budget 20% without floor: ${requests} requests → ${app.seen.length} attempts (ratio ${ratio.toFixed(3)}; 3 attempts each would be 3.000)`);
      expect(app.seen.length).toBeLessThanOrEqual(requests * 1.2);
      expect(app.seen.length).toBeGreaterThan(requests * 1.1); // the budget was used, not just refused
      const retried = await metric(sightline, 'sightline_retries_total{http_route="default",reason="503"}');
      const exhausted = await metric(sightline, 'sightline_retry_budget_exhausted_total{http_route="default"}');
      expect(retried).toBe(app.seen.length - requests);
      // Each request that was not retried to the end ran into the spent budget once.
      expect(exhausted).toBeGreaterThan(requests * 0.7);
    } finally {
      await sightline.stop();
    }
  });

  it('with the default floor of 10 retries/s, stays within (1 + 20%) × requests + 10/s × window', async () => {
    app = await startApp();
    app.always = { status: 503 };
    const sightline = await startSightline({
      upstream: app.url,
      set: { 'defaultRoute.retry.attempts': '3', 'defaultRoute.circuitBreaker.consecutiveFailures': '0', 'defaultRoute.circuitBreaker.failureRate': '0' },
    });
    try {
      const requests = 1000;
      await hammer(sightline, requests, 16);
      const ratio = app.seen.length / requests;
      console.log(`total failure, default budget: ${requests} requests → ${app.seen.length} attempts (ratio ${ratio.toFixed(3)})`);
      expect(app.seen.length).toBeLessThanOrEqual(requests * 1.2 + 100);
    } finally {
      await sightline.stop();
    }
  });
});

describe('concurrency limits', () => {
  let app: TestApp;
  let sightline: Sightline;

  beforeAll(async () => {
    app = await startApp();
    sightline = await startSightline({ upstream: app.url, set: { 'defaultRoute.maxInFlight': '3' } });
  });
  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  it('rejects the requests beyond maxInFlight with 503 overloaded while the admitted ones complete', async () => {
    const replies = await Promise.all(Array.from({ length: 6 }, () => send(`${sightline.proxyUrl}/slow?ms=400`)));
    const ok = replies.filter((r) => r.status === 200);
    const rejected = replies.filter((r) => r.status === 503);
    expect(ok).toHaveLength(3);
    expect(rejected).toHaveLength(3);
    expect(rejected.every((r) => r.headers['x-sightline-reason'] === 'overloaded')).toBe(true);
    expect(app.seen).toHaveLength(3);
    expect(await metric(sightline, 'sightline_rejected_requests_total{http_route="default",reason="overloaded"}')).toBe(3);
    // The slots are free again once those complete.
    expect((await send(`${sightline.proxyUrl}/x`)).status).toBe(200);
  });
});

describe('global maxInFlight', () => {
  it('caps requests in flight across all routes', async () => {
    const app = await startApp();
    const sightline = await startSightline({ upstream: app.url, set: { 'server.maxInFlight': '2' } });
    try {
      const replies = await Promise.all(Array.from({ length: 5 }, () => send(`${sightline.proxyUrl}/slow?ms=400`)));
      expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 503, 503, 503]);
      expect(app.seen).toHaveLength(2);
    } finally {
      await sightline.stop();
      await app.close();
    }
  });
});

describe('routes from a config file', () => {
  let app: TestApp;
  let sightline: Sightline;

  beforeAll(async () => {
    app = await startApp();
    const dir = mkdtempSync(join(tmpdir(), 'sightline-routes-'));
    const file = join(dir, 'sightline.yaml');
    writeFileSync(file, [
      'defaultRoute:',
      '  retry: { attempts: 1 }',
      '  circuitBreaker: { consecutiveFailures: 0, failureRate: 0 }',
      'routes:',
      '  - name: user',
      '    match: { path: /users/:id, methods: [GET] }',
      '    retry: { attempts: 3 }',
      '  - name: static',
      '    match: { path: /static/* }',
      '    maxInFlight: 1',
      '    timeout: 500ms',
      '',
    ].join('\n'));
    sightline = await startSightline({ upstream: app.url, args: ['--config', file] });
  });
  afterEach(() => resetApp(app));
  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  it('applies the matching route\'s policy, and the default route\'s to the rest', async () => {
    app.script.push({ status: 503 }, { status: 503 });
    expect((await send(`${sightline.proxyUrl}/users/42?x=1`)).status).toBe(200);
    expect(app.seen).toHaveLength(3);

    app.seen.length = 0;
    app.script.push({ status: 503 });
    expect((await send(`${sightline.proxyUrl}/users/42/orders`)).status).toBe(503);
    expect(app.seen).toHaveLength(1);

    app.seen.length = 0;
    app.script.push({ status: 503 });
    expect((await send(`${sightline.proxyUrl}/users/42`, { method: 'DELETE' })).status).toBe(503);
    expect(app.seen).toHaveLength(1);
  });

  it('keeps a limit per route: a busy prefix route does not limit the others', async () => {
    app.script.push('hang');
    const hanging = send(`${sightline.proxyUrl}/static/a/app.js`);
    expect(await eventually(() => app.seen.length === 1)).toBe(true);
    const second = await send(`${sightline.proxyUrl}/static/b`);
    expect(second.status).toBe(503);
    expect(second.headers['x-sightline-reason']).toBe('overloaded');
    expect((await send(`${sightline.proxyUrl}/users/1`)).status).toBe(200);
    // The hanging one ends with the static route's own timeout.
    const ended = await hanging;
    expect(ended.status).toBe(504);
    expect(app.seen.map((r) => r.url)).toEqual(['/static/a/app.js', '/users/1']);
  });
});

describe('connect failures', () => {
  it('retries a POST whose connection failed before anything was sent: the app gets it once, whole', async () => {
    const port = await unusedPort();
    const sightline = await startSightline({
      upstream: `http://127.0.0.1:${port}`,
      set: {
        'log.level': 'debug',
        'defaultRoute.retry.attempts': '10',
        'defaultRoute.retry.backoff.base': '300ms',
        'defaultRoute.retry.backoff.max': '300ms',
        'defaultRoute.circuitBreaker.consecutiveFailures': '0',
        'defaultRoute.circuitBreaker.failureRate': '0',
        'defaultRoute.retry.budget.minRetriesPerSecond': '100',
      },
    });
    let app: TestApp | undefined;
    try {
      const reply = send(`${sightline.proxyUrl}/pay`, { method: 'POST', body: 'amount=10' });
      await sightline.waitForLog((l) => l.msg === 'retry scheduled' && l.outcome === 'connect-failure');
      app = await startApp(port);
      const answered = await reply;
      expect(answered.status).toBe(200);
      expect(app.seen).toHaveLength(1);
      expect(app.seen[0]?.method).toBe('POST');
      expect(app.seen[0]?.bodyBytes).toBe(9);
      expect(Number(app.seen[0]?.headers['x-sightline-attempt'])).toBeGreaterThanOrEqual(2);
    } finally {
      await sightline.stop();
      await app?.close();
    }
  });
});
