// Connection-level events as log lines, at most one of each kind a minute: a flood of garbage or of
// connections must not turn into a flood of log lines. Each line says how many like it were left out.

import type { Reason } from '../../core/http/reasons.ts';
import type { ConnectionEvents } from '../../ports/connection-events.ts';
import type { Logger } from '../../ports/logger.ts';

/** At most one event per interval passes; the ones held back are counted for the next. */
class OncePerInterval {
  readonly #intervalMs: number;
  #last = -Infinity;
  #held = 0;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** The number held back since the last one that passed, or -1 when this one is held back too. */
  take(now: number): number {
    if (now - this.#last < this.#intervalMs) {
      this.#held++;
      return -1;
    }
    const held = this.#held;
    this.#held = 0;
    this.#last = now;
    return held;
  }
}

export interface ConnectionLogOptions {
  readonly maxConnections: number;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  readonly intervalMs?: number;
}

export function connectionLog(log: Logger, options: ConnectionLogOptions): ConnectionEvents {
  const interval = options.intervalMs ?? 60_000;
  const drops = new OncePerInterval(interval);
  const refusals = new OncePerInterval(interval);
  return {
    connectionDropped() {
      const held = drops.take(options.now());
      if (held >= 0) log.warn({ maxConnections: options.maxConnections, notLogged: held }, 'connection limit reached: new connections closed at once (server.maxConnections)');
    },
    clientError(reason: Reason, code: string | undefined, clientAddress: string | undefined) {
      const held = refusals.take(options.now());
      if (held >= 0) log.info({ reason, code, 'client.address': clientAddress, notLogged: held }, 'client error: request refused before it was handled');
    },
  };
}
