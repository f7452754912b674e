// The process entry: V8 heap settings added where missing (the process re-executes itself, keeping its
// PID), the caller's own settings left alone, and the bundle the image ships working like the sources.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAP_FLAGS } from '../../src/core/lifecycle/heap-flags.ts';
import { startApp, type TestApp } from '../support/apps.ts';
import { send } from '../support/http-client.ts';
import { PROJECT_ROOT, runSightline, startSightline } from '../support/sightline.ts';

/** The command line the kernel reports for a process: what it runs with after any re-exec. */
function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
}

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

describe('heap settings', () => {
  it('runs with the documented heap flags, in the PID it was started as', async () => {
    const sightline = await startSightline({ upstream: app.url });
    try {
      const args = commandLine(sightline.child.pid as number);
      for (const flag of HEAP_FLAGS) expect(args).toContain(flag);
      expect((await send(`${sightline.proxyUrl}/hello`)).status).toBe(200);
    } finally {
      await sightline.stop();
    }
  });

  it('keeps a young-generation size the operator chose in NODE_OPTIONS: no re-exec, no flag of its own', async () => {
    const sightline = await startSightline({ upstream: app.url, env: { NODE_OPTIONS: '--max-semi-space-size=8' } });
    try {
      const args = commandLine(sightline.child.pid as number);
      expect(args.some((arg) => arg.startsWith('--max-semi-space-size'))).toBe(false);
      expect((await send(`${sightline.proxyUrl}/hello`)).status).toBe(200);
    } finally {
      await sightline.stop();
    }
  });
});

describe('the bundle (npm run build)', () => {
  let bundle: string;
  beforeAll(async () => {
    const buildScript: string = new URL('../../scripts/build.mjs', import.meta.url).href;
    const { buildBundle } = (await import(buildScript)) as { buildBundle: () => Promise<string> };
    bundle = await buildBundle();
  }, 60_000);

  it('prints its version and proxies a request like the sources do', async () => {
    const version = await runSightline(['--version']);
    const child = spawn(process.execPath, [bundle, '--version'], { cwd: PROJECT_ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toBe(version.stdout);

    const sightline = await startSightline({ upstream: app.url, bin: bundle });
    try {
      const response = await send(`${sightline.proxyUrl}/hello`);
      expect(response.status).toBe(200);
      expect(response.headers['x-request-id']).toMatch(/[0-9a-f-]{36}/);
      await sightline.waitForLog((line) => line.msg === 'request' && line['url.path'] === '/hello');
    } finally {
      await sightline.stop();
    }
  });
});
