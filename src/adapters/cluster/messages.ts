// The messages the primary and its workers exchange over cluster IPC. Every one carries a `type` starting
// with `sightline:` so anything else on the channel (another library's messages) is left alone.
// The channel uses Node's `advanced` serialization (structured clone), so the Config and metric values
// such as Infinity and NaN arrive as they were sent.

import type { Config } from '../../core/config/model.ts';

/** What the primary can ask every worker for: its metrics (prom-client JSON), its recent traces, or its live stats (a StatsSnapshot). */
export type CollectKind = 'metrics' | 'traces' | 'stats';

export type ToWorker =
  /** The answer to `hello`: the config the primary validated, with the proxy port already resolved. */
  | { readonly type: 'sightline:start'; readonly config: Config }
  | { readonly type: 'sightline:collect'; readonly id: number; readonly kind: CollectKind }
  /** A config reload the primary validated: route with it from now on; answered with `collected`. */
  | { readonly type: 'sightline:reload'; readonly id: number; readonly config: Config }
  /** The drain has begun: keep serving, but ask clients to close their connections. */
  | { readonly type: 'sightline:draining' }
  /** drain.delay is over: stop accepting, finish in-flight requests within drain.timeout, exit. */
  | { readonly type: 'sightline:drain' }
  /** Cut everything and exit now. */
  | { readonly type: 'sightline:expedite' };

export type FromWorker =
  /** The worker's code is loaded and listening for messages: send it the config. */
  | { readonly type: 'sightline:hello' }
  | { readonly type: 'sightline:listening'; readonly address: string; readonly port: number }
  /** The worker could not start (e.g. the proxy port is taken); it exits next. */
  | { readonly type: 'sightline:failed'; readonly message: string }
  /** The answer to `collect`: the data, or why there is none. */
  | { readonly type: 'sightline:collected'; readonly id: number; readonly data?: unknown; readonly error?: string };

function isTyped(message: unknown): message is { type: string } {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && (message as { type: string }).type.startsWith('sightline:');
}

export function isToWorker(message: unknown): message is ToWorker {
  return isTyped(message);
}

export function isFromWorker(message: unknown): message is FromWorker {
  return isTyped(message);
}
