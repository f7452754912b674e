import { describe, expect, it } from 'vitest';
import { REASON_HEADER, REASONS, reasonBody, reasonForUpstreamError, type Reason } from '../../../src/core/http/reasons.ts';

describe('reasonForUpstreamError', () => {
  it.each<[string | undefined, Reason]>([
    ['ECONNREFUSED', 'upstream_connect_failure'],
    ['UND_ERR_CONNECT_TIMEOUT', 'upstream_connect_failure'],
    ['ENOTFOUND', 'upstream_connect_failure'],
    ['EAI_AGAIN', 'upstream_connect_failure'],
    ['EHOSTUNREACH', 'upstream_connect_failure'],
    ['ENETUNREACH', 'upstream_connect_failure'],
    ['EADDRNOTAVAIL', 'upstream_connect_failure'],
    ['UND_ERR_HEADERS_TIMEOUT', 'upstream_timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'upstream_timeout'],
    ['UND_ERR_SOCKET', 'upstream_reset'],
    ['ECONNRESET', 'upstream_reset'],
    ['EPIPE', 'upstream_reset'],
    [undefined, 'upstream_reset'],
    ['HPE_INVALID_CONSTANT', 'upstream_protocol_error'],
    ['HPE_INVALID_HEADER_TOKEN', 'upstream_protocol_error'],
    ['ERR_INVALID_CHAR', 'upstream_protocol_error'],
    ['ERR_HTTP_INVALID_STATUS_CODE', 'upstream_protocol_error'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'upstream_protocol_error'],
    ['UND_ERR_INVALID_ARG', 'invalid_request'],
  ])('%s → %s', (code, reason) => {
    expect(reasonForUpstreamError(code)).toBe(reason);
  });
});

describe('reasonForUpstreamError for errors without a code', () => {
  it("reads undici's HTTPParserError by name", () => {
    expect(reasonForUpstreamError(undefined, 'HTTPParserError')).toBe('upstream_protocol_error');
    expect(reasonForUpstreamError(undefined, 'Error')).toBe('upstream_reset');
  });
});

describe('REASONS', () => {
  it.each<[Reason, number]>([
    ['upstream_connect_failure', 502],
    ['upstream_reset', 502],
    ['upstream_protocol_error', 502],
    ['upstream_timeout', 504],
    ['invalid_request', 400],
    ['bad_request', 400],
    ['request_header_too_large', 431],
    ['request_timeout', 408],
    ['unsupported_transfer_coding', 501],
    ['http_version_not_supported', 505],
  ])('%s answers %i', (reason, status) => {
    expect(REASONS[reason].status).toBe(status);
  });

  it('names the reason header', () => {
    expect(REASON_HEADER).toBe('x-sightline-reason');
  });
});

describe('reasonBody', () => {
  it('is JSON with the reason, its message and the request id', () => {
    expect(JSON.parse(reasonBody('upstream_timeout', 'req-1'))).toEqual({
      error: 'upstream_timeout',
      message: 'the app did not answer in time',
      request_id: 'req-1',
    });
  });

  it('leaves request_id out when there is none', () => {
    expect(JSON.parse(reasonBody('bad_request', undefined))).toEqual({ error: 'bad_request', message: 'malformed HTTP request' });
  });

  it('escapes the request id, which comes from the client', () => {
    const id = 'a"b\\c\n</script>\u0000';
    const body = JSON.parse(reasonBody('upstream_reset', id)) as { request_id: string };
    expect(body.request_id).toBe(id);
  });

  it.each(Object.keys(REASONS) as Reason[])('is valid JSON for %s', (reason) => {
    expect(JSON.parse(reasonBody(reason, 'x'))).toMatchObject({ error: reason, message: REASONS[reason].message });
  });
});
