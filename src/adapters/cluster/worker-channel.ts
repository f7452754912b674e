// The worker's end of the cluster IPC channel. A worker takes its orders from the primary only: it gets
// the validated config from it, reports when its proxy listener is up, answers requests for its metrics
// and traces, and drains when told to.
//
// Signals: Kubernetes (and `docker stop`) signal PID 1, the primary, which drains the workers in order.
// A terminal's Ctrl-C, though, signals the whole process group: were workers to act on it, each would
// drain (or die) on its own and the primary would see crashes. So workers ignore SIGINT, SIGTERM and
// SIGHUP; the primary relays the shutdown and the reload. A worker whose primary is gone (the channel
// closes: the primary was SIGKILLed) drains by itself rather than serve on as an orphan.

import cluster from 'node:cluster';
import type { Config } from '../../core/config/model.ts';
import { isToWorker, type CollectKind, type FromWorker, type ToWorker } from './messages.ts';

export interface WorkerOrders {
  /** The drain began: keep serving, with `Connection: close`. */
  draining(): void;
  /** Stop accepting, finish what is in flight, exit. Also when the primary is gone. */
  drain(): void;
  /** Cut everything, exit now. */
  expedite(): void;
  /** This worker's metrics, traces or live stats, ready for structured clone. */
  collect(kind: CollectKind): unknown;
  /** Route new requests with this config (validated by the primary). */
  reload(config: Config): void;
}

/** True in a process the primary forked: it must run as a worker, whatever its command line says. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

export class WorkerChannel {
  #orders: WorkerOrders | undefined;
  #onStart: ((config: Config) => void) | undefined;
  #onGone: (() => void) | undefined;

  constructor() {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
    process.on('message', (message: unknown) => {
      if (isToWorker(message)) this.#receive(message);
    });
    process.on('disconnect', () => {
      if (this.#orders !== undefined) this.#orders.drain();
      else this.#onGone?.();
    });
  }

  /** The cluster's id of this worker (1, 2, ...; a replacement gets a new one). */
  get workerId(): number {
    return cluster.worker?.id ?? 0;
  }

  /** Asks the primary for the config; rejects if the primary goes away first. */
  config(): Promise<Config> {
    return new Promise((resolve, reject) => {
      this.#onStart = resolve;
      this.#onGone = () => reject(new Error('the primary process is gone'));
      this.#send({ type: 'sightline:hello' });
    });
  }

  /** From now on the primary's orders go to `orders`. Call before reporting `listening`. */
  serve(orders: WorkerOrders): void {
    this.#orders = orders;
  }

  listening(address: string, port: number): void {
    this.#send({ type: 'sightline:listening', address, port });
  }

  failed(message: string): void {
    this.#send({ type: 'sightline:failed', message });
  }

  #receive(message: ToWorker): void {
    if (message.type === 'sightline:start') {
      this.#onStart?.(message.config);
      this.#onStart = undefined;
      return;
    }
    const orders = this.#orders;
    if (orders === undefined) return; // the primary sends orders only to workers that listen
    switch (message.type) {
      case 'sightline:collect':
        void Promise.resolve()
          .then(() => orders.collect(message.kind))
          .then(
            (data) => this.#send({ type: 'sightline:collected', id: message.id, data }),
            (err: unknown) => this.#send({ type: 'sightline:collected', id: message.id, error: String(err) }),
          );
        return;
      case 'sightline:reload':
        try {
          orders.reload(message.config);
          this.#send({ type: 'sightline:collected', id: message.id, data: true });
        } catch (err) {
          this.#send({ type: 'sightline:collected', id: message.id, error: String(err) });
        }
        return;
      case 'sightline:draining':
        orders.draining();
        return;
      case 'sightline:drain':
        orders.drain();
        return;
      case 'sightline:expedite':
        orders.expedite();
        return;
    }
  }

  #send(message: FromWorker): void {
    // The channel is gone while the primary dies: nothing to tell it any more.
    if (process.connected) process.send?.(message);
  }
}
