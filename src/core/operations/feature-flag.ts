// A feature flag at run time: on for a share of requests. The side a request falls on is a stable hash
// of its key header's value (one user stays on one side, in every process), or of its request id when
// the flag has no key or the request lacks the header (a fresh side per request). Flags at 0% or 100%
// decide without hashing.

import type { FlagConfig } from '../config/flags.ts';
import type { RequestKeys } from './request-keys.ts';
import { fnv1a, stableFraction } from './stable-hash.ts';

export class FeatureFlag {
  readonly name: string;
  /** Share of requests it is on for, 0..1. */
  readonly ratio: number;
  /** Lower-case header hashed; '' for the request id. */
  readonly key: string;
  /** The flag's name hashed: two flags at 50% do not pick the same users. */
  readonly #seed: number;

  constructor(config: FlagConfig) {
    this.name = config.name;
    this.ratio = config.ratio;
    this.key = config.key;
    this.#seed = fnv1a(`${config.name}\u0000`);
  }

  isOnFor(request: RequestKeys): boolean {
    if (this.ratio >= 1) return true;
    if (this.ratio <= 0) return false;
    const value = (this.key === '' ? undefined : request.header(this.key)) ?? request.requestId ?? '';
    return this.isOnForValue(value);
  }

  /** The side of one key value: the same answer for the same value, always. */
  isOnForValue(value: string): boolean {
    return stableFraction(value, this.#seed) < this.ratio;
  }
}

/** The declared flags by name, each built once and shared by every route that refers to it. */
export function compileFlags(flags: readonly FlagConfig[]): ReadonlyMap<string, FeatureFlag> {
  return new Map(flags.map((f) => [f.name, new FeatureFlag(f)]));
}
