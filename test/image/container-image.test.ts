// The container image, without a Docker engine (none on these machines): the Dockerfile is checked
// against the rules hadolint would apply and against the project it builds, and the bundle it ships is
// run the way the image runs it: alone in its directory, as uid 65532, on a read-only root filesystem.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/core/config/model.ts';
import { startApp, type TestApp } from '../support/apps.ts';
import { send } from '../support/http-client.ts';
import { PROJECT_ROOT, startSightline } from '../support/sightline.ts';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Dockerfile instructions, with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') start = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const whole = `${pending}${line}`;
    pending = '';
    const cut = whole.search(/\s/);
    instructions.push({ keyword: whole.slice(0, cut).toUpperCase(), args: whole.slice(cut + 1).trim(), line: start });
  });
  return instructions;
}

/** Instructions grouped by build stage (each starting at its FROM). */
function stages(instructions: readonly Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') out.push([]);
    out.at(-1)?.push(ins);
  }
  return out;
}

const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);
const [buildStage = [], runtimeStage = []] = stages(instructions);
const packageJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const argDefault = (name: string): string | undefined => instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith(`${name}=`))?.args.slice(name.length + 1);
const only = (stage: readonly Instruction[], keyword: string): Instruction[] => stage.filter((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  it('builds in a full Node image and ships on distroless Node 24, every base image pinned to a tag (DL3006, DL3007)', () => {
    const froms = only(instructions, 'FROM');
    expect(froms).toHaveLength(2);
    for (const from of froms) {
      const image = (from.args.split(/\s+/)[0] as string).replace('${NODE_VERSION}', argDefault('NODE_VERSION') ?? '');
      expect(image, `line ${from.line}`).toMatch(/:[\w.-]+$/);
      expect(image, `line ${from.line}`).not.toMatch(/:latest$/);
    }
    expect(froms[0]?.args).toMatch(/^node:\$\{NODE_VERSION\}-\S+ AS build$/);
    expect(froms[1]?.args).toMatch(/^gcr\.io\/distroless\/nodejs24-debian12:nonroot$/);
  });

  it('builds with the Node the project pins (the `node` devDependency)', () => {
    expect(argDefault('NODE_VERSION')).toBe(packageJson.devDependencies.node);
  });

  it('installs from the lockfile and builds the bundle with the script the tests run', () => {
    const runs = only(buildStage, 'RUN').map((r) => r.args);
    expect(runs.some((r) => /^npm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm install\b/.test(r))).toBe(false);
    expect(runs).toContain('node scripts/build.mjs');
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    for (const copy of only(buildStage, 'COPY')) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        expect(existsSync(join(PROJECT_ROOT, source)), `${source} (line ${copy.line})`).toBe(true);
        expect(ignored, `${source} (line ${copy.line})`).not.toContain(source.replace(/\/$/, ''));
      }
    }
    for (const needed of ['node_modules', '.git', 'dist']) expect(ignored).toContain(needed);
  });

  it('ships the bundle and its licence notes only, from the build stage', () => {
    const copies = only(runtimeStage, 'COPY');
    expect(copies).toHaveLength(1);
    expect(copies[0]?.args).toBe('--from=build /src/dist/sightline.mjs /src/dist/sightline.mjs.LEGAL.txt /app/');
    expect(only(runtimeStage, 'RUN')).toEqual([]);
  });

  it('runs as a non-root user (DL3002), exposes the default ports and starts the bundle in exec form (DL3025)', () => {
    expect(only(runtimeStage, 'USER').at(-1)?.args).toBe('65532:65532');
    const defaults = readConfig({ values: {}, origins: new Map() }).config;
    expect(only(runtimeStage, 'EXPOSE').flatMap((e) => e.args.split(/\s+/)).map(Number).sort()).toEqual([defaults.admin.port, defaults.listen.port].sort());
    expect(JSON.parse(only(runtimeStage, 'ENTRYPOINT').at(-1)?.args ?? 'null')).toEqual(['/nodejs/bin/node', '/app/sightline.mjs']);
    expect(JSON.parse(only(runtimeStage, 'CMD').at(-1)?.args ?? 'null')).toEqual(['run']);
  });

  it('follows the general rules: no ADD (DL3020), absolute WORKDIR (DL3000), no cd or sudo in RUN (DL3003, DL3004)', () => {
    expect(only(instructions, 'ADD')).toEqual([]);
    for (const w of only(instructions, 'WORKDIR')) expect(w.args, `line ${w.line}`).toMatch(/^\//);
    for (const r of only(instructions, 'RUN')) {
      expect(r.args, `line ${r.line}`).not.toMatch(/(^|&&|;)\s*cd\s/);
      expect(r.args, `line ${r.line}`).not.toMatch(/\bsudo\b/);
    }
    const known = new Set(['FROM', 'ARG', 'WORKDIR', 'COPY', 'RUN', 'USER', 'EXPOSE', 'ENTRYPOINT', 'CMD', 'ENV', 'LABEL']);
    for (const ins of instructions) expect(known.has(ins.keyword), `${ins.keyword} at line ${ins.line}`).toBe(true);
  });
});

/** Whether this machine lets a test build a private read-only view of `/` (a mount namespace). */
function canMountReadOnly(): boolean {
  return spawnSync('unshare', ['-m', 'sh', '-c', 'mount -o remount,bind,ro / && ! touch /.sightline-ro-probe 2>/dev/null'], { stdio: 'ignore' }).status === 0;
}

describe('the bundle the image ships, run as the image runs it', () => {
  let app: TestApp;
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    app = await startApp();
    const buildScript: string = new URL('../../scripts/build.mjs', import.meta.url).href;
    const { buildBundle } = (await import(buildScript)) as { buildBundle: (outfile: string) => Promise<string> };
    // Alone in a directory of its own, as in /app: no package.json, no node_modules beside it.
    dir = mkdtempSync(join(tmpdir(), 'sightline-image-'));
    chmodSync(dir, 0o755); // readable by uid 65532, like /app
    bundle = await buildBundle(join(dir, 'sightline.mjs'));
    rmSync(`${bundle}.LEGAL.txt`);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!canMountReadOnly())('serves as uid 65532 on a read-only root filesystem, with nothing beside it', async () => {
    const readOnlyAsNonRoot = [
      'unshare', '-m', 'sh', '-c',
      'mount -o remount,bind,ro / && exec setpriv --reuid=65532 --regid=65532 --clear-groups -- "$@"', 'sh',
    ];
    const sightline = await startSightline({ upstream: app.url, bin: bundle, wrapper: readOnlyAsNonRoot, set: { 'drain.delay': '0s' } });
    try {
      const status = readFileSync(`/proc/${sightline.child.pid as number}/status`, 'utf8');
      expect(/^Uid:\s+65532\b/m.test(status)).toBe(true);
      const root = readFileSync(`/proc/${sightline.child.pid as number}/mountinfo`, 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[4] === '/');
      expect(root?.[5]?.split(',')).toContain('ro');
      const reply = await send(`${sightline.proxyUrl}/orders/1`);
      expect(reply.status).toBe(200);
      expect((await send(`${sightline.adminUrl}/healthz`)).status).toBe(200);
      const metrics = (await send(`${sightline.adminUrl}/metrics`)).text();
      expect(metrics).toContain(`sightline_build_info{version="${packageJson.version}"} 1`);
      expect(metrics).toMatch(/http_server_request_duration_seconds_count\{[^}]*http_route="default"[^}]*\} 1/);
      sightline.child.kill('SIGTERM');
      await sightline.exited;
      // Nothing written beside the bundle (the image's /app is read-only too).
      expect(readdirSync(dir)).toEqual(['sightline.mjs']);
    } finally {
      await sightline.stop();
    }
  });

  it('prints the version built into it', () => {
    const run = spawnSync(process.execPath, [bundle, '--version'], { cwd: '/', encoding: 'utf8' });
    expect(run.stdout).toBe(`sightline ${packageJson.version}\n`);
    expect(run.status).toBe(0);
  });
});
