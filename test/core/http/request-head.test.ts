import { describe, expect, it } from 'vitest';
import { headFieldsOf, requestHeadProblem, type RequestHeadFields } from '../../../src/core/http/request-head.ts';

const head = (fields: Partial<RequestHeadFields> = {}): RequestHeadFields => ({ host: 'app:8080', hostCount: 1, transferEncoding: undefined, ...fields });

describe('requestHeadProblem', () => {
  it('lets an ordinary HTTP/1.1 and HTTP/1.0 request through', () => {
    expect(requestHeadProblem(1, 1, head())).toBeUndefined();
    expect(requestHeadProblem(1, 0, head({ host: undefined, hostCount: 0 }))).toBeUndefined();
    expect(requestHeadProblem(1, 1, head({ transferEncoding: 'chunked' }))).toBeUndefined();
    expect(requestHeadProblem(1, 1, head({ transferEncoding: ' CHUNKED ' }))).toBeUndefined();
  });

  it.each([[0, 9], [2, 0], [3, 0]])('refuses HTTP/%i.%i with 505', (major, minor) => {
    expect(requestHeadProblem(major, minor, head())).toBe('http_version_not_supported');
  });

  it('refuses an HTTP/1.1 request without Host, and any with two (RFC 9112 §3.2)', () => {
    expect(requestHeadProblem(1, 1, head({ host: undefined, hostCount: 0 }))).toBe('invalid_request');
    expect(requestHeadProblem(1, 1, head({ hostCount: 2 }))).toBe('invalid_request');
    expect(requestHeadProblem(1, 0, head({ hostCount: 2 }))).toBe('invalid_request');
  });

  it.each(['app', 'app:8080', '10.0.0.7:80', '[::1]:15001', '[2001:db8::1]', 'xn--bcher-kva.example', ''])('accepts the Host %j', (host) => {
    expect(requestHeadProblem(1, 1, head({ host }))).toBeUndefined();
  });

  it.each(['a b', 'evil.example/path', 'user@app', 'app:80:80', 'app?x', '[::1', 'app:8o'])('refuses the Host %j', (host) => {
    expect(requestHeadProblem(1, 1, head({ host }))).toBe('invalid_request');
  });

  it('refuses Transfer-Encoding in HTTP/1.0 (faulty framing, RFC 9112 §6.1)', () => {
    expect(requestHeadProblem(1, 0, head({ transferEncoding: 'chunked' }))).toBe('invalid_request');
  });

  it.each(['gzip, chunked', 'identity, chunked', 'xchunked', 'chunked, chunked'])('answers 501 to the transfer coding %j', (te) => {
    expect(requestHeadProblem(1, 1, head({ transferEncoding: te }))).toBe('unsupported_transfer_coding');
  });
});

describe('headFieldsOf', () => {
  it('reads Host and Transfer-Encoding from a raw header list, as upstreamRequestHeaders does', () => {
    expect(headFieldsOf(['Host', 'a', 'Upgrade', 'websocket', 'host', 'b'])).toEqual({ host: 'b', hostCount: 2, transferEncoding: undefined });
    expect(headFieldsOf(['Transfer-Encoding', 'gzip', 'transfer-encoding', 'chunked'])).toEqual({ host: undefined, hostCount: 0, transferEncoding: 'gzip, chunked' });
  });
});
