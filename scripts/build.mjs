// `npm run build`: one ES module, dist/sightline.mjs, holding Sightline and its dependencies; what the
// container image and the benchmark run. Loading one file instead of ~400 modules, with no TypeScript
// to strip at start, makes the process start faster and sit about 40 MB lighter.
// Run it as `node dist/sightline.mjs run ...` (Node 24). It needs no other file: its version is built in.

import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export const BUNDLE = fileURLToPath(new URL('../dist/sightline.mjs', import.meta.url));

const COMMON = {
  entryPoints: [fileURLToPath(new URL('../src/entry.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  target: 'node24',
  define: { SIGHTLINE_VERSION: JSON.stringify(VERSION) },
  legalComments: 'external',
  logLevel: 'warning',
};

/** Builds the bundle; tests give their own `outfile` so builds running at once never share a file. */
export async function buildBundle(outfile = BUNDLE) {
  await build({
    ...COMMON,
    outfile,
    format: 'esm',
    // Some dependencies are CommonJS and call require(): give the module one.
    banner: { js: "import { createRequire as __sightlineRequire } from 'node:module'; const require = __sightlineRequire(import.meta.url);" },
  });
  return outfile;
}

/** The same program as one CommonJS file: what Node 24's single executable applications take as main. */
export async function buildCommonJsBundle(outfile) {
  // import.meta only appears where the version is read from package.json, a branch the define removes.
  await build({ ...COMMON, outfile, format: 'cjs', legalComments: 'none', logOverride: { 'empty-import-meta': 'silent' } });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundle();
