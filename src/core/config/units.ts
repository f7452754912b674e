// Durations and sizes as people write them in YAML, env and flags: `250ms`, `5s`, `1m30s`, `30d`, `64KiB`.
// Bare numbers are refused for durations (is `5` seconds or milliseconds?) except `0`.
// Days are for SLO windows; a day is always 24h here, as in Prometheus (no calendar, no DST).

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Parses `250ms`, `5s`, `1m`, `1.5h`, `1m30s`, `30d` or `0` into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s.length === 0) return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const start = DURATION_PART.lastIndex;
    const m = DURATION_PART.exec(s);
    if (m === null || m.index !== start) return undefined;
    total += Number(m[1]) * (DURATION_UNITS_MS[m[2] as string] as number);
  }
  return Math.round(total);
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Parses `512`, `512B`, `64KiB`, `1MiB`, `1.5GB` into bytes; undefined when malformed. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (m === null) return undefined;
  const unit = (m[2] as string).toLowerCase();
  const factor = unit === '' ? 1 : SIZE_UNITS[unit];
  if (factor === undefined) return undefined;
  return Math.round(Number(m[1]) * factor);
}

/** Formats milliseconds back into the shortest exact form `parseDuration` accepts. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, factor] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % factor === 0) return `${ms / factor}${unit}`;
  }
  return `${ms}ms`;
}

/** Formats bytes into the binary unit form `parseSize` accepts. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}B`;
}
