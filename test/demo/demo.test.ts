// `npm run demo` end to end: the real script on free ports with a five-times faster incident. It must
// print where to look and what to try, send traffic through the real Sightline binary, show a retry, a
// breaker opening and closing again, retried requests in /debug/traces, and leave nothing behind on SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { send } from '../support/http-client.ts';
import { isAlive, PROJECT_ROOT, runSightline } from '../support/sightline.ts';

interface TraceView {
  readonly traceId: string;
  readonly spans: readonly { readonly kind: string; readonly attributes: Record<string, unknown> }[];
}

const logFile = join(mkdtempSync(join(tmpdir(), 'sightline-demo-test-')), 'sightline.log');

/** The demo's environment without anything that would change its ports or Sightline's settings. */
function demoEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(DEMO_|SIGHTLINE_|OTEL_)/.test(k) && k !== 'FORCE_COLOR') env[k] = v;
  }
  return env;
}

/** Samples of one metric family in Prometheus text, summed over the series whose labels include `labels`. */
function sumOf(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const series = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => series[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Processes whose parent is `pid`, and theirs, from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may hold spaces: the parent id is the second field after its ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}


async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, output: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs}ms. Demo output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let demo: ChildProcess | undefined;
let leftovers: number[] = [];
afterAll(() => {
  // Only when an assertion failed before the demo was stopped: end what it started, then the demo.
  for (const pid of leftovers) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  if (demo !== undefined && demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
});

describe('npm run demo', () => {
  it('ships a demo config that check-config accepts', async () => {
    const { code, stdout, stderr } = await runSightline(['check-config', 'demo/sightline-demo.yaml']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('demo/sightline-demo.yaml: OK');
  });

  it('shows retries, a breaker opening and closing, and retried traces; SIGTERM stops everything', async () => {
    demo = spawn(process.execPath, [
      'scripts/demo.mjs',
      '--app-port', '0', '--proxy-port', '0', '--admin-port', '0',
      '--incident-scale', '0.2', '--status-every', '1', '--log-file', logFile,
    ], { cwd: PROJECT_ROOT, env: demoEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const running = demo;
    let output = '';
    running.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    running.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => running.on('exit', (code, signal) => resolve({ code, signal })));

    // The banner: where the dashboard is, and three things to try with curl.
    await until('the banner', async () => (output.includes('Ctrl-C stops everything.') ? true : undefined), 15_000, () => output);
    const dashboard = /^Dashboard: (http:\/\/127\.0\.0\.1:(\d+))\/(\s|$)/m.exec(output);
    expect(dashboard, output).not.toBeNull();
    const adminUrl = (dashboard as RegExpExecArray)[1] as string;
    const tries = output.slice(output.indexOf('Try, in another terminal:'));
    expect(tries.match(/^ {2}\d\. /gm)).toHaveLength(3);
    const curls = tries.match(/^\s+curl .*$/gm) ?? [];
    expect(curls.length).toBeGreaterThanOrEqual(3);
    const proxyUrl = /curl -i (http:\/\/127\.0\.0\.1:\d+)\/products\/1/.exec(tries)?.[1] as string;
    const appUrl = /curl -X POST '(http:\/\/127\.0\.0\.1:\d+)\/control\?failRate=1'/.exec(tries)?.[1] as string;
    expect(proxyUrl).toBeDefined();
    expect(appUrl).toBeDefined();
    expect(curls.some((c) => c.includes(`${adminUrl}/debug/traces`))).toBe(true);
    const sightlinePid = Number(/Sightline {4}\S+ {3}\(pid (\d+)\)/.exec(output)?.[1]);
    leftovers = descendants(running.pid as number);
    expect(leftovers).toContain(sightlinePid);

    // The first curl works: through Sightline to the app, with the request id and the attempt the app answered.
    const tried = await send(`${proxyUrl}/products/1`);
    expect(tried.status).toBe(200);
    expect(tried.headers['x-request-id']).toBeTruthy();
    expect(tried.headers['x-shop-attempt']).toBe('1');

    const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => sumOf((await send(`${adminUrl}/metrics`)).text(), name, labels);
    const positive = (name: string, labels?: Record<string, string>) => async () => ((await metric(name, labels)) > 0 ? true : undefined);

    // Scale 0.2: healthy 4s, then /products fails for 3s, recovers for 2s, then is flaky for 4s.
    await until('a retry (sightline_retries_total > 0)', positive('sightline_retries_total'), 20_000, () => output);
    await until('the products breaker opening', positive('sightline_circuit_transitions_total', { http_route: 'products', to: 'open' }), 20_000, () => output);
    await until('the products breaker closing again', positive('sightline_circuit_transitions_total', { http_route: 'products', to: 'closed' }), 20_000, () => output);
    const retried = await until('a retried request in /debug/traces', async () => {
      const { traces } = (await send(`${adminUrl}/debug/traces`)).json<{ traces: TraceView[] }>();
      return traces.find((t) => t.spans.filter((s) => s.kind === 'client').length > 1);
    }, 20_000, () => output);
    expect(retried.spans.filter((s) => s.kind === 'server')).toHaveLength(1);

    // The app saw the requests come through Sightline, retries among them.
    const seen = (await send(`${appUrl}/control`)).json<{ seen: { viaSightline: number; retries: number } }>().seen;
    expect(seen.viaSightline).toBeGreaterThan(0);
    expect(seen.retries).toBeGreaterThan(0);

    // And the terminal told the story (its lines may trail the metrics by a moment).
    const told = (pattern: RegExp) => async () => (pattern.test(output) ? true : undefined);
    await until('the breaker opening, in the output', told(/breaker products: closed → OPEN/), 5000, () => output);
    await until('the breaker closing, in the output', told(/breaker products: half-open → closed/), 5000, () => output);
    await until('retries on a live line', told(/│ retries \+[1-9]/), 5000, () => output);
    await until('a retried trace, in the output', told(/a retried request, from \/debug\/traces: GET \w+ → \d{3}/), 5000, () => output);
    expect(readFileSync(logFile, 'utf8')).toContain('"msg":"request"');

    leftovers = descendants(running.pid as number);
    running.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/stopped after \d+s: \d+ requests sent/);
    for (const pid of leftovers) expect(isAlive(pid), `pid ${pid} outlived the demo`).toBe(false);
  }, 45_000);
});
