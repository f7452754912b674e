// The V8 heap Sightline is sized for, and which of those flags a process still lacks.
//
// Node's defaults let a busy proxy's heap grow to 200+ MB: V8 enlarges the young generation up to
// 16 MB per semi-space under allocation pressure and lets the old generation grow far past what a
// proxy keeps alive. A proxy's garbage is short-lived (a few KiB per request), so 2 MB semi-spaces
// keep the young generation small and each scavenge short. 1 MB was tried and cost about 50% more CPU
// per request (more scavenges, and requests in flight promoted early); 2, 4 and 8 MB measured the same
// within this machine's noise, and 16 MB (the default's ceiling) added ~20 MB of peak RSS. The old
// generation holds config, connection pools and telemetry buffers, well under the cap, which is there
// to fail loudly rather than to squeeze.

export const HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=96'];

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
