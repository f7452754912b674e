// The primary's side of `workers: N`: forks the workers, hands each the validated config, replaces the
// ones that die (with a backoff, so a crash loop cannot spin), asks them for their metrics and traces,
// and drains them in order. It is the drain sequence's target, as the proxy server is in a single process.
//
// How connections reach the workers: each worker opens its own listening socket on the proxy port with
// SO_REUSEPORT (`reusePort`), and the kernel spreads new connections across the sockets by a hash of
// their addresses, so the primary never touches a connection. (Cluster's default round-robin makes the
// primary accept every connection and pass it on; its SCHED_NONE shares one socket, and whichever worker
// wakes first takes the connection, which left one worker with 80% of them under a load generator.)
// Port 0 is resolved by the first worker: the others, and every replacement, bind the port it got.

import cluster, { type Worker } from 'node:cluster';
import { isSea } from 'node:sea';
import type { Config } from '../../core/config/model.ts';
import type { DrainTarget } from '../../core/lifecycle/drain.ts';
import { RestartBackoff } from '../../core/lifecycle/restart-backoff.ts';
import type { Logger } from '../../ports/logger.ts';
import { isFromWorker, type CollectKind, type FromWorker, type ToWorker } from './messages.ts';

/** Longest wait for the workers' answers to a scrape or a /debug/traces request. */
const COLLECT_TIMEOUT_MS = 2000;
/** After `expedite`, how long a worker gets to cut its connections and exit before it is killed. */
const EXPEDITE_GRACE_MS = 1000;

export interface SupervisorOptions {
  readonly workers: number;
  readonly config: Config;
  readonly log: Logger;
  /** A worker was forked to replace one that died. */
  readonly onRestart: () => void;
  /** The number of workers listening changed. */
  readonly onListeningChange: (listening: number) => void;
  /** During the drain, the last worker has exited. */
  readonly onIdle: () => void;
}

export interface WorkerInfo {
  readonly id: number;
  readonly pid: number | undefined;
  readonly listening: boolean;
  readonly uptimeMs: number;
}

export interface Collected {
  readonly workerId: number;
  readonly data: unknown;
}

interface Slot {
  readonly backoff: RestartBackoff;
  worker: Worker | undefined;
  startedAt: number;
  listening: boolean;
  restartTimer: NodeJS.Timeout | undefined;
}

/** starting: until every worker has listened once; draining: drain.delay; stopping: told to drain; failed: could not start. */
type Phase = 'starting' | 'running' | 'draining' | 'stopping' | 'failed';

interface Collection {
  answer(workerId: number, data: unknown, error: string | undefined): void;
}

export class PrimarySupervisor implements DrainTarget {
  readonly #log: Logger;
  readonly #options: SupervisorOptions;
  readonly #slots: Slot[];
  readonly #collections = new Map<number, Collection>();
  /** What workers are started with; its port 0 becomes the port the first worker got. */
  #config: Config;
  #phase: Phase = 'starting';
  #nextCollection = 0;
  #cleanDrain = true;
  #started: { resolve: (address: { address: string; port: number }) => void; reject: (err: Error) => void } | undefined;
  readonly #stoppedWaiters: (() => void)[] = [];
  /** Workers killed on purpose during the drain (they had nothing to finish): their exit is no failure. */
  readonly #dismissed = new WeakSet<Worker>();

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#config = options.config;
    this.#slots = Array.from({ length: options.workers }, () => ({ backoff: new RestartBackoff(), worker: undefined, startedAt: 0, listening: false, restartTimer: undefined }));
  }

  /** Forks the workers; resolves with the proxy's address once every one of them is listening. */
  start(): Promise<{ address: string; port: number }> {
    // A single executable takes its Node flags from its blob: cluster would pass them on as arguments.
    cluster.setupPrimary({ serialization: 'advanced', ...(isSea() ? { execArgv: [] } : {}) });
    return new Promise((resolve, reject) => {
      this.#started = { resolve, reject };
      // An ephemeral port is known only once the first worker has it: the rest follow it there.
      const first = this.#config.listen.port === 0 ? 1 : this.#slots.length;
      for (const slot of this.#slots.slice(0, first)) this.#fork(slot);
    });
  }

  get size(): number {
    return this.#slots.length;
  }

  get listening(): number {
    let n = 0;
    for (const slot of this.#slots) if (slot.listening) n++;
    return n;
  }

  /** False once a worker exited abnormally during the drain. */
  get drainedCleanly(): boolean {
    return this.#cleanDrain;
  }

  describe(): WorkerInfo[] {
    const now = performance.now();
    const out: WorkerInfo[] = [];
    for (const slot of this.#slots) {
      const w = slot.worker;
      if (w !== undefined) out.push({ id: w.id, pid: w.process.pid, listening: slot.listening, uptimeMs: Math.round(now - slot.startedAt) });
    }
    return out;
  }

  /** Asks every listening worker for its metrics or traces; a worker that does not answer in time is left out. */
  collect(kind: CollectKind): Promise<Collected[]> {
    return this.#ask(kind, (id) => ({ type: 'sightline:collect', id, kind }));
  }

  /**
   * A config reload: every listening worker routes with `config` once this resolves (one that does not
   * answer in time is logged), and workers forked later start with it.
   */
  async reload(config: Config): Promise<void> {
    this.#config = { ...config, listen: this.#config.listen };
    await this.#ask('reload', (id) => ({ type: 'sightline:reload', id, config: this.#config }));
  }

  /** Sends every listening worker the message `ask(id)` and gathers their answers, for up to COLLECT_TIMEOUT_MS. */
  #ask(kind: string, ask: (id: number) => ToWorker): Promise<Collected[]> {
    const targets = this.#slots.flatMap((s) => (s.listening && s.worker !== undefined && s.worker.isConnected() ? [s.worker] : []));
    if (targets.length === 0) return Promise.resolve([]);
    const id = ++this.#nextCollection;
    return new Promise((resolve) => {
      const results: Collected[] = [];
      const waiting = new Set(targets.map((w) => w.id));
      const finish = (): void => {
        clearTimeout(timer);
        this.#collections.delete(id);
        resolve(results);
      };
      const timer = setTimeout(() => {
        this.#log.warn({ kind, workerIds: [...waiting] }, 'workers did not answer in time; left out');
        finish();
      }, COLLECT_TIMEOUT_MS);
      this.#collections.set(id, {
        answer: (workerId, data, error) => {
          if (!waiting.delete(workerId)) return;
          if (error !== undefined) this.#log.warn({ kind, workerId, err: error }, 'worker could not answer');
          else if (data !== undefined) results.push({ workerId, data });
          if (waiting.size === 0) finish();
        },
      });
      const message = ask(id);
      for (const worker of targets) this.#send(worker, message);
    });
  }

  /** Resolves once no worker is left. */
  stopped(): Promise<void> {
    if (this.inFlight() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#stoppedWaiters.push(resolve));
  }

  // The drain, as DrainSequence drives it.

  beginDraining(): void {
    this.#enter('draining');
    for (const slot of this.#slots) if (slot.listening && slot.worker !== undefined) this.#send(slot.worker, { type: 'sightline:draining' });
  }

  stopAccepting(): void {
    this.#enter('stopping');
    for (const slot of this.#slots) {
      if (slot.worker === undefined) continue;
      // A worker that is not listening yet has nothing to finish.
      if (slot.listening) this.#send(slot.worker, { type: 'sightline:drain' });
      else this.#dismiss(slot.worker);
    }
  }

  /** Workers still running: the drain is over when none is. */
  inFlight(): number {
    let n = 0;
    for (const slot of this.#slots) if (slot.worker !== undefined) n++;
    return n;
  }

  forceClose(): void {
    this.#enter('stopping');
    const workers = this.#slots.flatMap((s) => (s.worker === undefined ? [] : [s.worker]));
    for (const worker of workers) this.#send(worker, { type: 'sightline:expedite' });
    setTimeout(() => {
      for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, EXPEDITE_GRACE_MS);
  }

  #enter(phase: 'draining' | 'stopping'): void {
    if (this.#phase !== 'stopping' && this.#phase !== 'failed') this.#phase = phase;
    // Replacements are not started once the drain has begun.
    for (const slot of this.#slots) {
      if (slot.restartTimer !== undefined) clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
    }
  }

  #fork(slot: Slot): void {
    const worker = cluster.fork();
    slot.worker = worker;
    slot.startedAt = performance.now();
    slot.listening = false;
    worker.on('message', (message: unknown) => {
      if (isFromWorker(message)) this.#receive(slot, worker, message);
    });
    // Sending to a worker that is exiting fails; its exit is handled below.
    worker.on('error', (err: Error) => this.#log.debug({ workerId: worker.id, err: err.message }, 'worker channel error'));
    worker.on('exit', (code: number | null, signal: string | null) => this.#exited(slot, worker, code, signal));
  }

  #receive(slot: Slot, worker: Worker, message: FromWorker): void {
    switch (message.type) {
      case 'sightline:hello':
        if (this.#phase === 'starting' || this.#phase === 'running') this.#send(worker, { type: 'sightline:start', config: this.#config });
        else this.#dismiss(worker); // forked just before the drain began: not needed
        return;
      case 'sightline:listening':
        this.#listening(slot, worker, message.address, message.port);
        return;
      case 'sightline:failed':
        this.#log.error({ workerId: worker.id, workerPid: worker.process.pid, err: message.message }, 'worker could not start');
        if (this.#phase === 'starting') this.#failStart(message.message);
        return;
      case 'sightline:collected':
        this.#collections.get(message.id)?.answer(worker.id, message.data, message.error);
        return;
    }
  }

  #listening(slot: Slot, worker: Worker, address: string, port: number): void {
    if (slot.worker !== worker) return;
    slot.listening = true;
    this.#options.onListeningChange(this.listening);
    if (this.#config.listen.port === 0) {
      // The first worker has the ephemeral port: the others (no restarts happen while starting) follow it.
      this.#config = { ...this.#config, listen: { ...this.#config.listen, port } };
      if (this.#phase === 'starting') for (const other of this.#slots) if (other.worker === undefined) this.#fork(other);
    }
    if (this.#phase === 'starting' && this.listening === this.#slots.length) {
      this.#phase = 'running';
      this.#started?.resolve({ address, port });
    } else if (this.#phase === 'running') {
      this.#log.info({ workerId: worker.id, workerPid: worker.process.pid }, 'worker listening');
    } else if (this.#phase === 'draining') {
      this.#send(worker, { type: 'sightline:draining' });
    }
  }

  #exited(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    const wasListening = slot.listening;
    const uptimeMs = Math.round(performance.now() - slot.startedAt);
    slot.worker = undefined;
    slot.listening = false;
    for (const collection of this.#collections.values()) collection.answer(worker.id, undefined, undefined);
    if (wasListening) this.#options.onListeningChange(this.listening);
    const fields = { workerId: worker.id, workerPid: worker.process.pid, code, signal, uptimeMs };

    if (this.#phase === 'failed') return;
    if (this.#phase === 'starting') {
      this.#failStart(`worker ${worker.id} exited (${signal ?? `code ${code}`}) before it was listening`);
      return;
    }
    if (this.#phase === 'running') {
      const pause = slot.backoff.next(uptimeMs);
      this.#log.warn({ ...fields, restartInMs: pause }, 'worker died; replacing it');
      slot.restartTimer = setTimeout(() => {
        slot.restartTimer = undefined;
        if (this.#phase !== 'running') return;
        this.#fork(slot);
        this.#options.onRestart();
      }, pause);
      return;
    }
    // Draining: workers leave for good.
    if (code !== 0 && !this.#dismissed.has(worker)) {
      this.#cleanDrain = false;
      this.#log.warn(fields, 'worker exited abnormally during the drain');
    }
    if (this.inFlight() === 0) {
      for (const resolve of this.#stoppedWaiters.splice(0)) resolve();
      this.#options.onIdle();
    }
  }

  #failStart(message: string): void {
    const started = this.#started;
    if (started === undefined) return;
    this.#started = undefined;
    this.#phase = 'failed';
    for (const slot of this.#slots) slot.worker?.process.kill('SIGKILL');
    started.reject(new Error(message));
  }

  #dismiss(worker: Worker): void {
    this.#dismissed.add(worker);
    worker.process.kill('SIGKILL');
  }

  #send(worker: Worker, message: ToWorker): void {
    if (worker.isConnected()) worker.send(message);
  }
}
