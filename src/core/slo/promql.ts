// Writing values into PromQL and Prometheus rule files.

/** A PromQL string literal: any route name, quotes and backslashes included, stays one valid string. */
export function promString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** Drops binary floating-point noise (1 - 0.999 = 0.0009999999999998899) so thresholds read as written. */
export function tidy(n: number): number {
  return Number(n.toPrecision(12));
}

/** `0.001` → `0.1%`. */
export function formatPercent(share: number): string {
  return `${tidy(share * 100)}%`;
}

const UNITS: readonly (readonly [string, number])[] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];

/** A Prometheus duration in its largest exact unit: `30d`, `36h`, `90m`, `1500ms`. */
export function promDuration(ms: number): string {
  for (const [unit, factor] of UNITS) if (ms % factor === 0) return `${ms / factor}${unit}`;
  return `${ms}ms`;
}

/** Roughly, for people, rounded up (it bounds how long a budget lasts): `2.1d`, `5d`, `4.2m`. */
export function approxDuration(ms: number): string {
  for (const [unit, factor] of UNITS) if (ms >= factor) return `${Math.ceil(tidy((ms / factor) * 10)) / 10}${unit}`;
  return `${Math.ceil(ms)}ms`;
}

/**
 * Alerting rules' labels are Go templates: a value that contains `{{` is written as a template that
 * prints it (a JSON string is also a valid Go string literal), anything else as is.
 */
export function templateLiteral(text: string): string {
  return text.includes('{{') ? `{{ ${JSON.stringify(text)} }}` : text;
}
