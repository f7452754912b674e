// The proxy listener: node:http inbound, one ProxyExchange per request, WebSocket upgrades passed
// through, and the hooks the drain sequence needs (stop accepting, count in-flight, cut the rest).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ListenAddress } from '../../core/config/address.ts';
import type { Reason } from '../../core/http/reasons.ts';
import type { ServerConfig } from '../../core/config/model.ts';
import type { DrainTarget } from '../../core/lifecycle/drain.ts';
import type { RoutePolicy } from '../../core/resilience/route-policy.ts';
import type { RouteTable } from '../../core/routing/route-table.ts';
import type { Clock } from '../../ports/clock.ts';
import { IGNORE_CONNECTION_EVENTS, type ConnectionEvents } from '../../ports/connection-events.ts';
import type { ExchangeObserver } from '../../ports/exchange-observer.ts';
import type { ExchangeTracer } from '../../ports/exchange-tracer.ts';
import type { Upstream } from '../../ports/upstream.ts';
import { answerOnSocket, isHangUp, reasonForClientError } from './client-errors.ts';
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
  /** Requests refused before they were handled, and connections dropped at server.maxConnections. */
  readonly connectionEvents?: ConnectionEvents;
}

/** Header fields a request head may have (Host included); beyond it, 431 request_header_too_large. */
export const MAX_HEADER_FIELDS = 2000;

const kExchange = Symbol('sightline.liveExchange');
const kSocket = Symbol('sightline.socket');
const kOpen = Symbol('sightline.openAnswers');
const kRefusal = Symbol('sightline.refusal');
const kRefused = Symbol('sightline.refused');
const kAnswer = Symbol('sightline.answer');
const kLast = Symbol('sightline.lastExchange');
const kClosing = Symbol('sightline.closing');
/** The request Node's parser is reading, with the exchange that handles it. */
type TrackedRequest = IncomingMessage & { [kExchange]?: ProxyExchange };
type TrackedResponse = ServerResponse & { [kSocket]: TrackedSocket; [kAnswer]: ProxyExchange };
/** A client connection: its answers not yet done, and a refusal waiting for them (a later request the parser refused). */
type TrackedSocket = Socket & {
  [kOpen]?: number;
  [kRefusal]?: Reason;
  [kRefused]?: boolean;
  /** The latest exchange, while its answer is not done; then kClosing keeps whether it closed the connection. */
  [kLast]?: ProxyExchange | undefined;
  [kClosing]?: boolean;
  parser?: { incoming?: TrackedRequest | null } | null;
};

/** The last answer on a connection is done: a refusal that waited for it goes out now, between responses. */
function onAnswerClosed(this: TrackedResponse): void {
  const socket = this[kSocket];
  const exchange = this[kAnswer];
  if (exchange.closing) socket[kClosing] = true;
  if (socket[kLast] === exchange) socket[kLast] = undefined;
  const open = (socket[kOpen] as number) - 1;
  socket[kOpen] = open;
  const refusal = socket[kRefusal];
  if (open === 0 && refusal !== undefined) answerOnSocket(socket, refusal, true);
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
  readonly replaceForwarded: boolean;
  readonly bodyIdleTimeoutMs: number;
  /** Set once by the drain sequence (beginDraining); read on every response. */
  draining = false;
  #inFlight = 0;
  readonly #maxInFlight: number;
  readonly #server: Server;
  readonly #websockets: WebSocketPassThrough;
  readonly #onIdle: () => void;
  readonly #onListenerError: (error: Error) => void;
  readonly #events: ConnectionEvents;

  constructor(options: ProxyServerOptions) {
    this.#onListenerError = options.onListenerError;
    this.#events = options.connectionEvents ?? IGNORE_CONNECTION_EVENTS;
    this.replaceForwarded = options.server.xForwardedFor === 'replace';
    this.bodyIdleTimeoutMs = options.server.bodyIdleTimeoutMs;
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
    this.#websockets = new WebSocketPassThrough(options.origin, () => this.#settle(), this.replaceForwarded);
    const s = options.server;
    this.#server = createServer(
      {
        keepAliveTimeout: s.keepAliveTimeoutMs,
        headersTimeout: s.headersTimeoutMs,
        requestTimeout: s.requestTimeoutMs,
        maxHeaderSize: s.maxHeaderSize,
        // Sightline checks Host itself (request-head.ts), answering with its reason like every refusal.
        requireHostHeader: false,
        // Node enforces headersTimeout/requestTimeout only on this sweep (30s by default): keep it tight.
        connectionsCheckingInterval: Math.min(1000, s.headersTimeoutMs),
        // Only WebSocket upgrades leave HTTP; any other Upgrade is served as a plain request.
        shouldUpgradeCallback: isWebSocketUpgrade,
      },
      (req: IncomingMessage, res: ServerResponse) => this.#request(req, res),
    );
    // Stated, not left to Node's default: more header fields than this are refused (431), never cut
    // short. maxHeaderSize counts only the bytes of names and values, so this also bounds the head.
    this.#server.maxHeadersCount = MAX_HEADER_FIELDS;
    if (s.maxConnections > 0) this.#server.maxConnections = s.maxConnections;
    this.#server.on('drop', () => this.#events.connectionDropped());
    // An Expect other than 100-continue: served as a plain request (Expect is not forwarded) instead of Node's bare 417.
    this.#server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => this.#request(req, res));
    // A sidecar tunnels nothing: CONNECT is refused like an absolute-form target.
    this.#server.on('connect', (_req: IncomingMessage, socket: Socket) => {
      this.#events.clientError('invalid_request', 'CONNECT', socket.remoteAddress);
      answerOnSocket(socket, 'invalid_request');
      // Node has let go of the socket: read (and drop) what else comes, or the client's close is never seen and the fd stays.
      socket.resume();
    });
    this.#server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
      if (this.draining) socket.destroy();
      else this.#websockets.handle(req, socket, head);
    });
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.#clientError(err, socket as TrackedSocket));
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket as TrackedSocket;
    // An earlier answer on this connection asked to close it (a refused request's framing cannot be
    // trusted): what the client pipelined after it is not served; the close takes it away unanswered.
    if (socket[kClosing] === true || socket[kLast]?.closing === true) return;
    this.#inFlight++;
    socket[kOpen] = (socket[kOpen] ?? 0) + 1;
    const exchange = new ProxyExchange(req, res, this);
    const tracked = res as TrackedResponse;
    tracked[kSocket] = socket;
    tracked[kAnswer] = exchange;
    res.once('close', onAnswerClosed);
    (req as TrackedRequest)[kExchange] = exchange;
    socket[kLast] = exchange;
    exchange.start();
  }

  /**
   * Node's parser refused bytes on a connection, or a request's time ran out. The request still being
   * read, if it is the culprit, answers through its exchange; otherwise the refusal waits for the answers
   * to earlier (pipelined) requests, so they are not cut, and then closes the connection.
   */
  #clientError(err: NodeJS.ErrnoException, socket: TrackedSocket): void {
    const code = err.code;
    if (isHangUp(code)) {
      socket.destroy();
      return;
    }
    // Once refused, a connection's parser stays broken: each later chunk repeats the same error.
    if (socket[kRefused] === true) return;
    socket[kRefused] = true;
    const reason = reasonForClientError(code, (err as { reason?: string }).reason);
    this.#events.clientError(reason, code, socket.remoteAddress);
    const req = socket.parser?.incoming;
    const exchange = req?.[kExchange];
    if (req != null && exchange !== undefined && !req.complete) {
      // Already answered in full, and that answer closes the connection: it goes out first. Else the connection is cut.
      if (!exchange.refuseIncomplete(reason) && !(exchange.closing && exchange.answered)) socket.destroy();
      return;
    }
    if ((socket[kOpen] ?? 0) === 0) answerOnSocket(socket, reason);
    // Bytes after `Connection: close` are ignored (RFC 9112 §9.6): the answer in progress closes the connection.
    else if (code !== 'HPE_CLOSED_CONNECTION') socket[kRefusal] = reason;
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

  /** Client connections open now, idle ones included. */
  openConnections(): Promise<number> {
    return new Promise((resolve) => this.#server.getConnections((err, count) => resolve(err === null ? count : 0)));
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
