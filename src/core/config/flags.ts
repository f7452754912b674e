// Feature flags in config: `flags: {chaos: false, new-retry: 25%, beta: {enabled: 10%, key: x-user-id}}`.
// A flag is on for a share of requests, chosen by a stable hash of a request header (one user stays on one
// side) or of the request id. `SIGHTLINE_FLAG_<NAME>` overrides a declared flag's value from the
// environment; it reaches here through the env layer as `flags.SIGHTLINE_FLAG_<NAME>` (command-line.ts).

import { invalid, type Invalid, type Section } from './reader.ts';

export interface FlagConfig {
  readonly name: string;
  /** Share of requests the flag is on for: 0 off, 1 on, anything between by the stable hash. */
  readonly ratio: number;
  /** Lower-case request header whose value is hashed; '' for the request id (a new side per request). */
  readonly key: string;
  /** Where the value came from: the config (file or --set), or its SIGHTLINE_FLAG_<NAME> variable. */
  readonly source: 'config' | 'env';
}

/** A flag's effective setting, JSON-ready: for /debug/config and the dashboard. */
export interface FlagState {
  readonly name: string;
  /** true, false, or the share it is on for, e.g. "25%". */
  readonly value: boolean | string;
  /** The header whose value decides the side; null: the request id. */
  readonly key: string | null;
  readonly source: 'config' | 'env';
  /** The variable that overrides it. */
  readonly env: string;
}

export const FLAG_ENV_PREFIX = 'SIGHTLINE_FLAG_';

const FLAG_NAME = /^[a-z][a-z0-9_-]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The variable that overrides a flag: its name upper-cased, `-` as `_`. */
export function flagEnvVariable(name: string): string {
  return FLAG_ENV_PREFIX + name.toUpperCase().replaceAll('-', '_');
}

/** The flags' effective settings, in the order they were declared. Pure: JSON-ready data only. */
export function flagStates(flags: readonly FlagConfig[]): FlagState[] {
  return flags.map((f) => ({
    name: f.name,
    value: f.ratio <= 0 ? false : f.ratio >= 1 ? true : formatShare(f.ratio),
    key: f.key === '' ? null : f.key,
    source: f.source,
    env: flagEnvVariable(f.name),
  }));
}

function formatShare(ratio: number): string {
  return `${Math.round(ratio * 1e6) / 1e4}%`;
}

/**
 * A flag's value as written in short form or in an env variable: `true`, `false` or a percentage
 * (`25%`). A bare number is refused: `1` could mean on or 1%.
 */
export function parseFlagValue(value: string | number | boolean): number | Invalid {
  if (typeof value === 'boolean') return value ? 1 : 0;
  const text = String(value).trim().toLowerCase();
  if (text === 'true') return 1;
  if (text === 'false') return 0;
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (m === null) return invalid(`${JSON.stringify(value)} is not true, false or a percentage such as 25%`);
  const percent = Number(m[1]);
  return percent > 100 ? invalid('must be at most 100%') : percent / 100;
}

/** A header name as a flag's or a rate limit's key: written alone (`x-user-id`) or as `header:x-user-id`. */
export function headerKey(text: string): string | Invalid {
  const name = text.startsWith('header:') ? text.slice('header:'.length).trim() : text.trim();
  if (name === '') return '';
  return HEADER_NAME.test(name) ? name.toLowerCase() : invalid(`"${text}" is not a header name (write it alone, e.g. x-user-id)`);
}

/** A declared flag, or the text of an environment override (resolved once every flag is known). */
type Entry = { readonly ratio: number; readonly key: string } | { readonly override: string };

function readFlag(name: string, value: Section | string | number | boolean): Entry | Invalid {
  if (name.startsWith(FLAG_ENV_PREFIX)) return typeof value === 'object' ? invalid('must be true, false or a percentage') : { override: String(value) };
  if (!FLAG_NAME.test(name)) return invalid(`"${name}" is not a flag name: lower-case letters, digits, - and _, starting with a letter`);
  if (typeof value !== 'object') {
    const ratio = parseFlagValue(value);
    return typeof ratio === 'number' ? { ratio, key: '' } : ratio;
  }
  if (!value.has('enabled')) value.report('enabled', 'is required: true, false or a percentage such as 25%');
  return { ratio: value.value('enabled', 0, parseFlagValue), key: value.text('key', '', headerKey) };
}

/** Reads `flags`, applying the environment's overrides; unknown overrides and clashing names are reported. */
export function readFlags(root: Section, key: string): FlagConfig[] {
  const entries = root.entries(key, readFlag);
  const flags: FlagConfig[] = [];
  const byVariable = new Map<string, number>();
  for (const [name, entry] of entries) {
    if ('override' in entry) continue;
    const variable = flagEnvVariable(name);
    const clash = byVariable.get(variable);
    if (clash !== undefined) {
      root.report(`${key}.${name}`, `has the same variable ${variable} as flag "${flags[clash]?.name}": rename one of them`);
      continue;
    }
    byVariable.set(variable, flags.length);
    flags.push({ name, ratio: entry.ratio, key: entry.key, source: 'config' });
  }
  for (const [variable, entry] of entries) {
    if (!('override' in entry)) continue;
    const at = byVariable.get(variable);
    if (at === undefined) {
      const declared = flags.map((f) => f.name).join(', ');
      root.report(`${key}.${variable}`, `overrides no flag: declare it under flags in the config file (declared: ${declared === '' ? 'none' : declared})`);
      continue;
    }
    const ratio = parseFlagValue(entry.override);
    if (typeof ratio !== 'number') {
      root.report(`${key}.${variable}`, ratio.message);
      continue;
    }
    const flag = flags[at] as FlagConfig;
    flags[at] = { ...flag, ratio, source: 'env' };
  }
  return flags;
}

/** The names flags declares, for the routes' references to check against. */
export function flagNames(flags: readonly FlagConfig[]): ReadonlySet<string> {
  return new Set(flags.map((f) => f.name));
}

/** A route's reference to a flag (`fault.flag`, `retry.flag`): '' for none, else a declared flag. */
export function flagReference(known: ReadonlySet<string>) {
  return (text: string): string | Invalid => {
    const name = text.trim();
    if (name === '' || known.has(name)) return name;
    return invalid(`no flag named "${name}": declare it under flags (declared: ${known.size === 0 ? 'none' : [...known].join(', ')})`);
  };
}
