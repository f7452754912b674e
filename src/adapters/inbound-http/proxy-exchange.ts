// One proxied request, from the client's request to the response it gets: route lookup, admission
// (limits, circuit breaker), the upstream attempts with their timeouts and retries, and the response
// written straight into the ServerResponse. The decisions are the route policy's (src/core); this
// object carries them out. Backpressure follows both ways: undici pauses on a full client socket and
// resumes on 'drain'.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { ATTEMPT_HEADER, downstreamResponseHeaders, forwardableTrailers, upstreamRequestHeaders } from '../../core/http/headers.ts';
import { REASON_HEADER, REASONS, reasonBody, reasonForUpstreamError, type Reason } from '../../core/http/reasons.ts';
import { requestHeadProblem } from '../../core/http/request-head.ts';
import { ABORT, type FaultKind } from '../../core/operations/fault-injector.ts';
import type { RequestKeys } from '../../core/operations/request-keys.ts';
import type { RouteFeatures } from '../../core/operations/route-features.ts';
import { shadowHost, type ShadowPolicy } from '../../core/operations/shadow-policy.ts';
import { parseRetryAfter, retryAfterSeconds } from '../../core/resilience/backoff.ts';
import { REFUSED } from '../../core/resilience/circuit-breaker.ts';
import { outcomeName, type AttemptError, type AttemptOutcome } from '../../core/resilience/outcome.ts';
import type { RoutePolicy } from '../../core/resilience/route-policy.ts';
import type { RouteTable } from '../../core/routing/route-table.ts';
import type { Clock } from '../../ports/clock.ts';
import { CLIENT_CLOSED, type ExchangeObserver, type ExchangeRecord } from '../../ports/exchange-observer.ts';
import { NO_TRACE, type ExchangeTrace, type ExchangeTracer } from '../../ports/exchange-tracer.ts';
import type { ResponseHeaders, Upstream, UpstreamController } from '../../ports/upstream.ts';
import { bufferBody, type BodyBufferOwner } from './body-buffer.ts';
import { BodyIdleWatch, type BodyIdleOwner } from './body-idle.ts';
import { ShadowRequest } from './shadow-request.ts';
import { UpstreamAttempt, type AttemptOwner } from './upstream-attempt.ts';

/** What every exchange shares: owned by the proxy server. */
export interface ExchangeContext {
  readonly upstream: Upstream;
  readonly routes: RouteTable<RoutePolicy>;
  readonly clock: Clock;
  readonly observer: ExchangeObserver;
  readonly tracer: ExchangeTracer;
  readonly newRequestId: () => string;
  /** True while draining: every response asks the client to close its connection. */
  readonly draining: boolean;
  /** More requests are in flight than the global limit allows, this one included. */
  readonly overloaded: boolean;
  /** The connection pool of a route's shadow upstream (traffic shadowing). */
  shadowUpstream(origin: string): Upstream;
  exchangeDone(): void;
  /** server.xForwardedFor is `replace`: the client's own X-Forwarded-* are dropped. */
  readonly replaceForwarded: boolean;
  /** server.bodyIdleTimeout: the longest silence while a request body arrives; 0 for none. */
  readonly bodyIdleTimeoutMs: number;
}

const kExchange = Symbol('sightline.exchange');
type TaggedResponse = ServerResponse & { [kExchange]: ProxyExchange };
type TaggedRequest = IncomingMessage & { [kExchange]: ProxyExchange };

// Shared listeners and timer callback: `this` (or the argument) leads to the exchange. No closure per request.
function onResponseClose(this: TaggedResponse): void {
  this[kExchange].onClientClose();
}
function onResponseDrain(this: TaggedResponse): void {
  this[kExchange].onClientDrain();
}
function onRequestEnd(this: TaggedRequest): void {
  this[kExchange].onRequestReceived();
}
function onTimer(exchange: ProxyExchange): void {
  exchange.onTimer();
}

const NO_TIMER = 0;
const TIMER_DEADLINE = 1;
const TIMER_PER_TRY = 2;
const TIMER_BACKOFF = 3;
/** An injected fault delay before the first attempt. */
const TIMER_FAULT_DELAY = 4;

/** The outcome an attempt error stands for, by the reason the client would be given. */
const OUTCOME_OF: Partial<Record<Reason, AttemptError>> = {
  upstream_connect_failure: 'connect-failure',
  upstream_reset: 'reset',
  upstream_timeout: 'timeout',
  upstream_protocol_error: 'protocol-error',
};

/** What Node's writeHead refuses in a reason phrase (its header-value rule). */
const UNWRITABLE_REASON_PHRASE = /[^\t\x20-\x7e\x80-\xff]/;
/** A control byte other than HTAB: not a reason phrase at all (RFC 9112 §4). */
const CONTROL_IN_REASON_PHRASE = /[^\t\x20-\x7e\x80-\uffff]/;

export class ProxyExchange implements AttemptOwner, BodyBufferOwner, BodyIdleOwner, ExchangeRecord, RequestKeys {
  readonly startedAt: number;
  /** Read at arrival: by the time the response closes, the socket may be gone. */
  readonly clientAddress: string | undefined;
  reason: string | undefined;
  fault: FaultKind | undefined;
  upstreamOutcome: AttemptOutcome | undefined;
  responseCut: AttemptError | undefined;
  bytesIn = 0;
  bytesOut = 0;
  /** The answer asks the client to close the connection: requests pipelined after it are not served (RFC 9112 §9.6). */
  closing = false;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #ctx: ExchangeContext;
  #route: RoutePolicy | null = null;
  #requestId: string | undefined;
  #headers: string[] = [];
  #trace: ExchangeTrace = NO_TRACE;
  /** The caller's trace headers, forwarded unchanged when this hop records nothing. */
  #callerTraceparent: string | undefined;
  #callerTracestate: string | undefined;
  /** The request carried Expect: its response head must go out before the body (see attemptResponse). */
  #expect = false;
  /** Where the traceparent value sits in #headers, rewritten for each attempt; -1 when not ours. */
  #traceparentAt = -1;
  #body: Buffer | Readable | null = null;
  /** Repeating the request is harmless (its method, or an Idempotency-Key). */
  #safe = false;
  /** The body can be sent again: none, or held in memory. */
  #replayable = true;
  /** The client has sent the whole request: the timeouts run from here (as Envoy's do). */
  #received = false;
  #deadline = Infinity;
  #attempt: UpstreamAttempt | null = null;
  /** The breaker ticket held for the next attempt while its body is buffered or its backoff runs. */
  #pendingTicket = REFUSED;
  #timer: NodeJS.Timeout | null = null;
  #timerKind = NO_TIMER;
  #admitted = false;
  /** Response headers have gone to the client: from here on nothing is retried. */
  #committed = false;
  #controller: UpstreamController | null = null;
  #clientGone = false;
  #awaitingDrain = false;
  /** An injected delay still to wait before the first attempt (fault injection); 0 for none. */
  #faultDelayMs = 0;
  /** The injected delay outlasts the route's timeout: it ends in 504 upstream_timeout, never reaching the app. */
  #faultDelayCut = false;
  /** The route's retry flag is off for this request: one attempt only. */
  #retriesOff = false;
  /** The route's shadow policy, while this request is to be mirrored and has not been yet. */
  #shadow: ShadowPolicy | null = null;
  /** Times the silences of a request body still arriving (server.bodyIdleTimeout). */
  #bodyWatch: BodyIdleWatch | null = null;
  /** Refused with a Transfer-Encoding: where this request ends cannot be trusted, so the connection ends with it. */
  #framingRefused = false;

  constructor(req: IncomingMessage, res: ServerResponse, ctx: ExchangeContext) {
    this.#req = req;
    this.#res = res;
    this.#ctx = ctx;
    this.startedAt = ctx.clock.now();
    this.clientAddress = req.socket.remoteAddress;
  }

  get method(): string {
    return this.#req.method as string;
  }

  get route(): string {
    return (this.#route ?? this.#ctx.routes.fallback).name;
  }

  get target(): string {
    return this.#req.url as string;
  }

  get status(): number {
    return this.#res.headersSent ? this.#res.statusCode : CLIENT_CLOSED;
  }

  get attempts(): number {
    return this.#attempt === null ? 0 : this.#attempt.number;
  }

  get requestId(): string | undefined {
    return this.#requestId;
  }

  get userAgent(): string | undefined {
    return this.#rawHeader('user-agent');
  }

  get host(): string | undefined {
    return this.#rawHeader('host');
  }

  get httpVersion(): string {
    return this.#req.httpVersion;
  }

  get traceId(): string | undefined {
    return this.#trace.traceId;
  }

  get spanId(): string | undefined {
    return this.#trace.spanId;
  }

  get sampled(): boolean {
    return this.#trace.sampled;
  }

  /** The whole answer has been handed to the connection. */
  get answered(): boolean {
    return this.#res.writableEnded;
  }

  /** A request header by lower-case name, for the route's operations features (RequestKeys). */
  header(name: string): string | undefined {
    return this.#rawHeader(name);
  }

  start(): void {
    const req = this.#req;
    const res = this.#res as TaggedResponse;
    res[kExchange] = this;
    res.once('close', onResponseClose);
    const ctx = this.#ctx;
    ctx.observer.exchangeStarted(this);
    // Headers first, so that even a request refused below has its request id and its trace.
    const forwarded = upstreamRequestHeaders(req.rawHeaders, { address: this.clientAddress, proto: 'http', replaceForwarded: ctx.replaceForwarded }, ctx.newRequestId);
    this.#requestId = forwarded.requestId;
    this.#headers = forwarded.headers;
    this.#callerTraceparent = forwarded.traceparent;
    this.#callerTracestate = forwarded.tracestate;
    this.#expect = forwarded.expect;
    const path = req.url as string;
    const method = req.method as string;
    // Absolute-form or asterisk-form: a sidecar forwards origin-form only.
    const originForm = path.charCodeAt(0) === 47; /* '/' */
    const route = originForm ? ctx.routes.match(method, path, req.rawHeaders) : ctx.routes.fallback;
    this.#route = route;
    this.#trace = ctx.tracer.begin(this, forwarded.traceparent, forwarded.tracestate);
    const problem = requestHeadProblem(req.httpVersionMajor, req.httpVersionMinor, forwarded) ?? (originForm ? undefined : 'invalid_request');
    if (problem !== undefined) {
      this.#framingRefused = forwarded.transferEncoding !== undefined;
      this.#reply(problem);
      return;
    }
    const now = this.startedAt;
    const features = route.features;
    if (features !== null && this.#admitFeatures(features, route, now)) return;
    if (ctx.overloaded) {
      this.#refuse(route.reject('overloaded'), now);
      return;
    }
    const rejection = route.admit(now);
    if (rejection !== null) {
      this.#refuse(rejection, now);
      return;
    }
    this.#admitted = true;
    const ticket = route.admitAttempt(now);
    if (ticket === REFUSED) {
      this.#refuse(route.reject('circuit_open'), now, route.breaker?.retryAfterMs(now));
      return;
    }
    this.#safe = route.retry.isSafe(method, forwarded.idempotencyKey);
    this.bytesIn = forwarded.hasBody ? forwarded.contentLength : 0;
    // A body is held for a retry, or for a mirror (up to the route's buffer limit either way). Unsafe
    // requests are only retried on connect failure, when the stream was never read, so for retries
    // alone they are not held.
    const holdLimit = this.#shadow !== null ? route.retry.settings.bufferLimit : this.#safe && !this.#retriesOff ? route.bufferLimit : 0;
    if (!forwarded.hasBody) {
      this.#requestReceived(now);
      if (this.#shadow !== null) this.#mirror(null);
      this.#send(ticket);
    } else if (holdLimit > 0 && forwarded.contentLength <= holdLimit) {
      // Small enough to keep (or chunked, length unknown).
      this.#pendingTicket = ticket;
      this.#watchBody();
      bufferBody(req, holdLimit, this);
    } else {
      if (this.#shadow !== null) this.#skipMirror();
      this.#watchBody();
      this.#streamBody(req);
      this.#send(ticket);
    }
  }

  bodyBuffered(body: Buffer): void {
    if (this.#clientGone || this.#committed) return;
    this.#body = body;
    this.bytesIn = body.length;
    this.#requestReceived(this.#ctx.clock.now());
    if (this.#shadow !== null) this.#mirror(body);
    this.#sendPending();
  }

  bodyTooLarge(body: Readable): void {
    if (this.#clientGone || this.#committed) return;
    if (this.#shadow !== null) this.#skipMirror();
    this.#streamBody(body);
    this.#sendPending();
  }

  onRequestReceived(): void {
    if (this.#received || this.#clientGone) return;
    const now = this.#ctx.clock.now();
    this.#requestReceived(now);
    if (this.#attempt !== null && !this.#committed && this.#timerKind === NO_TIMER) this.#armAttemptTimer(now);
  }

  attemptResponse(attempt: UpstreamAttempt, statusCode: number, headers: ResponseHeaders, statusMessage: string | undefined): void {
    if (statusCode < 200) {
      // 1xx informational: the client gets the final response only. Under 100 is no status at all: undici
      // takes it for a 1xx, then fails an assertion (seen as a reset, and retried). Malformed, answered so.
      if (statusCode < 100) this.#malformedResponse(attempt);
      return;
    }
    if (statusMessage && UNWRITABLE_REASON_PHRASE.test(statusMessage)) {
      // Node's writeHead throws on it (ERR_INVALID_CHAR) after the attempt was settled: the client's
      // connection was dropped with nothing sent, counted as a 499. A control byte makes the status line
      // malformed; anything else is text undici decoded as UTF-8, which cannot be written back as it came:
      // the status goes on with its standard phrase (the phrase is advisory, RFC 9112 §4).
      if (CONTROL_IN_REASON_PHRASE.test(statusMessage)) {
        this.#malformedResponse(attempt);
        return;
      }
      statusMessage = undefined;
    }
    this.#clearTimer();
    const route = this.#route as RoutePolicy;
    const now = this.#ctx.clock.now();
    if (route.retry.settings.retryOn.has(statusCode)) {
      const retryAfter = headers['retry-after'];
      if (this.#retry(attempt, statusCode, typeof retryAfter === 'string' ? parseRetryAfter(retryAfter, Date.now()) : undefined, now)) {
        attempt.discard(headers);
        return;
      }
    } else {
      this.#settle(attempt, statusCode, now);
    }
    this.#committed = true;
    this.closing = this.#mustClose();
    const list = downstreamResponseHeaders(headers, { requestId: this.#requestId as string, close: this.closing });
    if (statusMessage) this.#res.writeHead(statusCode, statusMessage, list);
    else this.#res.writeHead(statusCode, list);
    // Node buffers a pipelined request's automatic "100 Continue" in its response, then puts the head of
    // a body written as Buffers in front of it (the head inside the stream, the 100 inside the body): send the head now.
    if (this.#expect) this.#res.flushHeaders();
  }

  attemptData(controller: UpstreamController, chunk: Uint8Array): void {
    this.bytesOut += chunk.length;
    if (this.#res.write(chunk)) return;
    controller.pause();
    this.#controller = controller;
    if (!this.#awaitingDrain) {
      this.#awaitingDrain = true;
      this.#res.once('drain', onResponseDrain);
    }
  }

  attemptEnd(trailers: ResponseHeaders): void {
    const forwarded = forwardableTrailers(trailers);
    if (forwarded !== undefined) this.#res.addTrailers(forwarded);
    this.#res.end();
  }

  attemptError(attempt: UpstreamAttempt, error: Error): void {
    if (this.#clientGone || this.#res.destroyed) return;
    if (this.#committed) {
      // Part of the body is out: ending normally would pass a truncated body off as complete. Named, or
      // the cut response would be counted and logged as the whole 200 its head announced.
      this.responseCut = OUTCOME_OF[reasonForUpstreamError((error as NodeJS.ErrnoException).code, error.name)] ?? 'reset';
      this.#res.destroy();
      return;
    }
    this.#clearTimer();
    const reason = reasonForUpstreamError((error as NodeJS.ErrnoException).code, error.name);
    this.#failed(attempt, OUTCOME_OF[reason], reason);
  }

  onTimer(): void {
    const kind = this.#timerKind;
    this.#timer = null;
    this.#timerKind = NO_TIMER;
    if (kind === TIMER_BACKOFF) {
      this.#sendPending();
      return;
    }
    if (kind === TIMER_FAULT_DELAY) {
      if (!this.#faultDelayCut) {
        this.#sendPending();
        return;
      }
      // The delay ran into the route's timeout: answered as a timeout would be; no verdict on the app.
      (this.#route as RoutePolicy).abandonAttempt(this.#pendingTicket);
      this.#pendingTicket = REFUSED;
      this.#reply('upstream_timeout');
      return;
    }
    const attempt = this.#attempt as UpstreamAttempt;
    attempt.abandon();
    if (kind === TIMER_DEADLINE) {
      // The request's overall time is up: whatever the retry policy says, the answer is now.
      this.#settle(attempt, 'timeout', this.#ctx.clock.now());
      this.#reply('upstream_timeout');
    } else {
      this.#failed(attempt, 'per-try-timeout', 'upstream_timeout');
    }
  }

  onClientDrain(): void {
    this.#awaitingDrain = false;
    this.#controller?.resume();
  }

  /** The client went quiet in the middle of its body (server.bodyIdleTimeout). */
  bodyIdle(): void {
    if (!this.refuseIncomplete('request_timeout')) this.#req.socket.destroy();
  }

  /**
   * The request will not arrive whole: its time ran out (408 request_timeout, server.bodyIdleTimeout or
   * server.requestTimeout) or the parser refused its body (400 bad_request, a malformed chunk). It is
   * answered so, and an attempt already streaming the body to the app is abandoned, with no verdict on
   * the app. False, with nothing done, when the request is in or its answer has begun.
   */
  refuseIncomplete(reason: Reason): boolean {
    if (this.#received || this.#clientGone || this.#committed) return false;
    this.#bodyWatch?.stop();
    this.#clearTimer();
    const route = this.#route as RoutePolicy;
    const attempt = this.#attempt;
    if (attempt !== null) {
      if (!attempt.settled) route.abandonAttempt(attempt.ticket);
      attempt.settled = true;
      attempt.abandon();
    }
    if (this.#pendingTicket !== REFUSED) {
      route.abandonAttempt(this.#pendingTicket);
      this.#pendingTicket = REFUSED;
    }
    this.#reply(reason);
    return true;
  }

  onClientClose(): void {
    this.#bodyWatch?.stop();
    if (!this.#res.writableFinished) {
      this.#clientGone = true;
      this.#clearTimer();
      const route = this.#route;
      const attempt = this.#attempt;
      if (attempt !== null) {
        if (!attempt.settled && route !== null) route.abandonAttempt(attempt.ticket);
        attempt.settled = true;
        // Aborting destroys the upstream socket: a half-read response cannot be reused.
        attempt.abandon();
      }
      if (this.#pendingTicket !== REFUSED) route?.abandonAttempt(this.#pendingTicket);
    }
    if (this.#admitted) (this.#route as RoutePolicy).finish();
    const now = this.#ctx.clock.now();
    this.#trace.end(this, now);
    this.#ctx.observer.exchangeEnded(this, now - this.startedAt);
    this.#ctx.exchangeDone();
  }

  /** A request header by its lower-case name, read from the raw list (req.headers would build an object of them all). */
  #rawHeader(name: string): string | undefined {
    const raw = this.#req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const key = raw[i] as string;
      if (key.length === name.length && key.toLowerCase() === name) return raw[i + 1];
    }
    return undefined;
  }

  #streamBody(body: Readable | IncomingMessage): void {
    this.#body = body as Readable;
    this.#replayable = false;
    const req = this.#req as TaggedRequest;
    req[kExchange] = this;
    req.once('end', onRequestEnd);
  }

  /** A request body is on its way: its silences are timed (server.bodyIdleTimeout). */
  #watchBody(): void {
    const ms = this.#ctx.bodyIdleTimeoutMs;
    if (ms > 0 && !this.#req.complete) this.#bodyWatch = new BodyIdleWatch(this.#req, ms, this);
  }

  #requestReceived(now: number): void {
    this.#bodyWatch?.stop();
    this.#received = true;
    const timeout = (this.#route as RoutePolicy).timeoutMs;
    if (timeout > 0) this.#deadline = now + timeout;
  }

  #sendPending(): void {
    const ticket = this.#pendingTicket;
    this.#pendingTicket = REFUSED;
    this.#send(ticket);
  }

  #send(ticket: number): void {
    if (this.#faultDelayMs > 0) {
      this.#delayFirstAttempt(ticket);
      return;
    }
    const route = this.#route as RoutePolicy;
    const number = this.#attempt === null ? 1 : this.#attempt.number + 1;
    const headers = this.#headers;
    const now = this.#ctx.clock.now();
    const attempt = new UpstreamAttempt(this, number, ticket, now);
    this.#attempt = attempt;
    const traceparent = this.#trace.attemptStarted(this, number, now);
    if (number === 1) this.#addTraceHeaders(headers, traceparent);
    else {
      headers[headers.length - 1] = String(number);
      if (traceparent !== undefined && this.#traceparentAt >= 0) headers[this.#traceparentAt] = traceparent;
    }
    route.attemptStarted(number);
    if (this.#received) this.#armAttemptTimer(now);
    this.#ctx.upstream.dispatch({ method: this.#req.method as string, path: this.#req.url as string, headers, body: this.#body }, attempt);
  }

  /** The trace headers and the attempt number, once: later attempts rewrite their values in place. */
  #addTraceHeaders(headers: string[], traceparent: string | undefined): void {
    if (traceparent === undefined) {
      // This hop records nothing: the app sees the caller's trace context as it came.
      if (this.#callerTraceparent) headers.push('traceparent', this.#callerTraceparent);
      if (this.#callerTracestate !== undefined) headers.push('tracestate', this.#callerTracestate);
    } else {
      this.#traceparentAt = headers.length + 1;
      headers.push('traceparent', traceparent);
      const tracestate = this.#trace.tracestate;
      if (tracestate !== undefined) headers.push('tracestate', tracestate);
    }
    headers.push(ATTEMPT_HEADER, '1');
  }

  /** The earlier of the request's deadline and this attempt's per-try timeout. */
  #armAttemptTimer(now: number): void {
    const perTry = (this.#route as RoutePolicy).perTryTimeoutMs;
    const perTryEnd = perTry > 0 ? now + perTry : Infinity;
    if (perTryEnd < this.#deadline) this.#arm(TIMER_PER_TRY, perTryEnd - now);
    else if (this.#deadline !== Infinity) this.#arm(TIMER_DEADLINE, this.#deadline - now);
  }

  #arm(kind: number, ms: number): void {
    this.#timerKind = kind;
    this.#timer = setTimeout(onTimer, Math.max(0, ms), this);
  }

  #clearTimer(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerKind = NO_TIMER;
  }

  #settle(attempt: UpstreamAttempt, outcome: AttemptOutcome, now: number): void {
    if (attempt.settled) return;
    attempt.settled = true;
    this.upstreamOutcome = outcome;
    (this.#route as RoutePolicy).endAttempt(attempt.ticket, attempt.number, outcome, attempt.startedAt, now);
    this.#ctx.observer.attemptEnded(this, attempt.number, outcome, now - attempt.startedAt);
    this.#trace.attemptEnded(outcome, now);
  }

  /** A response head undici parsed that is not HTTP all the same: its socket is dropped, and it is a protocol error. */
  #malformedResponse(attempt: UpstreamAttempt): void {
    attempt.abandon();
    this.#clearTimer();
    this.#failed(attempt, 'protocol-error', 'upstream_protocol_error');
  }

  /** An attempt failed without a response: retry it, or answer with `reason`. */
  #failed(attempt: UpstreamAttempt, outcome: AttemptOutcome | undefined, reason: Reason): void {
    if (outcome === undefined) {
      // Not the app's failure (a request undici refused to send): no verdict on the app, no retry.
      attempt.settled = true;
      (this.#route as RoutePolicy).abandonAttempt(attempt.ticket);
    } else if (this.#retry(attempt, outcome, undefined, this.#ctx.clock.now())) {
      return;
    }
    this.#reply(reason);
  }

  /** Settles the attempt and, if the policy allows another one, schedules it. */
  #retry(attempt: UpstreamAttempt, outcome: AttemptOutcome, retryAfterMs: number | undefined, now: number): boolean {
    this.#settle(attempt, outcome, now);
    if (this.#retriesOff) return false;
    const route = this.#route as RoutePolicy;
    const delay = route.decideRetry(
      outcome,
      { attempt: attempt.number, safe: this.#safe, replayable: this.#replayable, retryAfterMs, deadline: this.#deadline },
      now,
    );
    if (typeof delay !== 'number') {
      if (delay !== null) this.#trace.decision('retry_denied', attempt.number, delay, 0, now);
      return false;
    }
    const ticket = route.admitAttempt(now);
    if (ticket === REFUSED) {
      route.retryRefusedByBreaker(attempt.number, outcome);
      this.#trace.decision('retry_denied', attempt.number, 'circuit_open', 0, now);
      return false;
    }
    this.#trace.decision('retry', attempt.number, outcomeName(outcome), delay, now);
    this.#pendingTicket = ticket;
    this.#arm(TIMER_BACKOFF, delay);
    return true;
  }

  /** Draining sends clients elsewhere; a request body the app did not wait for cannot stay on a reusable connection. */
  #mustClose(): boolean {
    return this.#ctx.draining || !this.#req.complete || this.#framingRefused;
  }

  /**
   * The route's operations features, before any limit or breaker: its rate limit (a refused request
   * costs nothing), then fault injection (an abort answers at once; a delay waits before the first
   * attempt), then whether its retry flag is on. True when the request has been answered.
   */
  #admitFeatures(features: RouteFeatures, route: RoutePolicy, now: number): boolean {
    const waitMs = features.rateLimitWait(this, now);
    if (waitMs > 0) {
      this.#refuse(route.reject('rate_limited'), now, waitMs);
      return true;
    }
    const fault = features.decideFault(this);
    if (fault === ABORT) {
      this.fault = 'abort';
      this.#trace.decision('fault', 0, 'abort', 0, now);
      features.faultInjected('abort');
      this.#reply(route.reject('fault'), undefined, features.abortStatus);
      return true;
    }
    this.#faultDelayMs = fault;
    if (!features.retriesAllowed(this)) this.#retriesOff = true;
    if (features.shadow !== null && features.shadow.chosen(this)) this.#shadow = features.shadow;
    return false;
  }

  /**
   * Mirrors the request to the route's shadow upstream, fire and forget, once its body (if any) is held:
   * the same request line and headers (copied before an attempt rewrites its traceparent), with the
   * Host Envoy's way, `-shadow` added to the host name.
   */
  #mirror(body: Buffer | null): void {
    const shadow = this.#shadow as ShadowPolicy;
    this.#shadow = null;
    const features = (this.#route as RoutePolicy).features as RouteFeatures;
    if (!shadow.tryAcquire()) {
      features.shadowEnded('dropped_overloaded', 0);
      return;
    }
    const headers = this.#headers.slice();
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      if (name.length === 4 && name.toLowerCase() === 'host') headers[i + 1] = shadowHost(headers[i + 1] as string);
    }
    new ShadowRequest(shadow, features, this.#ctx.clock, this.#ctx.shadowUpstream(shadow.origin), this.#req.method as string, this.#req.url as string, headers, body);
  }

  /** Only held bodies are mirrored: a streamed one goes to the app alone. */
  #skipMirror(): void {
    this.#shadow = null;
    (this.#route as RoutePolicy).features?.shadowEnded('skipped_body', 0);
  }

  /** The first attempt waits out an injected delay first, holding its breaker ticket as a backoff does. */
  #delayFirstAttempt(ticket: number): void {
    const delay = this.#faultDelayMs;
    this.#faultDelayMs = 0;
    const now = this.#ctx.clock.now();
    this.fault = 'delay';
    this.#trace.decision('fault', 0, 'delay', delay, now);
    (this.#route as RoutePolicy).features?.faultInjected('delay');
    this.#pendingTicket = ticket;
    const left = this.#deadline - now;
    this.#faultDelayCut = left <= delay;
    this.#arm(TIMER_FAULT_DELAY, this.#faultDelayCut ? left : delay);
  }

  /** Refused before any attempt (a limit, the breaker): the answer, and the decision on the trace. */
  #refuse(reason: Reason, now: number, retryAfterMs?: number): void {
    this.#trace.decision('rejected', 0, reason, 0, now);
    this.#reply(reason, retryAfterMs);
  }

  /** A response Sightline makes up itself: status by reason (or `status`), the reason header, a small JSON body. */
  #reply(reason: Reason, retryAfterMs?: number, status: number = REASONS[reason].status): void {
    this.#committed = true;
    this.reason = reason;
    const body = reasonBody(reason, this.#requestId);
    this.bytesOut = Buffer.byteLength(body);
    const headers = [
      'content-type', 'application/json',
      'content-length', String(Buffer.byteLength(body)),
      REASON_HEADER, reason,
    ];
    if (retryAfterMs !== undefined) headers.push('retry-after', String(retryAfterSeconds(retryAfterMs)));
    if (this.#requestId !== undefined) headers.push('x-request-id', this.#requestId);
    this.closing = this.#mustClose();
    if (this.closing) headers.push('connection', 'close');
    this.#res.writeHead(status, headers);
    this.#res.end(body);
  }
}
