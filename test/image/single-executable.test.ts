// The single executable (npm run build:sea): Node 24 and Sightline in one file, for use outside
// containers. Built here with the pinned Node and run with no Node on PATH and nothing beside it.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAP_FLAGS } from '../../src/core/lifecycle/heap-flags.ts';
import { startApp, type TestApp } from '../support/apps.ts';
import { send } from '../support/http-client.ts';
import { PROJECT_ROOT, startSightline } from '../support/sightline.ts';

const version = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** Nothing to find a Node on: the executable must bring its own. */
const noNode = { PATH: '/nonexistent' };

describe('the single executable', () => {
  let app: TestApp;
  let dir: string;
  let executable: string;
  let seaExecArgv: readonly string[];

  beforeAll(async () => {
    app = await startApp();
    const script: string = new URL('../../scripts/build-sea.mjs', import.meta.url).href;
    const built = (await import(script)) as { buildSingleExecutable: () => Promise<string>; SEA_EXEC_ARGV: readonly string[] };
    seaExecArgv = built.SEA_EXEC_ARGV;
    dir = mkdtempSync(join(tmpdir(), 'sightline-sea-'));
    chmodSync(dir, 0o755);
    executable = join(dir, 'sightline');
    copyFileSync(await built.buildSingleExecutable(), executable);
    chmodSync(executable, 0o755);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries the heap flags the sources add by re-executing (it cannot re-execute with flags)', () => {
    expect(seaExecArgv).toEqual(HEAP_FLAGS);
  });

  it('prints its version with no Node on PATH', () => {
    const run = spawnSync(executable, ['--version'], { cwd: '/', env: noNode, encoding: 'utf8' });
    expect(run.stdout).toBe(`sightline ${version}\n`);
    expect(run.status).toBe(0);
  });

  it('proxies and counts requests as one process', async () => {
    const sightline = await startSightline({ upstream: app.url, executable, env: noNode });
    try {
      expect((await send(`${sightline.proxyUrl}/orders/7`)).status).toBe(200);
      const metrics = (await send(`${sightline.adminUrl}/metrics`)).text();
      expect(metrics).toContain(`sightline_build_info{version="${version}"} 1`);
      expect(metrics).toMatch(/http_server_request_duration_seconds_count\{[^}]*\} 1\n/);
    } finally {
      await sightline.stop();
    }
  });

  it('runs workers: each is the executable again, and they share the port', async () => {
    const sightline = await startSightline({ upstream: app.url, executable, env: noNode, args: ['--workers', '2'], set: { 'drain.delay': '0s' } });
    try {
      for (let i = 0; i < 20; i++) expect((await send(`${sightline.proxyUrl}/orders/${i}`)).status).toBe(200);
      const workers = (await send(`${sightline.adminUrl}/debug/workers`)).json() as { workers: { listening: boolean }[] };
      expect(workers.workers.map((w) => w.listening)).toEqual([true, true]);
      const total = (await send(`${sightline.adminUrl}/metrics`)).text().split('\n')
        .filter((l) => l.startsWith('http_server_request_duration_seconds_count'))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      expect(total).toBe(20);
      sightline.child.kill('SIGTERM');
      expect((await sightline.exited).code).toBe(0);
    } finally {
      await sightline.stop();
    }
  });
});
