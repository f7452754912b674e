// Fault injection for chaos rehearsals (Envoy's fault filter): an eligible request (its flag on for it,
// and carrying the opt-in header when one is set) is aborted with a chosen status, or delayed before it
// is sent to the app, each for a share of requests drawn with the injected randomness.

import type { FaultConfig } from '../config/operations.ts';
import type { FeatureFlag } from './feature-flag.ts';
import type { RequestKeys } from './request-keys.ts';

export type FaultKind = 'delay' | 'abort';

/** `decide`'s answers besides a delay in milliseconds (which is always ≥ 1). */
export const NO_FAULT = 0;
export const ABORT = -1;

export class FaultInjector {
  /** Lower-case header a request must carry to be eligible; '' for any request. */
  readonly header: string;
  readonly flag: FeatureFlag;
  readonly abortStatus: number;
  readonly #abortRatio: number;
  readonly #delayRatio: number;
  readonly #least: number;
  readonly #spread: number;
  readonly #random: () => number;

  constructor(config: FaultConfig, flag: FeatureFlag, random: () => number) {
    this.header = config.header;
    this.flag = flag;
    this.abortStatus = config.abort.status;
    this.#abortRatio = config.abort.ratio;
    this.#delayRatio = config.delay.durationMs[1] > 0 ? config.delay.ratio : 0;
    this.#least = config.delay.durationMs[0];
    this.#spread = config.delay.durationMs[1] - config.delay.durationMs[0];
    this.#random = random;
  }

  /** The request may get a fault: it has the opt-in header (if any), and the flag is on for it. */
  eligible(request: RequestKeys): boolean {
    if (this.header !== '' && request.header(this.header) === undefined) return false;
    return this.flag.isOnFor(request);
  }

  /** For an eligible request: ABORT, a delay in milliseconds (≥ 1), or NO_FAULT. An abort wins over a delay. */
  decide(): number {
    if (this.#abortRatio > 0 && this.#random() < this.#abortRatio) return ABORT;
    if (this.#delayRatio > 0 && this.#random() < this.#delayRatio) {
      const ms = this.#spread > 0 ? this.#least + this.#random() * this.#spread : this.#least;
      return Math.max(1, Math.round(ms));
    }
    return NO_FAULT;
  }
}
