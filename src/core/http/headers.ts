// Header rewriting for a forwarding proxy (RFC 9110 §7.6): drop hop-by-hop fields, including any the
// Connection header names, append X-Forwarded-*, keep Host, and carry a request id end to end.
// Works on flat raw header arrays ([name, value, ...]) as Node and undici hand them over.

import type { ResponseHeaders } from '../../ports/upstream.ts';

/** Hop-by-hop fields never forwarded. `expect` is answered by the proxy itself; `http2-settings` belongs to h2c upgrades. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade', 'expect', 'http2-settings',
]);

export interface UpstreamRequestHeaders {
  readonly headers: string[];
  readonly requestId: string;
  /** A body follows the headers (Content-Length > 0 or Transfer-Encoding present). */
  readonly hasBody: boolean;
  /** The declared Content-Length, or -1 when there is none (chunked or no body). */
  readonly contentLength: number;
  /** The request carries an Idempotency-Key: the client says sending it twice is harmless. */
  readonly idempotencyKey: boolean;
  /**
   * The caller's W3C trace context, taken out of `headers`: the exchange decides what the app gets.
   * A repeated traceparent is invalid (W3C Trace Context §3.2) and comes back as ''.
   */
  readonly traceparent: string | undefined;
  /** Every tracestate field, joined with commas as the spec allows. */
  readonly tracestate: string | undefined;
  /** The Host header's value (the last, if repeated), and how many Host fields came (RFC 9112 §3.2 wants one). */
  readonly host: string | undefined;
  readonly hostCount: number;
  /** The Transfer-Encoding value as sent (fields joined with commas), undefined without one. */
  readonly transferEncoding: string | undefined;
  /** The request carried an Expect field (answered here, never forwarded). */
  readonly expect: boolean;
}

/** Set on every upstream attempt (1, 2, ...); a client's own copy is dropped. */
export const ATTEMPT_HEADER = 'x-sightline-attempt';

export interface ClientEndpoint {
  /** The peer's address, appended to X-Forwarded-For. */
  readonly address: string | undefined;
  /** `http` or `https`, appended to X-Forwarded-Proto. */
  readonly proto: string;
  /** Sightline is the edge: the client's own X-Forwarded-For, -Proto and -Host are dropped, not kept. */
  readonly replaceForwarded?: boolean;
}

/** Builds the header list sent to the app from the client's raw headers. */
export function upstreamRequestHeaders(raw: readonly string[], client: ClientEndpoint, newRequestId: () => string): UpstreamRequestHeaders {
  const out: string[] = [];
  let xff: string | undefined;
  let xfProto: string | undefined;
  let xfHost: string | undefined;
  let host: string | undefined;
  let hostCount = 0;
  let transferEncoding: string | undefined;
  let requestId: string | undefined;
  let connectionTokens: string[] | undefined;
  let hasBody = false;
  let contentLength = -1;
  let idempotencyKey = false;
  let trailersAccepted = false;
  let expect = false;
  let traceparent: string | undefined;
  let tracestate: string | undefined;

  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection') (connectionTokens ??= []).push(...tokens(value));
      else if (lower === 'transfer-encoding') {
        hasBody = true;
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
      }
      else if (lower === 'te' && tokens(value).includes('trailers')) trailersAccepted = true;
      else if (lower === 'expect') expect = true;
      continue;
    }
    switch (lower) {
      case 'x-forwarded-for':
        if (client.replaceForwarded !== true) xff = xff === undefined ? value : `${xff}, ${value}`;
        continue;
      case 'x-forwarded-proto':
        if (client.replaceForwarded !== true) xfProto = xfProto === undefined ? value : `${xfProto}, ${value}`;
        continue;
      case 'x-forwarded-host':
        if (client.replaceForwarded !== true) xfHost = xfHost === undefined ? value : `${xfHost}, ${value}`;
        continue;
      case 'x-request-id':
        if (requestId !== undefined) continue; // one id per request: keep the first
        requestId = value;
        break;
      case 'host':
        host = value;
        hostCount++;
        break;
      case 'content-length':
        contentLength = Number(value);
        if (value !== '0') hasBody = true;
        break;
      case 'idempotency-key':
        idempotencyKey = true;
        break;
      case ATTEMPT_HEADER:
        continue;
      case 'traceparent':
        traceparent = traceparent === undefined ? value : '';
        continue;
      case 'tracestate':
        tracestate = tracestate === undefined ? value : `${tracestate},${value}`;
        continue;
    }
    out.push(name, value);
  }

  if (connectionTokens !== undefined) {
    removeNamed(out, connectionTokens);
    // A client may name X-Forwarded-* in Connection: its own copies go, the ones this hop adds stay.
    if (connectionTokens.includes('x-forwarded-for')) xff = undefined;
    if (connectionTokens.includes('x-forwarded-proto')) xfProto = undefined;
    if (connectionTokens.includes('x-forwarded-host')) xfHost = undefined;
    // Its Idempotency-Key removed, the app could not tell a retry from a new request: not retried.
    if (connectionTokens.includes('idempotency-key')) idempotencyKey = false;
  }
  if (trailersAccepted) out.push('te', 'trailers');
  if (requestId === undefined) {
    requestId = newRequestId();
    out.push('x-request-id', requestId);
  }
  if (client.address !== undefined) out.push('x-forwarded-for', xff === undefined ? client.address : `${xff}, ${client.address}`);
  else if (xff !== undefined) out.push('x-forwarded-for', xff);
  out.push('x-forwarded-proto', xfProto === undefined ? client.proto : `${xfProto}, ${client.proto}`);
  if (host !== undefined) out.push('x-forwarded-host', xfHost === undefined ? host : `${xfHost}, ${host}`);
  else if (xfHost !== undefined) out.push('x-forwarded-host', xfHost);
  return { headers: out, requestId, hasBody, contentLength, idempotencyKey, traceparent, tracestate, host, hostCount, transferEncoding, expect };
}

export interface DownstreamOptions {
  readonly requestId: string;
  /** Ask the client to close the connection after this response (draining, or unread request body). */
  readonly close: boolean;
}

/** Builds the flat header list sent to the client from the app's parsed (lower-case) response headers. */
export function downstreamResponseHeaders(headers: ResponseHeaders, options: DownstreamOptions): string[] {
  const out: string[] = [];
  let connectionTokens: string[] | undefined;
  let hasRequestId = false;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') connectionTokens = tokens(Array.isArray(value) ? value.join(',') : value);
      continue;
    }
    if (name === 'x-request-id') hasRequestId = true;
    if (typeof value === 'string') out.push(name, value);
    else for (const v of value) out.push(name, v);
  }
  if (connectionTokens !== undefined) removeNamed(out, connectionTokens);
  if (!hasRequestId) out.push('x-request-id', options.requestId);
  if (options.close) out.push('connection', 'close');
  return out;
}

/** Trailers without the fields a trailer may never carry; undefined when nothing is left. */
export function forwardableTrailers(trailers: ResponseHeaders | null | undefined): Record<string, string | string[]> | undefined {
  let out: Record<string, string | string[]> | undefined;
  for (const name in trailers) {
    const value = trailers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'content-length') continue;
    (out ??= {})[name] = value;
  }
  return out;
}

function tokens(value: string): string[] {
  const result: string[] = [];
  for (const part of value.split(',')) {
    const t = part.trim().toLowerCase();
    if (t !== '') result.push(t);
  }
  return result;
}

/**
 * Removes, in place, every field the Connection header named (RFC 9110 §7.6.1), except the ones that must
 * survive: Host, the request id, and Content-Length (the body's framing is this hop's business, not the client's).
 */
function removeNamed(out: string[], names: readonly string[]): void {
  const drop = new Set(names.filter((n) => n !== 'close' && n !== 'keep-alive' && n !== 'host' && n !== 'x-request-id' && n !== 'content-length'));
  if (drop.size === 0) return;
  let w = 0;
  for (let r = 0; r < out.length; r += 2) {
    if (drop.has((out[r] as string).toLowerCase())) continue;
    out[w++] = out[r] as string;
    out[w++] = out[r + 1] as string;
  }
  out.length = w;
}
