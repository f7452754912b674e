// Requests Node's parser refuses never reach the proxy: they get a short 4xx/5xx with a reason and the
// connection closes. The process is never harmed by what a client sends.

import type { Socket } from 'node:net';
import { REASON_HEADER, REASONS, reasonBody, type Reason } from '../../core/http/reasons.ts';

/** `reason` is the parser's own words: llhttp gives HPE_INVALID_VERSION for a malformed line end too. */
export function reasonForClientError(code: string | undefined, reason?: string): Reason {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 'request_header_too_large';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return 'request_timeout';
    // HTTP/1.2, HTTP/3.0, HTTP/9.9 in an HTTP/1 request line, and the HTTP/2 connection preface (PRI * HTTP/2.0).
    case 'HPE_INVALID_VERSION':
      return reason === 'Invalid HTTP version' ? 'http_version_not_supported' : 'bad_request';
    case 'HPE_PAUSED_H2_UPGRADE':
      return 'http_version_not_supported';
    default:
      return 'bad_request';
  }
}

/** The socket failed under the request (the client hung up): nothing to answer, nothing the client did wrong. */
export function isHangUp(code: string | undefined): boolean {
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED';
}

/**
 * Answers on the bare socket and closes it. Only on a connection that carries no response at that
 * moment (`betweenResponses`, or nothing written yet, as Node itself checks): anything else would
 * interleave with bytes already sent, so the connection is destroyed instead. Between responses, a
 * connection already closing (the last answer said close) is left to finish sending that answer.
 */
export function answerOnSocket(socket: Socket, reason: Reason, betweenResponses = false): void {
  if (betweenResponses ? !socket.writable : !socket.writable || socket.bytesWritten > 0) {
    if (!betweenResponses) socket.destroy();
    return;
  }
  const body = reasonBody(reason, undefined);
  const { status } = REASONS[reason];
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `${REASON_HEADER}: ${reason}\r\nconnection: close\r\n\r\n${body}`,
  );
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  505: 'HTTP Version Not Supported',
};
