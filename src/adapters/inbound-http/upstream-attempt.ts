// One try of a request against the app: the undici handler for a single dispatch. It passes events on
// to its exchange while it is the live attempt; once the exchange has moved on (a retry, a timeout, the
// client leaving) it swallows whatever its dispatch still reports, so a late answer can never reach
// the client after another one did.

import type { ResponseHeaders, UpstreamController, UpstreamHandler } from '../../ports/upstream.ts';

/** What an attempt reports to: the ProxyExchange. */
export interface AttemptOwner {
  attemptResponse(attempt: UpstreamAttempt, statusCode: number, headers: ResponseHeaders, statusMessage: string | undefined): void;
  attemptData(controller: UpstreamController, chunk: Uint8Array): void;
  attemptEnd(trailers: ResponseHeaders): void;
  attemptError(attempt: UpstreamAttempt, error: Error): void;
}

class AttemptAbandoned extends Error {
  override name = 'AttemptAbandoned';
}
const ABANDONED = new AttemptAbandoned('the exchange no longer needs this attempt');

/** Error responses up to this size are read to the end so their connection can be reused; larger ones cost the connection. */
const DRAIN_LIMIT = 64 * 1024;

const LIVE = 0;
/** Its response is being read and dropped (a retried failure), to keep the connection. */
const DRAINING = 1;
const ABANDONED_STATE = 2;

export class UpstreamAttempt implements UpstreamHandler {
  readonly owner: AttemptOwner;
  /** 1 for the first attempt. */
  readonly number: number;
  /** The circuit breaker's ticket for this attempt. */
  readonly ticket: number;
  readonly startedAt: number;
  /** The attempt's outcome has been reported to the route's policies. */
  settled = false;
  #controller: UpstreamController | null = null;
  #state = LIVE;

  constructor(owner: AttemptOwner, number: number, ticket: number, startedAt: number) {
    this.owner = owner;
    this.number = number;
    this.ticket = ticket;
    this.startedAt = startedAt;
  }

  /** Stops the attempt: its socket is destroyed (a half-done exchange cannot be reused) and its events ignored. */
  abandon(): void {
    this.#state = ABANDONED_STATE;
    this.#controller?.abort(ABANDONED);
  }

  /** Drops the response already started: read to the end when small, otherwise cut. */
  discard(headers: ResponseHeaders): void {
    const length = Number(headers['content-length']);
    if (length >= 0 && length <= DRAIN_LIMIT) {
      this.#state = DRAINING;
      this.#controller?.resume();
    } else {
      this.abandon();
    }
  }

  onRequestStart(controller: UpstreamController): void {
    this.#controller = controller;
    if (this.#state === ABANDONED_STATE) controller.abort(ABANDONED);
  }

  onResponseStart(_controller: UpstreamController, statusCode: number, headers: ResponseHeaders, statusMessage?: string): void {
    if (this.#state === LIVE) this.owner.attemptResponse(this, statusCode, headers, statusMessage);
  }

  onResponseData(controller: UpstreamController, chunk: Uint8Array): void {
    if (this.#state === LIVE) this.owner.attemptData(controller, chunk);
  }

  onResponseEnd(_controller: UpstreamController, trailers: ResponseHeaders): void {
    if (this.#state === LIVE) this.owner.attemptEnd(trailers);
  }

  onResponseError(_controller: UpstreamController | null, error: Error): void {
    if (this.#state === LIVE) this.owner.attemptError(this, error);
  }
}
