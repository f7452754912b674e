// Requests Node's parser refuses never reach the proxy: they get a short 4xx with a reason and the
// connection closes. The process is never harmed by what a client sends.

import type { Socket } from 'node:net';
import { REASON_HEADER, REASONS, reasonBody, type Reason } from '../../core/http/reasons.ts';

function reasonFor(code: string | undefined): Reason {
  if (code === 'HPE_HEADER_OVERFLOW') return 'request_header_too_large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') return 'request_timeout';
  return 'bad_request';
}

export function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // Only answer on a connection that has not carried a response yet (as Node itself does):
  // anything else would interleave with bytes already sent.
  if (err.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const reason = reasonFor(err.code);
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
};
