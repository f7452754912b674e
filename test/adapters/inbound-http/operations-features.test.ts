// Rate limiting, feature flags and fault injection end to end: client → sightline (child process) →
// an app on loopback that records every request it receives. Two Sightlines share one config: one as
// written (every flag off), one with the flags turned on from the environment.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetApp, startApp, type TestApp } from '../../support/apps.ts';
import { eventually, send, type Reply } from '../../support/http-client.ts';
import { runSightline, startSightline, type LogLine, type Sightline } from '../../support/sightline.ts';

/** The value of one series in Sightline's /metrics; 0 when absent. */
async function metric(sightline: Sightline, series: string): Promise<number> {
  const text = (await send(`${sightline.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

function configFile(lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-operations-'));
  const file = join(dir, 'sightline.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The access log line of the request with this id. */
function logOf(sightline: Sightline, reply: Reply): Promise<LogLine> {
  const id = reply.headers['x-request-id'];
  return sightline.waitForLog((l) => l.msg === 'request' && l.request_id === id);
}

const CONFIG = [
  'flags:',
  '  chaos: false',
  '  new-retry: false',
  '  beta: { enabled: 50%, key: x-user-id }',
  'defaultRoute:',
  '  circuitBreaker: { consecutiveFailures: 0, failureRate: 0 }',
  'tracing: { sampleRatio: 100% }',
  'routes:',
  '  - name: limited',
  '    match: { path: /limited/* }',
  '    rateLimit: { requestsPerSecond: 1, burst: 3 }',
  '  - name: keyed',
  '    match: { path: /keyed/* }',
  '    rateLimit: { requestsPerSecond: 1, burst: 2, key: x-api-key }',
  '  - name: abort',
  '    match: { path: /abort/* }',
  '    fault: { flag: chaos, abort: { status: 503, percentage: 100% } }',
  '  - name: opt-in',
  '    match: { path: /opt-in/* }',
  '    fault: { flag: chaos, header: x-sightline-fault, abort: { status: 500, percentage: 100% } }',
  '  - name: delay',
  '    match: { path: /delay/* }',
  '    fault: { flag: chaos, delay: { duration: 300ms, percentage: 100% } }',
  '  - name: delay-past-timeout',
  '    match: { path: /slow-delay/* }',
  '    timeout: 200ms',
  '    fault: { flag: chaos, delay: { duration: 2s, percentage: 100% } }',
  '  - name: beta',
  '    match: { path: /beta/* }',
  '    fault: { flag: beta, abort: { status: 501, percentage: 100% } }',
  '  - name: retry-gated',
  '    match: { path: /gated/* }',
  '    retry: { attempts: 3, flag: new-retry }',
];

describe('operations features', () => {
  let app: TestApp;
  /** The config as written: every flag off. */
  let off: Sightline;
  /** The same config with SIGHTLINE_FLAG_CHAOS and SIGHTLINE_FLAG_NEW_RETRY set to true. */
  let on: Sightline;

  beforeAll(async () => {
    app = await startApp();
    const file = configFile(CONFIG);
    [off, on] = await Promise.all([
      startSightline({ upstream: app.url, args: ['--config', file] }),
      startSightline({ upstream: app.url, args: ['--config', file], env: { SIGHTLINE_FLAG_CHAOS: 'true', SIGHTLINE_FLAG_NEW_RETRY: 'true' } }),
    ]);
  });
  afterEach(() => resetApp(app));
  afterAll(async () => {
    await Promise.all([off?.stop(), on?.stop()]);
    await app?.close();
  });

  describe('rate limiting', () => {
    it('answers 429 rate_limited with Retry-After once the burst is spent, without the app, and counts it', async () => {
      const replies: Reply[] = [];
      for (let i = 0; i < 5; i++) replies.push(await send(`${off.proxyUrl}/limited/${i}`));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
      const limited = replies[3] as Reply;
      expect(limited.headers['x-sightline-reason']).toBe('rate_limited');
      expect(limited.headers['retry-after']).toBe('1');
      expect(limited.json()).toMatchObject({ error: 'rate_limited', request_id: limited.headers['x-request-id'] });
      expect(app.seen.map((r) => r.url)).toEqual(['/limited/0', '/limited/1', '/limited/2']);
      expect(await metric(off, 'sightline_rejected_requests_total{http_route="limited",reason="rate_limited"}')).toBe(2);
      const line = await logOf(off, limited);
      expect(line).toMatchObject({ 'http.route': 'limited', 'http.response.status_code': 429, 'sightline.reason': 'rate_limited', attempts: 0 });
      // Other routes have no limit.
      for (let i = 0; i < 5; i++) expect((await send(`${off.proxyUrl}/free/${i}`)).status).toBe(200);
    });

    it('lets a token back in after a second', async () => {
      // The bucket above is spent; one token a second comes back.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await send(`${off.proxyUrl}/limited/again`)).status).toBe(200);
      expect((await send(`${off.proxyUrl}/limited/again`)).status).toBe(429);
    });

    it('keeps one bucket per key value, and one more for requests without the key', async () => {
      const statuses = async (key: string | undefined, n: number): Promise<number[]> => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push((await send(`${on.proxyUrl}/keyed/x`, { headers: key === undefined ? {} : { 'x-api-key': key } })).status);
        return out;
      };
      expect(await statuses('alice', 3)).toEqual([200, 200, 429]);
      expect(await statuses('bob', 3)).toEqual([200, 200, 429]);
      expect(await statuses(undefined, 3)).toEqual([200, 200, 429]);
      expect(app.seen).toHaveLength(6);
      expect(await metric(on, 'sightline_rejected_requests_total{http_route="keyed",reason="rate_limited"}')).toBe(3);
    });

    it('puts a span event on the trace of a limited request', async () => {
      let reply: Reply;
      do reply = await send(`${off.proxyUrl}/limited/trace`);
      while (reply.status !== 429);
      type View = { traceId: string; spans: { kind: string; events: { name: string; attributes: Record<string, unknown> }[] }[] };
      const traceId = (await logOf(off, reply)).trace_id;
      let trace: View | undefined;
      expect(await eventually(async () => {
        trace = (await send(`${off.adminUrl}/debug/traces`)).json<{ traces: View[] }>().traces.find((t) => t.traceId === traceId);
        return trace !== undefined;
      })).toBe(true);
      expect(trace?.spans[0]?.events).toContainEqual(expect.objectContaining({ name: 'sightline.rejected', attributes: expect.objectContaining({ 'sightline.reason': 'rate_limited' }) }));
    });
  });

  describe('fault injection', () => {
    it('injects nothing while its flag is off', async () => {
      expect((await send(`${off.proxyUrl}/abort/x`)).status).toBe(200);
      expect((await send(`${off.proxyUrl}/opt-in/x`, { headers: { 'x-sightline-fault': '1' } })).status).toBe(200);
      expect(app.seen).toHaveLength(2);
      expect(await metric(off, 'sightline_faults_injected_total{http_route="abort",kind="abort"}')).toBe(0);
    });

    it('aborts with the configured status and reason fault once the env turns the flag on; the app sees nothing', async () => {
      const reply = await send(`${on.proxyUrl}/abort/x`);
      expect(reply.status).toBe(503);
      expect(reply.headers['x-sightline-reason']).toBe('fault');
      expect(reply.json()).toMatchObject({ error: 'fault' });
      expect(app.seen).toHaveLength(0);
      expect(await metric(on, 'sightline_rejected_requests_total{http_route="abort",reason="fault"}')).toBe(1);
      expect(await metric(on, 'sightline_faults_injected_total{http_route="abort",kind="abort"}')).toBe(1);
      const line = await logOf(on, reply);
      expect(line).toMatchObject({ 'http.route': 'abort', 'http.response.status_code': 503, 'sightline.reason': 'fault', 'sightline.fault': 'abort', attempts: 0 });
      // A real failure carries no such mark.
      app.script.push({ status: 500 });
      const real = await send(`${on.proxyUrl}/free/x`);
      expect(real.status).toBe(500);
      expect((await logOf(on, real))['sightline.fault']).toBeUndefined();
    });

    it('marks the trace of an aborted request with sightline.fault', async () => {
      const reply = await send(`${on.proxyUrl}/abort/traced`);
      const traceId = (await logOf(on, reply)).trace_id;
      type View = { traceId: string; spans: { attributes: Record<string, unknown>; events: { name: string; attributes: Record<string, unknown> }[] }[] };
      let trace: View | undefined;
      expect(await eventually(async () => {
        trace = (await send(`${on.adminUrl}/debug/traces`)).json<{ traces: View[] }>().traces.find((t) => t.traceId === traceId);
        return trace !== undefined;
      })).toBe(true);
      const server = trace?.spans[0];
      expect(server?.attributes).toMatchObject({ 'sightline.fault': 'abort', 'sightline.reason': 'fault', 'http.response.status_code': 503 });
      expect(server?.events).toContainEqual(expect.objectContaining({ name: 'sightline.fault', attributes: expect.objectContaining({ 'sightline.fault': 'abort' }) }));
    });

    it('aborts only requests that carry the opt-in header, when the route names one', async () => {
      const without = await send(`${on.proxyUrl}/opt-in/x`);
      expect(without.status).toBe(200);
      expect(app.seen).toHaveLength(1);
      const withHeader = await send(`${on.proxyUrl}/opt-in/x`, { headers: { 'x-sightline-fault': 'yes' } });
      expect(withHeader.status).toBe(500);
      expect(withHeader.headers['x-sightline-reason']).toBe('fault');
      expect(app.seen).toHaveLength(1);
    });

    it('delays a request before it reaches the app, and counts it', async () => {
      const started = performance.now();
      const reply = await send(`${on.proxyUrl}/delay/x`);
      const elapsed = performance.now() - started;
      expect(reply.status).toBe(200);
      expect(reply.headers['x-sightline-reason']).toBeUndefined();
      expect(elapsed).toBeGreaterThanOrEqual(295);
      expect(app.seen).toHaveLength(1);
      expect(await metric(on, 'sightline_faults_injected_total{http_route="delay",kind="delay"}')).toBe(1);
      expect(await logOf(on, reply)).toMatchObject({ 'http.route': 'delay', 'http.response.status_code': 200, 'sightline.fault': 'delay', attempts: 1 });
      // The same route with the flag off: no delay to speak of.
      const quick = performance.now();
      expect((await send(`${off.proxyUrl}/delay/x`)).status).toBe(200);
      expect(performance.now() - quick).toBeLessThan(295);
      expect(await metric(off, 'sightline_faults_injected_total{http_route="delay",kind="delay"}')).toBe(0);
    });

    it('ends a delay longer than the route timeout in 504 upstream_timeout at the timeout, never reaching the app', async () => {
      const started = performance.now();
      const reply = await send(`${on.proxyUrl}/slow-delay/x`);
      const elapsed = performance.now() - started;
      expect(reply.status).toBe(504);
      expect(reply.headers['x-sightline-reason']).toBe('upstream_timeout');
      expect(elapsed).toBeGreaterThanOrEqual(195);
      expect(app.seen).toHaveLength(0);
      expect(await logOf(on, reply)).toMatchObject({ 'sightline.reason': 'upstream_timeout', 'sightline.fault': 'delay', attempts: 0 });
    });
  });

  describe('feature flags', () => {
    it('keeps one user on one side of a percentage flag, and splits users between both sides', async () => {
      const sideOf = async (user: string): Promise<number[]> => {
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) statuses.push((await send(`${off.proxyUrl}/beta/x`, { headers: { 'x-user-id': user } })).status);
        return statuses;
      };
      const sides = new Set<number>();
      for (const user of ['ana', 'ben', 'chloe', 'dev', 'eli', 'fay', 'gus', 'hal']) {
        const statuses = await sideOf(user);
        // 501: the flag is on for this user (the fault aborts); 200: off.
        expect(new Set(statuses).size).toBe(1);
        sides.add(statuses[0] as number);
      }
      expect(sides).toEqual(new Set([200, 501]));
    });

    it('gates retries on a flag: one attempt while it is off, retries once the env turns it on', async () => {
      app.script.push({ status: 503 });
      expect((await send(`${off.proxyUrl}/gated/x`)).status).toBe(503);
      expect(app.seen).toHaveLength(1);
      app.seen.length = 0;
      app.script.push({ status: 503 });
      expect((await send(`${on.proxyUrl}/gated/x`)).status).toBe(200);
      expect(app.seen).toHaveLength(2);
    });
  });
});

describe('operations config mistakes', () => {
  it('are named with the file, line and key by check-config', async () => {
    const file = configFile([
      'flags: { chaos: false }',
      'routes:',
      '  - name: a',
      '    match: { path: /a }',
      '    fault: { flag: choas, abort: { percentage: 5% } }',
      '    rateLimit: { requestsPerSecond: -2 }',
    ]);
    const result = await runSightline(['check-config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:5:14: routes[0].fault.flag: no flag named "choas": declare it under flags (declared: chaos)`);
    expect(result.stderr).toContain(`${file}:6:18: routes[0].rateLimit.requestsPerSecond: must be at least 0`);
    expect(result.stderr).toContain('invalid configuration (2 errors)');
  });

  it('name the variable of a flag override that matches no flag', async () => {
    const result = await runSightline(['run', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'], { SIGHTLINE_FLAG_CHAOS: 'true' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('env SIGHTLINE_FLAG_CHAOS: flags.SIGHTLINE_FLAG_CHAOS: overrides no flag: declare it under flags in the config file (declared: none)');
  });
});
