// A route's traffic shadowing in config: a share of its requests mirrored to a second upstream (a new
// version, say), fire and forget. Inherited from defaultRoute like the other policies; off while
// `shadow.upstream` is empty.

import { parseUpstreamOrigin } from './address.ts';
import { invalid, type Invalid, type Section } from './reader.ts';

export interface ShadowConfig {
  /** `http://host:port` of the shadow, normalised; '' for no shadowing. */
  readonly origin: string;
  /** Share of the route's requests mirrored. */
  readonly ratio: number;
  /** A flag that must be on for the request too; '' for none. */
  readonly flag: string;
  /** Longest a shadow request may take; then it is cut (and counted as a timeout). */
  readonly timeoutMs: number;
  /** Shadow requests of the route in flight at once; beyond it, more are dropped (and counted). */
  readonly maxInFlight: number;
}

export const BUILT_IN_SHADOW: ShadowConfig = { origin: '', ratio: 1, flag: '', timeoutMs: 5000, maxInFlight: 64 };

function shadowOrigin(text: string): string | Invalid {
  if (text.trim() === '') return '';
  const parsed = parseUpstreamOrigin(text);
  return typeof parsed === 'string' ? invalid(parsed.replace("the app is reached over plain http on the pod's loopback", 'shadows are sent over plain http')) : parsed.origin;
}

/** `flagReference` checks `flag` against the declared flags (flags.ts). */
export function readShadow(s: Section, base: ShadowConfig, flagReference: (text: string) => string | Invalid): ShadowConfig {
  const flag = s.text<string | null>('flag', null, flagReference);
  return {
    origin: s.text('upstream', base.origin, shadowOrigin),
    ratio: s.ratio('percentage', base.ratio, { min: 0, max: 1 }),
    flag: flag ?? base.flag,
    timeoutMs: s.duration('timeout', base.timeoutMs, { min: 1, max: 10 * 60_000 }),
    maxInFlight: s.int('maxInFlight', base.maxInFlight, { min: 1, max: 100_000 }),
  };
}
