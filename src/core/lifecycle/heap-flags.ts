// The V8 heap setting Sightline runs with, and whether a process still lacks it.
//
// A proxy's garbage is short-lived (a few KiB per request): a young generation capped at 4 MB per
// semi-space keeps scavenges short and peak RSS about 10 MB below V8's default ceiling (16 MB) at the
// same CPU. Measured with A/B runs of the bench's saturation load on the bundle (CPU µs per request,
// 1 KiB / 1 MiB responses): 1 MB semi-spaces cost ~150 / — (scavenges every few hundred KiB, requests
// in flight promoted early); 2 MB ~80 / ~2100; 4 MB ~70 / ~1050; 16 MB ~60 / ~1280.
// The old generation is left uncapped on purpose: V8 counts Buffers (external memory) against the heap
// limit, so a cap of 96 or even 256 MB made it collect constantly while 1 MiB bodies streamed through
// (1.8–2.1 ms of CPU per response instead of ~1.1 ms) without bringing peak RSS near 100 MB.

export const HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/** V8 accepts `_` for `-` in flag names. */
function flagName(flag: string): string {
  const eq = flag.indexOf('=');
  return (eq < 0 ? flag : flag.slice(0, eq)).replace(/_/g, '-');
}

/** The HEAP_FLAGS not already set on the command line or in NODE_OPTIONS: the operator's choice wins. */
export function missingHeapFlags(execArgv: readonly string[], nodeOptions: string): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map(flagName));
  return HEAP_FLAGS.filter((flag) => !given.has(flagName(flag)));
}
