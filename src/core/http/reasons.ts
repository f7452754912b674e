// Every response Sightline makes up itself has a reason code. The same name goes into the
// `x-sightline-reason` header, the JSON body, and (later) metrics, logs and spans.

export const REASONS = {
  upstream_connect_failure: { status: 502, message: 'could not connect to the app' },
  upstream_reset: { status: 502, message: 'the app closed the connection before answering' },
  upstream_protocol_error: { status: 502, message: 'the app sent a malformed HTTP response' },
  upstream_timeout: { status: 504, message: 'the app did not answer in time' },
  circuit_open: { status: 503, message: 'the circuit breaker is open: the app is failing, try again later' },
  overloaded: { status: 503, message: 'too many requests in flight' },
  rate_limited: { status: 429, message: 'the route\'s rate limit is reached: retry after the time Retry-After gives' },
  // Answered with the status the route's fault.abort.status sets; 503 is the default.
  fault: { status: 503, message: 'fault injected by Sightline (a chaos rehearsal), not a failure of the app' },
  invalid_request: { status: 400, message: 'the request cannot be forwarded' },
  bad_request: { status: 400, message: 'malformed HTTP request' },
  request_header_too_large: { status: 431, message: 'request headers too large' },
  request_timeout: { status: 408, message: 'the request was not received in time' },
  unsupported_transfer_coding: { status: 501, message: 'only the chunked transfer coding is supported' },
  http_version_not_supported: { status: 505, message: 'only HTTP/1.0 and HTTP/1.1 are served' },
} as const satisfies Record<string, { status: number; message: string }>;

export type Reason = keyof typeof REASONS;

export const REASON_HEADER = 'x-sightline-reason';

/**
 * What went wrong with an upstream attempt, from the error the client library gives: its code, and its
 * name for the errors that carry no code (undici's HTTPParserError for a malformed response has none).
 */
export function reasonForUpstreamError(code: string | undefined, name?: string): Reason {
  if (name === 'HTTPParserError') return 'upstream_protocol_error';
  switch (code) {
    case 'ECONNREFUSED':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'upstream_connect_failure';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'upstream_timeout';
    case 'UND_ERR_INVALID_ARG':
    case 'ERR_ASSERTION': // undici refusing a request it cannot send (a Host of "[" without "]"): not the app's failure
      return 'invalid_request';
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
    case 'ERR_HTTP_INVALID_STATUS_CODE':
      // The app's response head could not be written to the client as it was.
      return 'upstream_protocol_error';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      // undici reports any parse error of a response that declared a Content-Length this way: Content-Length
      // with Transfer-Encoding, conflicting or repeated Content-Lengths, a body ending short of its length at
      // `Connection: close`. A malformed response, not a reset (which would be retried as if the app dropped it).
      return 'upstream_protocol_error';
    default:
      if (code !== undefined && code.startsWith('HPE_')) return 'upstream_protocol_error';
      return 'upstream_reset';
  }
}

/** The small JSON body of a generated response. */
export function reasonBody(reason: Reason, requestId: string | undefined): string {
  const { message } = REASONS[reason];
  return requestId === undefined
    ? `{"error":"${reason}","message":"${message}"}`
    : `{"error":"${reason}","message":"${message}","request_id":${JSON.stringify(requestId)}}`;
}
