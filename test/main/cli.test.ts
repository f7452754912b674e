// The `sightline` command line: version, help, check-config, bad configs that stop startup, and layering.

import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, unusedPort, type TestApp } from '../support/apps.ts';
import { runSightline, startSightline } from '../support/sightline.ts';
import { send } from '../support/http-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'sightline-cli-'));
function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('sightline --version and --help', () => {
  it('prints the version', async () => {
    const { code, stdout } = await runSightline(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^sightline \d+\.\d+\.\d+\n$/);
  });

  it('prints usage, and refuses unknown arguments with exit 2', async () => {
    const help = await runSightline(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('sightline check-config FILE');
    const bad = await runSightline(['--listne', '1:2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown argument "--listne"');
  });
});

describe('sightline check-config', () => {
  it('accepts the default config', async () => {
    const { code, stdout } = await runSightline(['check-config', 'config/sightline.yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('config/sightline.yaml: OK');
  });

  const cases: [string, string, string][] = [
    ['syntax error', 'listen: 0.0.0.0:15001\nupstream:\n  url: [http://127.0.0.1:8080\n', ':4:1: YAML syntax error'],
    ['unknown key', 'upstream:\n  url: http://127.0.0.1:8080\n  conections: 5\n', ':3:3: upstream.conections: unknown key (did you mean "connections"?)'],
    ['wrong type', 'drain:\n  delay: 5s\nupstream:\n  connections: lots\n', ':4:3: upstream.connections: "lots" is not a whole number'],
    ['bad duration', 'drain:\n  timeout: 20 seconds\n', ':2:3: drain.timeout: "20 seconds" is not a duration'],
    ['duration without unit', 'health:\n  interval: 5\n', ':2:3: health.interval: needs a unit'],
    ['map where a value belongs', 'listen:\n  port: 80\n', ':1:1: listen: must be a single value'],
  ];
  it.each(cases)('gives one precise message for a %s', async (_name, text, expected) => {
    const file = configFile(`${_name.replaceAll(' ', '-')}.yaml`, text);
    const { code, stderr } = await runSightline(['check-config', file]);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe('sightline: invalid configuration (1 error):');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${file}${expected}`);
  });

  it('names a missing file', async () => {
    const { code, stderr } = await runSightline(['check-config', join(dir, 'absent.yaml')]);
    expect(code).toBe(1);
    expect(stderr).toContain('absent.yaml: cannot read the config file: no such file');
  });
});

describe('sightline run', () => {
  it('exits non-zero without starting when the config is invalid', async () => {
    const file = configFile('invalid.yaml', 'upstream:\n  retries: 3\n');
    const { code, stdout, stderr } = await runSightline(['run', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    expect(code).toBe(1);
    expect(stderr).toContain(`${file}:2:3: upstream.retries: unknown key`);
    expect(stdout).not.toContain('listening');
  });

  it('names the env variable or flag that carries a bad value', async () => {
    const { code, stderr } = await runSightline(['run', '--admin', 'nowhere'], { SIGHTLINE_UPSTREAM: 'ftp://app' });
    expect(code).toBe(1);
    expect(stderr).toContain('flag --admin: admin: must be HOST:PORT');
    expect(stderr).toContain('env SIGHTLINE_UPSTREAM: upstream.url: scheme "ftp" is not supported');
  });

  it('layers flags over env over file over defaults', async () => {
    const apps: TestApp[] = [];
    for (let i = 0; i < 3; i++) apps.push(await startApp());
    cleanups.push(async () => {
      for (const a of apps) await a.close();
    });
    const [fileApp, envApp, flagApp] = apps as [TestApp, TestApp, TestApp];
    const file = configFile('layers.yaml', `listen: 127.0.0.1:0\nadmin: 127.0.0.1:0\nupstream:\n  url: ${fileApp.url}\n`);

    const run = async (args: string[], env: Record<string, string>): Promise<number> => {
      const s = await startSightline({ args: ['--config', file, ...args], env });
      cleanups.push(() => s.stop());
      await send(`${s.proxyUrl}/which`);
      return apps.findIndex((a) => a.seen.splice(0).some((r) => r.url === '/which'));
    };
    expect(await run([], {})).toBe(0);
    expect(await run([], { SIGHTLINE_UPSTREAM: envApp.url })).toBe(1);
    expect(await run(['--upstream', flagApp.url], { SIGHTLINE_UPSTREAM: envApp.url })).toBe(2);
    expect(await run([], { SIGHTLINE_CONFIG: file, SIGHTLINE_UPSTREAM: envApp.url })).toBe(1);
  });

  it('answers 502 with the reason header when the upstream port is closed', async () => {
    const port = await unusedPort();
    const s = await startSightline({ upstream: `http://127.0.0.1:${port}` });
    cleanups.push(() => s.stop());
    const reply = await send(`${s.proxyUrl}/`);
    expect(reply.status).toBe(502);
    expect(reply.headers['x-sightline-reason']).toBe('upstream_connect_failure');
  });
});
