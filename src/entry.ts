// The process entry, for both the sources (bin/sightline.js) and the bundle (dist/sightline.mjs): it
// gives V8 the heap Sightline is sized for (src/core/lifecycle/heap-flags.ts), then starts main.ts.
// Missing flags are added by re-executing this same process with them: execve keeps the PID, so a
// container runtime's signals still reach it, and costs one Node start (about 40 ms).

import { isSea } from 'node:sea';
import { missingHeapFlags } from './core/lifecycle/heap-flags.ts';

// A single executable (scripts/build-sea.mjs) carries the flags in its own blob and takes every
// argument as its own, so it is never re-executed with flags in front.
const missing = missingHeapFlags(process.execArgv, process.env.NODE_OPTIONS ?? '');
if (missing.length > 0 && !isSea() && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, process.argv[1] as string, ...process.argv.slice(2)]);
}
// Not awaited: the bundle for a single executable is CommonJS, which has no top-level await.
void import('./main.ts');
