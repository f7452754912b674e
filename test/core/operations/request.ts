// A request as the operations features see it (RequestKeys): its headers and request id.

import type { RequestKeys } from '../../../src/core/operations/request-keys.ts';

export class FakeRequest implements RequestKeys {
  readonly requestId: string | undefined;
  readonly #headers: ReadonlyMap<string, string>;
  /** Header lookups made, by name: how much a decision read. */
  readonly asked: string[] = [];

  constructor(headers: Record<string, string> = {}, requestId: string | undefined = 'req-1') {
    this.#headers = new Map(Object.entries(headers));
    this.requestId = requestId;
  }

  header(name: string): string | undefined {
    this.asked.push(name);
    return this.#headers.get(name);
  }
}

/** A deterministic stand-in for Math.random: the given values in turn, then round again. */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}
