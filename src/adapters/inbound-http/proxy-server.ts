// The proxy listener: node:http inbound, one ProxyExchange per request, WebSocket upgrades passed
// through, and the hooks the drain sequence needs (stop accepting, count in-flight, cut the rest).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../../core/config/address.ts';
import type { ServerConfig } from '../../core/config/model.ts';
import type { DrainTarget } from '../../core/lifecycle/drain.ts';
import type { RoutePolicy } from '../../core/resilience/route-policy.ts';
import type { RouteTable } from '../../core/routing/route-table.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ExchangeObserver } from '../../ports/exchange-observer.ts';
import type { ExchangeTracer } from '../../ports/exchange-tracer.ts';
import type { Upstream } from '../../ports/upstream.ts';
import { onClientError } from './client-errors.ts';
import { ProxyExchange, type ExchangeContext } from './proxy-exchange.ts';
import { isWebSocketUpgrade, WebSocketPassThrough } from './websocket.ts';

export interface ProxyServerOptions {
  readonly upstream: Upstream;
  readonly routes: RouteTable<RoutePolicy>;
  readonly clock: Clock;
  readonly observer: ExchangeObserver;
  readonly tracer: ExchangeTracer;
  readonly origin: string;
  readonly server: ServerConfig;
  readonly newRequestId: () => string;
  /** Called each time nothing is in flight any more. */
  readonly onIdle: () => void;
  /** Errors of the listening socket itself (e.g. EMFILE when out of file descriptors). */
  readonly onListenerError: (error: Error) => void;
  /** The connection pool of a shadow upstream (traffic shadowing), by origin. */
  readonly shadowUpstream?: (origin: string) => Upstream;
}

export class ProxyServer implements ExchangeContext, DrainTarget {
  readonly upstream: Upstream;
  /** Read once by each exchange as it starts: a reload's table serves new requests, in-flight ones keep theirs. */
  routes: RouteTable<RoutePolicy>;
  readonly clock: Clock;
  readonly observer: ExchangeObserver;
  readonly tracer: ExchangeTracer;
  readonly newRequestId: () => string;
  readonly shadowUpstream: (origin: string) => Upstream;
  /** Set once by the drain sequence (beginDraining); read on every response. */
  draining = false;
  #inFlight = 0;
  readonly #maxInFlight: number;
  readonly #server: Server;
  readonly #websockets: WebSocketPassThrough;
  readonly #onIdle: () => void;
  readonly #onListenerError: (error: Error) => void;

  constructor(options: ProxyServerOptions) {
    this.#onListenerError = options.onListenerError;
    this.upstream = options.upstream;
    this.routes = options.routes;
    this.clock = options.clock;
    this.observer = options.observer;
    this.tracer = options.tracer;
    this.#maxInFlight = options.server.maxInFlight === 0 ? Infinity : options.server.maxInFlight;
    this.newRequestId = options.newRequestId;
    this.shadowUpstream = options.shadowUpstream ?? (() => {
      throw new Error('no shadow upstreams were given');
    });
    this.#onIdle = options.onIdle;
    this.#websockets = new WebSocketPassThrough(options.origin, () => this.#settle());
    const s = options.server;
    this.#server = createServer(
      {
        keepAliveTimeout: s.keepAliveTimeoutMs,
        headersTimeout: s.headersTimeoutMs,
        requestTimeout: s.requestTimeoutMs,
        maxHeaderSize: s.maxHeaderSize,
        // Node enforces headersTimeout/requestTimeout only on this sweep (30s by default): keep it tight.
        connectionsCheckingInterval: Math.min(1000, s.headersTimeoutMs),
        // Only WebSocket upgrades leave HTTP; any other Upgrade is served as a plain request.
        shouldUpgradeCallback: isWebSocketUpgrade,
      },
      (req: IncomingMessage, res: ServerResponse) => {
        this.#inFlight++;
        new ProxyExchange(req, res, this).start();
      },
    );
    this.#server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
      if (this.draining) socket.destroy();
      else this.#websockets.handle(req, socket, head);
    });
    this.#server.on('clientError', onClientError);
  }

  /**
   * `reusePort`: a socket of this process's own (never cluster's shared one) that other processes may
   * bind too (SO_REUSEPORT); the kernel spreads connections among them. How workers share the port.
   */
  listen(address: ListenAddress, options: { readonly reusePort?: boolean } = {}): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      const shared = options.reusePort === true;
      this.#server.listen({ host: address.host, port: address.port, exclusive: shared, reusePort: shared }, () => {
        this.#server.off('error', reject);
        this.#server.on('error', this.#onListenerError);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** A config reload: requests from now on are routed by `table`. */
  useRoutes(table: RouteTable<RoutePolicy>): void {
    this.routes = table;
  }

  get overloaded(): boolean {
    return this.#inFlight > this.#maxInFlight;
  }

  exchangeDone(): void {
    this.#inFlight--;
    this.#settle();
  }

  inFlight(): number {
    return this.#inFlight + this.#websockets.openCount;
  }

  beginDraining(): void {
    this.draining = true;
  }

  stopAccepting(): void {
    this.#server.close();
    this.#server.closeIdleConnections();
  }

  forceClose(): void {
    this.#server.closeAllConnections();
    this.#websockets.destroyAll();
  }

  #settle(): void {
    if (this.inFlight() === 0) this.#onIdle();
  }
}
