// One mirrored request, fire and forget: sent to the route's shadow upstream with the client's request
// line, headers (Host with Envoy's `-shadow` suffix) and held body; the answer is read and thrown away,
// and only how it ended is published. Nothing here can reach the client's exchange: no error, no
// latency, no byte of the shadow's response.

import type { RouteFeatures } from '../../core/operations/route-features.ts';
import { statusClass, type ShadowPolicy, type ShadowResult } from '../../core/operations/shadow-policy.ts';
import { reasonForUpstreamError } from '../../core/http/reasons.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ResponseHeaders, Upstream, UpstreamController, UpstreamHandler } from '../../ports/upstream.ts';

const RESULT_OF_REASON: Readonly<Record<string, ShadowResult>> = {
  upstream_connect_failure: 'connect_failure',
  upstream_timeout: 'timeout',
  upstream_protocol_error: 'protocol_error',
};

function onShadowTimeout(request: ShadowRequest): void {
  request.timedOut();
}

export class ShadowRequest implements UpstreamHandler {
  readonly #policy: ShadowPolicy;
  readonly #features: RouteFeatures;
  readonly #clock: Clock;
  readonly #startedAt: number;
  readonly #timer: NodeJS.Timeout;
  #controller: UpstreamController | null = null;
  #status = 0;
  #timedOut = false;
  #done = false;

  /** Sends at once; `policy` has given this request its slot (tryAcquire), which it frees when done. */
  constructor(policy: ShadowPolicy, features: RouteFeatures, clock: Clock, upstream: Upstream, method: string, path: string, headers: string[], body: Uint8Array | null) {
    this.#policy = policy;
    this.#features = features;
    this.#clock = clock;
    this.#startedAt = clock.now();
    this.#timer = setTimeout(onShadowTimeout, policy.timeoutMs, this);
    upstream.dispatch({ method, path, headers, body }, this);
  }

  timedOut(): void {
    this.#timedOut = true;
    // Not yet started (queued for a socket): cut as soon as it is.
    this.#controller?.abort(new Error('shadow request timed out'));
  }

  onRequestStart(controller: UpstreamController): void {
    this.#controller = controller;
    if (this.#timedOut) controller.abort(new Error('shadow request timed out'));
  }

  onResponseStart(_controller: UpstreamController, statusCode: number): void {
    if (statusCode >= 200) this.#status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(_controller: UpstreamController, _trailers: ResponseHeaders): void {
    this.#finish(statusClass(this.#status));
  }

  onResponseError(_controller: UpstreamController | null, error: Error): void {
    if (this.#timedOut) {
      this.#finish('timeout');
      return;
    }
    // An answer whose body then failed still counts by its status: the shadow did answer.
    if (this.#status !== 0) {
      this.#finish(statusClass(this.#status));
      return;
    }
    this.#finish(RESULT_OF_REASON[reasonForUpstreamError((error as NodeJS.ErrnoException).code, error.name)] ?? 'reset');
  }

  #finish(result: ShadowResult): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.#policy.release();
    this.#features.shadowEnded(result, this.#clock.now() - this.#startedAt);
  }
}
