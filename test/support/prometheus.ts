// A real Prometheus server (Debian's package) on loopback, scraping the given targets every second,
// queried through its HTTP API.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unusedPort } from './apps.ts';
import { delay, send } from './http-client.ts';

export interface Prometheus {
  readonly url: string;
  /** Instant query; returns the result vector. */
  query(promql: string, atEpochSeconds?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Exemplars of the series `promql` selects, between two epoch seconds. */
  queryExemplars(promql: string, start: number, end: number): Promise<{ seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string; timestamp: number }[] }[]>;
  /** Waits until every target has been scraped successfully at least once. */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: readonly string[], scrapeIntervalSeconds = 1): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global:',
    `  scrape_interval: ${scrapeIntervalSeconds}s`,
    `  scrape_timeout: ${scrapeIntervalSeconds}s`,
    'scrape_configs:',
    '  - job_name: sightline',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `"${t}"`).join(', ')}]`,
    '',
  ].join('\n'));
  const port = await unusedPort();
  const child: ChildProcess = spawn('prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--enable-feature=exemplar-storage',
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await send(`${url}/-/ready`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`prometheus did not start: ${stderr}`);
    await delay(100);
  }

  const api = async (path: string): Promise<unknown> => {
    const reply = await send(`${url}${path}`);
    const body = reply.json<{ status: string; data: unknown; error?: string }>();
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? reply.text()}`);
    return body.data;
  };

  return {
    url,
    query: async (promql, at) => {
      const data = (await api(`/api/v1/query?query=${encodeURIComponent(promql)}${at === undefined ? '' : `&time=${at}`}`)) as { result: { metric: Record<string, string>; value: [number, string] }[] };
      return data.result;
    },
    queryExemplars: async (promql, start, end) => {
      return (await api(`/api/v1/query_exemplars?query=${encodeURIComponent(promql)}&start=${start}&end=${end}`)) as Awaited<ReturnType<Prometheus['queryExemplars']>>;
    },
    waitForTargetsUp: async (timeoutMs = 15_000) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const data = (await api('/api/v1/targets')) as { activeTargets: { health: string; lastError: string }[] };
        if (data.activeTargets.length > 0 && data.activeTargets.every((t) => t.health === 'up')) return;
        if (Date.now() > end) throw new Error(`targets not up: ${JSON.stringify(data.activeTargets)}`);
        await delay(200);
      }
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, delay(5000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
