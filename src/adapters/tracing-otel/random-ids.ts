// Trace and span ids for requests that are not sampled, so the app still gets a traceparent to log.
// Random bytes are drawn from the kernel 4 KiB at a time: one id costs a slice of a buffer, not a syscall.

import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;

export class RandomIds {
  readonly #pool = Buffer.allocUnsafe(POOL_SIZE);
  #offset = POOL_SIZE;

  /** 32 hex digits, never all zero (an all-zero id is invalid). */
  traceId(): string {
    return this.#take(16);
  }

  /** 16 hex digits, never all zero. */
  spanId(): string {
    return this.#take(8);
  }

  #take(bytes: number): string {
    for (;;) {
      if (this.#offset + bytes > POOL_SIZE) {
        randomFillSync(this.#pool);
        this.#offset = 0;
      }
      const start = this.#offset;
      this.#offset += bytes;
      for (let i = start; i < start + bytes; i++) if (this.#pool[i] !== 0) return this.#pool.toString('hex', start, start + bytes);
    }
  }
}
