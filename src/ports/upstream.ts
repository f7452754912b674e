// One attempt to the app. The handler protocol mirrors undici's dispatch handler (v7+ API) on purpose:
// the inbound side implements it once and the undici adapter passes it through without wrapping, so the
// hot path allocates no adapter object per request.

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface UpstreamController {
  readonly aborted: boolean;
  readonly paused: boolean;
  abort(reason: Error): void;
  pause(): void;
  resume(): void;
}

export interface UpstreamHandler {
  onRequestStart(controller: UpstreamController, context: unknown): void;
  onResponseStart(controller: UpstreamController, statusCode: number, headers: ResponseHeaders, statusMessage?: string): void;
  onResponseData(controller: UpstreamController, chunk: Uint8Array): void;
  onResponseEnd(controller: UpstreamController, trailers: ResponseHeaders): void;
  /** `controller` is null when the request failed before it was started. */
  onResponseError(controller: UpstreamController | null, error: Error): void;
}

export interface UpstreamRequest {
  readonly method: string;
  readonly path: string;
  /** Flat `[name, value, name, value, ...]`, hop-by-hop headers already removed. */
  readonly headers: string[];
  /** The inbound request stream, the whole body held in memory (to be sent again on a retry), or null for none. */
  readonly body: NodeJS.ReadableStream | Uint8Array | null;
}

export interface Upstream {
  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void;
  /** Stops taking requests and closes idle sockets once in-flight ones finish. */
  close(): Promise<void>;
  /** Closes every socket now. */
  destroy(): Promise<void>;
}
