// The V8 heap Sightline is sized for, and which of those flags a process still lacks.
//
// Node's defaults let a busy proxy's heap grow to 200+ MB: V8 enlarges the young generation up to
// 16 MB per semi-space under allocation pressure and lets the old generation grow far past what a
// proxy keeps alive. A proxy's garbage is short-lived (a few KiB per request), so small semi-spaces
// cost little CPU and keep each scavenge pause short; the old generation holds config, connection
// pools and telemetry buffers, well under the cap (which is there to fail loudly, not to squeeze).

export const HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--max-old-space-size=96'];

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
