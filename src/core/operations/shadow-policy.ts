// Traffic shadowing (Envoy's request mirroring): which of a route's requests are mirrored to the shadow
// upstream (a share, drawn with the injected randomness, and a flag when one is set), and how many
// shadow requests may be in flight at once, so a slow shadow can never pile up memory in the sidecar.
// The shadow's answers never reach the client: they are only counted (ShadowResult).

import type { ShadowConfig } from '../config/shadow.ts';
import type { FeatureFlag } from './feature-flag.ts';
import type { RequestKeys } from './request-keys.ts';

/** How a shadow request ended: its status class, what went wrong, or why it was not sent. */
export type ShadowResult =
  | '1xx' | '2xx' | '3xx' | '4xx' | '5xx'
  | 'connect_failure' | 'timeout' | 'reset' | 'protocol_error'
  /** maxInFlight shadow requests were already out. */
  | 'dropped_overloaded'
  /** The body was streamed, not held (over the buffer limit): only held bodies are mirrored. */
  | 'skipped_body';

export class ShadowPolicy {
  readonly origin: string;
  readonly timeoutMs: number;
  readonly #ratio: number;
  readonly #flag: FeatureFlag | null;
  readonly #random: () => number;
  readonly #maxInFlight: number;
  #inFlight = 0;

  constructor(config: ShadowConfig, flag: FeatureFlag | null, random: () => number) {
    this.origin = config.origin;
    this.timeoutMs = config.timeoutMs;
    this.#ratio = config.ratio;
    this.#flag = flag;
    this.#random = random;
    this.#maxInFlight = config.maxInFlight;
  }

  /** The request is to be mirrored: its flag (if any) is on for it, and it falls in the share. */
  chosen(request: RequestKeys): boolean {
    if (this.#ratio <= 0) return false;
    if (this.#flag !== null && !this.#flag.isOnFor(request)) return false;
    return this.#ratio >= 1 || this.#random() < this.#ratio;
  }

  /** Takes a slot for one shadow request; false when maxInFlight are out (the shadow is dropped). */
  tryAcquire(): boolean {
    if (this.#inFlight >= this.#maxInFlight) return false;
    this.#inFlight++;
    return true;
  }

  release(): void {
    this.#inFlight--;
  }

  get inFlight(): number {
    return this.#inFlight;
  }
}

/** The result of a shadow request that got an answer. */
export function statusClass(status: number): ShadowResult {
  return status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : status >= 200 ? '2xx' : '1xx';
}

/** Envoy's shadow authority: `-shadow` after the host name, before any port (`shop:8080` → `shop-shadow:8080`). */
export function shadowHost(host: string): string {
  const close = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  return colon > close ? `${host.slice(0, colon)}-shadow${host.slice(colon)}` : `${host}-shadow`;
}
