import { describe, expect, it } from 'vitest';
import { isHangUp, reasonForClientError } from '../../../src/adapters/inbound-http/client-errors.ts';

describe('reasonForClientError', () => {
  it.each<[string | undefined, string | undefined, string]>([
    ['HPE_HEADER_OVERFLOW', undefined, 'request_header_too_large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', undefined, 'request_timeout'],
    ['ERR_HTTP_HEADERS_TIMEOUT', undefined, 'request_timeout'],
    ['HPE_INVALID_VERSION', 'Invalid HTTP version', 'http_version_not_supported'],
    ['HPE_INVALID_VERSION', 'Expected CRLF after version', 'bad_request'],
    ['HPE_PAUSED_H2_UPGRADE', undefined, 'http_version_not_supported'],
    ['HPE_INVALID_METHOD', undefined, 'bad_request'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', undefined, 'bad_request'],
    [undefined, undefined, 'bad_request'],
  ])('%s (%s) → %s', (code, reason, expected) => {
    expect(reasonForClientError(code, reason)).toBe(expected);
  });

  it('tells a client hanging up from a request it got wrong', () => {
    expect(['ECONNRESET', 'EPIPE', 'ECONNABORTED'].every(isHangUp)).toBe(true);
    expect(isHangUp('HPE_INVALID_METHOD')).toBe(false);
  });
});
