// The fuzz test's oracle, test/support/fuzz/response-parser.ts, on known good and bad byte streams, and
// on random well-formed ones (fast-check): everything it accepts must be right, and it must say
// "incomplete" (not "malformed") for any stream merely cut short.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finalResponses, parseResponses, type ParsedResponse, type ParseResult } from '../support/fuzz/response-parser.ts';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const parse = (s: string, closed = true, headBudget = 0): ParseResult => parseResponses(bytes(s), { closed, headBudget });
const ok = (s: string, closed = true): readonly ParsedResponse[] => {
  const r = parse(s, closed);
  if (!r.ok) throw new Error(`expected a good stream, got: ${r.error}`);
  return r.responses;
};
const error = (s: string, closed = true): string => {
  const r = parse(s, closed);
  if (r.ok) throw new Error('expected a bad stream, it parsed');
  return `${r.incomplete ? 'incomplete' : 'malformed'}: ${r.error}`;
};

const LENGTH = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Sum: 7\r\n\r\n';

describe('the response parser (the fuzz oracle)', () => {
  it('reads good streams: length, chunked with extensions and trailers, bodiless statuses, interim answers, close-delimited', () => {
    expect(ok(LENGTH).map((r) => r.body.toString())).toEqual(['hello']);
    expect(ok(CHUNKED).map((r) => r.body.toString())).toEqual(['hello0123456789']);
    expect(ok(`${LENGTH}${CHUNKED}HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n${LENGTH}`).map((r) => r.status)).toEqual([200, 200, 204, 304, 200]);
    const interim = ok(`HTTP/1.1 100 Continue\r\n\r\n${LENGTH}`);
    expect(interim.map((r) => r.status)).toEqual([100, 200]);
    expect(finalResponses(interim)).toHaveLength(1);
    expect(ok('HTTP/1.1 200 OK\r\nX: y\r\n\r\nuntil the end').map((r) => r.body.toString())).toEqual(['until the end']);
    expect(ok('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05anything, not HTTP')).toHaveLength(1);
    expect(ok('HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n')).toHaveLength(1);
    expect(ok('')).toEqual([]);
  });

  it('refuses bad streams', () => {
    expect(error('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')).toMatch(/malformed: not a status line/);
    expect(error('HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n')).toMatch(/malformed status line/);
    expect(error('HTTP/1.1 99 Low\r\n\r\n')).toMatch(/malformed status line/);
    expect(error('HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n')).toMatch(/bare LF/);
    expect(error('HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n')).toMatch(/bare LF/);
    expect(error('HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n')).toMatch(/bare CR/);
    expect(error('HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n')).toMatch(/malformed field line/);
    expect(error('HTTP/1.1 200 OK\r\nX: a\r\n folded\r\nContent-Length: 0\r\n\r\n')).toMatch(/obs-fold/);
    expect(error('HTTP/1.1 200 OK\r\nX: \x00\r\nContent-Length: 0\r\n\r\n')).toMatch(/malformed field line/);
    expect(error('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')).toMatch(/both Transfer-Encoding and Content-Length/);
    expect(error('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na')).toMatch(/2 Content-Length fields/);
    expect(error('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')).toMatch(/invalid Content-Length/);
    expect(error('HTTP/1.1 200 OK\r\nContent-Length: 1,1\r\n\r\na')).toMatch(/invalid Content-Length/);
    expect(error('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toMatch(/malformed chunk size/);
    expect(error('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n')).toMatch(/malformed chunk size/);
    expect(error('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n')).toMatch(/not followed by CRLF/);
    expect(error('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n')).toMatch(/malformed field line in trailer/);
    expect(error('HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n')).toMatch(/204 response with Content-Length/);
    expect(error('HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n')).toMatch(/Transfer-Encoding/);
    expect(error('HTTP/1.1 100 Continue\r\nContent-Length: 1\r\n\r\n')).toMatch(/100 response with a body length/);
    expect(error(`${LENGTH}!`)).toMatch(/malformed: not a status line/);
    expect(error(`${LENGTH}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc`)).toMatch(/not a status line/);
    expect(error(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n${LENGTH}`)).toMatch(/after a Connection: close response/);
    expect(error('garbage')).toMatch(/not a status line/);
  });

  it('tells a stream cut short (incomplete) from a broken one', () => {
    expect(error('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel')).toMatch(/^incomplete: .*body of 5 bytes has 3/);
    expect(error('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n')).toMatch(/^incomplete/);
    expect(error('HTTP/1.1 2')).toMatch(/^incomplete/);
    expect(error('HTTP/1.1 200 OK\r\nX: y\r\n\r\nbody', false)).toMatch(/^incomplete: .*server has not closed/);
  });

  it('takes a body-less answer for a HEAD only as often as HEADs were sent, or exactly where told', () => {
    const stream = `HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n${LENGTH}`;
    expect(parse(stream, true, 0).ok).toBe(false);
    const r = parse(stream, true, 1);
    expect(r.ok && r.responses.map((x) => x.body.length)).toEqual([0, 5]);
    const exact = parseResponses(bytes(stream), { closed: true, isHead: (i) => i === 0 });
    expect(exact.ok).toBe(true);
    expect(parseResponses(bytes(stream), { closed: true, isHead: () => false }).ok).toBe(false);
  });

  const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
  const value = fc.stringMatching(/^[\x21-\x7e\x80-\xff]([\t\x20-\x7e\x80-\xff]{0,20}[\x21-\x7e\x80-\xff])?$/);
  const response = fc.record({
    status: fc.constantFrom(200, 201, 204, 301, 304, 400, 404, 418, 500, 503),
    reason: fc.stringMatching(/^[\x20-\x7e]{0,20}$/),
    headers: fc.array(fc.tuple(token.filter((t) => !/^(content-length|transfer-encoding|connection)$/i.test(t)), value), { maxLength: 5 }),
    body: fc.uint8Array({ maxLength: 300 }),
    framing: fc.constantFrom('length', 'chunked'),
    chunks: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
  });
  const serialise = (r: { status: number; reason: string; headers: [string, string][]; body: Uint8Array; framing: string; chunks: number[] }): Buffer => {
    const bodiless = r.status === 204 || r.status === 304;
    let head = `HTTP/1.1 ${r.status} ${r.reason}\r\n`;
    for (const [n, v] of r.headers) head += `${n}: ${v}\r\n`;
    if (bodiless) return bytes(`${head}\r\n`);
    const body = Buffer.from(r.body);
    if (r.framing === 'length') return Buffer.concat([bytes(`${head}Content-Length: ${body.length}\r\n\r\n`), body]);
    const parts = [bytes(`${head}Transfer-Encoding: chunked\r\n\r\n`)];
    let at = 0;
    for (let i = 0; at < body.length; i++) {
      const n = Math.min(body.length - at, r.chunks[i % r.chunks.length] as number);
      parts.push(bytes(`${n.toString(16)}\r\n`), body.subarray(at, at + n), bytes('\r\n'));
      at += n;
    }
    parts.push(bytes('0\r\n\r\n'));
    return Buffer.concat(parts);
  };

  it('reads back any sequence of well-formed responses, and calls every cut of it incomplete, never malformed', () => {
    fc.assert(
      fc.property(fc.array(response, { minLength: 1, maxLength: 5 }), fc.nat(), (list, cutAt) => {
        const stream = Buffer.concat(list.map(serialise));
        const whole = parseResponses(stream, { closed: false });
        expect(whole.ok).toBe(true);
        expect(whole.responses.map((r) => r.status)).toEqual(list.map((r) => r.status));
        expect(whole.responses.map((r) => Buffer.from(r.body).toString('hex'))).toEqual(list.map((r) => (r.status === 204 || r.status === 304 ? '' : Buffer.from(r.body).toString('hex'))));
        const cut = parseResponses(stream.subarray(0, cutAt % stream.length), { closed: false });
        if (!cut.ok) expect(cut.incomplete, cut.error).toBe(true);
      }),
      { seed: 20261126, numRuns: 300 },
    );
  });
});
