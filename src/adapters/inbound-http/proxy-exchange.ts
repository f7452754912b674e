// One proxied request: the inbound request/response pair and the upstream attempt, as one object.
// It is the undici handler itself (no per-request closures), writes straight into the ServerResponse,
// and follows backpressure both ways: undici pauses on a full client socket, resumes on 'drain'.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { downstreamResponseHeaders, forwardableTrailers, upstreamRequestHeaders } from '../../core/http/headers.ts';
import { REASON_HEADER, REASONS, reasonBody, reasonForUpstreamError, type Reason } from '../../core/http/reasons.ts';
import type { ResponseHeaders, Upstream, UpstreamController, UpstreamHandler } from '../../ports/upstream.ts';

/** What every exchange shares: owned by the proxy server. */
export interface ExchangeContext {
  readonly upstream: Upstream;
  readonly newRequestId: () => string;
  /** True while draining: every response asks the client to close its connection. */
  readonly draining: boolean;
  exchangeDone(): void;
}

const kExchange = Symbol('sightline.exchange');
type TaggedResponse = ServerResponse & { [kExchange]: ProxyExchange };

class ClientGoneError extends Error {
  override name = 'ClientGoneError';
}
const CLIENT_GONE = new ClientGoneError('client closed the connection');

// Shared listeners: `this` is the response, the exchange hangs off it. No closure per request.
function onResponseClose(this: TaggedResponse): void {
  this[kExchange].onClientClose();
}
function onResponseDrain(this: TaggedResponse): void {
  this[kExchange].onClientDrain();
}

export class ProxyExchange implements UpstreamHandler {
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #ctx: ExchangeContext;
  #requestId: string | undefined;
  #controller: UpstreamController | null = null;
  #clientGone = false;
  #awaitingDrain = false;

  constructor(req: IncomingMessage, res: ServerResponse, ctx: ExchangeContext) {
    this.#req = req;
    this.#res = res;
    this.#ctx = ctx;
  }

  start(): void {
    const req = this.#req;
    const res = this.#res as TaggedResponse;
    res[kExchange] = this;
    res.once('close', onResponseClose);
    const path = req.url as string;
    if (path.charCodeAt(0) !== 47 /* '/' */) {
      // Absolute-form or asterisk-form: a sidecar forwards origin-form only.
      this.#reply('invalid_request');
      return;
    }
    const forwarded = upstreamRequestHeaders(req.rawHeaders, { address: req.socket.remoteAddress, proto: 'http' }, this.#ctx.newRequestId);
    this.#requestId = forwarded.requestId;
    this.#ctx.upstream.dispatch(
      { method: req.method as string, path, headers: forwarded.headers, body: forwarded.hasBody ? req : null },
      this,
    );
  }

  onRequestStart(controller: UpstreamController): void {
    this.#controller = controller;
    if (this.#clientGone) controller.abort(CLIENT_GONE);
  }

  onResponseStart(_controller: UpstreamController, statusCode: number, headers: ResponseHeaders, statusMessage?: string): void {
    if (statusCode < 200) return; // 1xx informational: the client gets the final response only
    const list = downstreamResponseHeaders(headers, { requestId: this.#requestId as string, close: this.#mustClose() });
    if (statusMessage) this.#res.writeHead(statusCode, statusMessage, list);
    else this.#res.writeHead(statusCode, list);
  }

  onResponseData(controller: UpstreamController, chunk: Uint8Array): void {
    if (this.#res.write(chunk)) return;
    controller.pause();
    if (!this.#awaitingDrain) {
      this.#awaitingDrain = true;
      this.#res.once('drain', onResponseDrain);
    }
  }

  onResponseEnd(_controller: UpstreamController, trailers: ResponseHeaders): void {
    const forwarded = forwardableTrailers(trailers);
    if (forwarded !== undefined) this.#res.addTrailers(forwarded);
    this.#res.end();
  }

  onResponseError(_controller: UpstreamController | null, error: Error): void {
    if (this.#clientGone || this.#res.destroyed) return;
    if (this.#res.headersSent) {
      // Part of the body is out: ending normally would pass a truncated body off as complete.
      this.#res.destroy();
      return;
    }
    this.#reply(reasonForUpstreamError((error as NodeJS.ErrnoException).code, error.name));
  }

  onClientDrain(): void {
    this.#awaitingDrain = false;
    this.#controller?.resume();
  }

  onClientClose(): void {
    if (!this.#res.writableFinished) {
      this.#clientGone = true;
      // Aborting destroys the upstream socket: a half-read response cannot be reused.
      this.#controller?.abort(CLIENT_GONE);
    }
    this.#ctx.exchangeDone();
  }

  /** Draining sends clients elsewhere; a request body the app did not wait for cannot stay on a reusable connection. */
  #mustClose(): boolean {
    return this.#ctx.draining || !this.#req.complete;
  }

  /** A response Sightline makes up itself: status by reason, the reason header, a small JSON body. */
  #reply(reason: Reason): void {
    const body = reasonBody(reason, this.#requestId);
    const headers = [
      'content-type', 'application/json',
      'content-length', String(Buffer.byteLength(body)),
      REASON_HEADER, reason,
    ];
    if (this.#requestId !== undefined) headers.push('x-request-id', this.#requestId);
    if (this.#mustClose()) headers.push('connection', 'close');
    this.#res.writeHead(REASONS[reason].status, headers);
    this.#res.end(body);
  }
}
