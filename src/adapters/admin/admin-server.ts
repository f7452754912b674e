// The admin listener: liveness, readiness, metrics, recent traces, the live dashboard and its JSON
// (/debug/stats, /debug/config), and the loopback-only shutdown hook.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../../core/config/address.ts';
import type { Readiness } from '../../core/lifecycle/readiness.ts';

export interface Liveness {
  readonly ok: boolean;
  readonly detail: string;
}

export interface AdminHandlers {
  readonly liveness: () => Liveness;
  readonly readiness: () => Readiness;
  /** The scrape, in the format the Accept header asks for. */
  readonly metrics: (accept: string | undefined) => Promise<{ contentType: string; body: string }>;
  /** Starts the graceful drain; true when this call started it. */
  readonly shutdown: () => boolean;
  /** Reloads the config: applied, or refused with each problem (the running config then stays). */
  readonly reload?: () => Promise<{ readonly ok: boolean; readonly errors: readonly string[] }>;
  /** The traces kept in memory, newest first (JSON-ready); with workers, gathered from them. */
  readonly traces: () => unknown | Promise<unknown>;
  /** With workers only: each worker's id, pid, state, requests served and in flight (JSON-ready). */
  readonly workers?: () => Promise<unknown>;
  /** Live traffic statistics per route (JSON-ready): /debug/stats, `?seconds=N` for the last N seconds only. */
  readonly stats?: (query: URLSearchParams) => unknown | Promise<unknown>;
  /** The effective config with secrets redacted (JSON-ready): /debug/config. */
  readonly config?: () => unknown;
  /** Static files served on GET (the dashboard, at /): the file at a path, or undefined. */
  readonly files?: (path: string) => AdminFile | undefined;
  /** The paths `files` serves, for the 404 answer's list. */
  readonly filePaths?: readonly string[];
}

export interface AdminFile {
  readonly contentType: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || (address?.startsWith('127.') ?? false);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), 'cache-control', 'no-store']);
  res.end(body);
}

export class AdminServer {
  readonly #server: Server;
  readonly #handlers: AdminHandlers;

  constructor(handlers: AdminHandlers) {
    this.#handlers = handlers;
    this.#server = createServer({ keepAliveTimeout: 5000, headersTimeout: 5000, requestTimeout: 10_000 }, (req, res) => {
      this.#route(req, res).catch((err: unknown) => json(res, 500, { error: 'internal', message: String(err) }));
    });
  }

  listen(address: ListenAddress): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host: address.host, port: address.port }, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  close(): void {
    this.#server.close();
    this.#server.closeAllConnections();
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    switch (path) {
      case '/healthz': {
        if (!allow(method, res, 'GET', 'HEAD')) return;
        const live = this.#handlers.liveness();
        json(res, live.ok ? 200 : 503, { status: live.ok ? 'ok' : 'unhealthy', detail: live.detail });
        return;
      }
      case '/readyz': {
        if (!allow(method, res, 'GET', 'HEAD')) return;
        const ready = this.#handlers.readiness();
        if (ready.ready) json(res, 200, { status: 'ready' });
        else json(res, 503, { status: 'not_ready', reason: ready.reason, detail: ready.detail });
        return;
      }
      case '/metrics': {
        if (!allow(method, res, 'GET', 'HEAD')) return;
        const { contentType, body } = await this.#handlers.metrics(req.headers.accept);
        res.writeHead(200, ['content-type', contentType, 'content-length', String(Buffer.byteLength(body))]);
        res.end(body);
        return;
      }
      case '/shutdown': {
        if (!allow(method, res, 'POST')) return;
        if (!isLoopback(req.socket.remoteAddress)) {
          json(res, 403, { error: 'forbidden', message: '/shutdown answers loopback callers only' });
          return;
        }
        const started = this.#handlers.shutdown();
        json(res, 202, { status: 'draining', started });
        return;
      }
      case '/reload': {
        const reload = this.#handlers.reload;
        if (reload === undefined) break;
        if (!allow(method, res, 'POST')) return;
        if (!isLoopback(req.socket.remoteAddress)) {
          json(res, 403, { error: 'forbidden', message: '/reload answers loopback callers only' });
          return;
        }
        const result = await reload();
        if (result.ok) json(res, 200, { status: 'reloaded' });
        else json(res, 422, { status: 'refused', message: 'the running config stays', errors: result.errors });
        return;
      }
      case '/debug/traces': {
        if (!allow(method, res, 'GET', 'HEAD')) return;
        json(res, 200, { traces: await this.#handlers.traces() });
        return;
      }
      case '/debug/stats': {
        const stats = this.#handlers.stats;
        if (stats === undefined) break;
        if (!allow(method, res, 'GET', 'HEAD')) return;
        json(res, 200, await stats(new URL(req.url ?? '/', 'http://admin').searchParams));
        return;
      }
      case '/debug/config': {
        const config = this.#handlers.config;
        if (config === undefined) break;
        if (!allow(method, res, 'GET', 'HEAD')) return;
        json(res, 200, config());
        return;
      }
      case '/debug/workers': {
        const workers = this.#handlers.workers;
        if (workers === undefined) break;
        if (!allow(method, res, 'GET', 'HEAD')) return;
        json(res, 200, { workers: await workers() });
        return;
      }
    }
    const file = this.#handlers.files?.(path ?? '/');
    if (file !== undefined) {
      if (!allow(method, res, 'GET', 'HEAD')) return;
      res.writeHead(200, { ...file.headers, 'content-type': file.contentType, 'content-length': String(Buffer.byteLength(file.body)) });
      res.end(method === 'HEAD' ? undefined : file.body);
      return;
    }
    const optional = [...(this.#handlers.stats === undefined ? [] : ['/debug/stats']), ...(this.#handlers.config === undefined ? [] : ['/debug/config']), ...(this.#handlers.filePaths ?? [])];
    json(res, 404, { error: 'not_found', paths: ['/healthz', '/readyz', '/metrics', '/shutdown', '/debug/traces', ...(this.#handlers.workers === undefined ? [] : ['/debug/workers']), ...optional] });
  }
}

function allow(method: string, res: ServerResponse, ...methods: string[]): boolean {
  if (methods.includes(method)) return true;
  res.setHeader('allow', methods.join(', '));
  json(res, 405, { error: 'method_not_allowed', allow: methods });
  return false;
}
