// The process entry, for both the sources (bin/sightline.js) and the bundle (dist/sightline.mjs): it
// gives V8 the heap Sightline is sized for (src/core/lifecycle/heap-flags.ts), then starts main.ts.
// Missing flags are added by re-executing this same process with them: execve keeps the PID, so a
// container runtime's signals still reach it, and costs one Node start (about 40 ms).

import { missingHeapFlags } from './core/lifecycle/heap-flags.ts';

const missing = missingHeapFlags(process.execArgv, process.env.NODE_OPTIONS ?? '');
if (missing.length > 0 && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, process.argv[1] as string, ...process.argv.slice(2)]);
}
await import('./main.ts');
