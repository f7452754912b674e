// `npm run build:sea`: dist/sightline, a single executable (Node's single executable applications) for
// use outside containers: Node 24 and Sightline in one file, no node_modules or Node install needed.
// It is this project's pinned Node binary with the CommonJS bundle and the heap flags injected (postject).

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildCommonJsBundle } from './build.mjs';

const dist = (name) => fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
export const SINGLE_EXECUTABLE = dist('sightline');

/** Must equal HEAP_FLAGS in src/core/lifecycle/heap-flags.ts (a test checks): the executable cannot re-exec itself with them. */
export const SEA_EXEC_ARGV = ['--max-semi-space-size=4'];

// The fuse string Node's binary carries for postject to flip (documented in Node's single-executable-applications page).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export async function buildSingleExecutable() {
  mkdirSync(dist(''), { recursive: true });
  const main = await buildCommonJsBundle(dist('sightline-sea.cjs'));
  const blob = dist('sightline-sea.blob');
  const seaConfig = dist('sea-config.json');
  writeFileSync(seaConfig, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, execArgv: SEA_EXEC_ARGV }));
  // The Node that runs this script is the pinned Node 24 (npm scripts put it first on PATH).
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'ignore' });
  rmSync(SINGLE_EXECUTABLE, { force: true });
  copyFileSync(process.execPath, SINGLE_EXECUTABLE);
  chmodSync(SINGLE_EXECUTABLE, 0o755);
  const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  execFileSync(process.execPath, [postject, SINGLE_EXECUTABLE, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], { stdio: 'ignore' });
  for (const f of [main, blob, seaConfig]) rmSync(f, { force: true });
  return SINGLE_EXECUTABLE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (Number(process.versions.node.split('.')[0]) < 24) throw new Error(`run through npm (npm run build:sea) so the pinned Node 24 builds it, not ${process.version}`);
  process.stdout.write(`${await buildSingleExecutable()}\n`);
}
