// Byte-level mutations of requests: flipped, inserted and deleted bytes, duplicated or dropped CRLFs,
// pieces spliced in from other requests, framing headers made huge, negative or contradictory, chunk
// sizes made invalid, methods and versions broken, truncation anywhere, and plain garbage.

import type { Rng } from './random.ts';

/** Bytes that parsers treat specially. */
const INTERESTING_BYTES = [0x00, 0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x3b, 0x25, 0x2f, 0x2c, 0x22, 0x7f, 0x80, 0xff, 0x0b, 0x0c];

/** Fragments worth inserting anywhere: line ends, framing, request starts. */
const TOKENS = [
  '\r\n', '\r\n\r\n', '\n', '\r', '\n\n', ' ', '\t', ':', '0\r\n\r\n', 'HTTP/1.1', 'GET / HTTP/1.1\r\n',
  'Content-Length: 999999999999\r\n', 'Transfer-Encoding: chunked\r\n', '%', '%00', '\0', '-1', '\xff\xfe',
  'Host: evil\r\n', 'Connection: close\r\n', ';', 'ffffffff\r\n', '\r\n0\r\n',
];

/** Header lines that smuggling and parser tests are made of. */
const BAD_HEADERS = [
  'Transfer-Encoding: chunked',
  'Content-Length: 0\r\nContent-Length: 5',
  'Content-Length: 5\r\nContent-Length: 5',
  'Transfer-Encoding: chunked\r\nContent-Length: 3',
  'Content-Length: 3\r\nTransfer-Encoding: chunked',
  'Transfer-Encoding: gzip, chunked',
  'Transfer-Encoding: chunked, gzip',
  'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked',
  'Transfer-Encoding : chunked',
  ' Transfer-Encoding: chunked',
  'Transfer-Encoding:\x0bchunked',
  'Transfer-Encoding: xchunked',
  'Content-Length:\t7',
  'Content-Length: 1_000',
  'Host: a\r\nHost: b',
  'X: a\rb',
  'X: a\nb',
  'X:\0',
  'X-Folded: a\r\n b',
  ': no-name',
  'No-Colon',
  'Expect: 100-continue',
  'Expect: nonsense',
  'Upgrade: websocket\r\nConnection: Upgrade',
  'Connection: close',
  'Connection: keep-alive, Content-Length',
  'Connection: Transfer-Encoding',
  `X-Huge: ${'h'.repeat(17_000)}`,
  'x-request-id: \xff\xfe\x80',
  'traceparent: 00-\xff-\xff-01',
];

const BAD_LENGTHS = ['99999999999999999999', '-1', '1e3', '0x10', ' 5', '5, 5', '18446744073709551616', '', '+5', '4294967296', '9007199254740993', '1.5', 'abc'];
const BAD_CHUNK_SIZES = ['-1', 'fffffffffffffffff', 'zz', '', '0x10', ' 5', '5 ', '1;', '7fffffffffffffff', '10000000000000000', '\t1', '1\r\n\r\n', 'g'];
const BAD_METHODS = ['get', 'G ET', 'GET\t', 'FOO', 'CONNECT', 'GETT', '', 'PRI', 'M-SEARCH', 'LINK', 'POST\0', 'HEAD HEAD', 'DELETE_'];
const BAD_VERSIONS = ['HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'http/1.1', 'HTTP/1.10', 'HTTP/11', 'HTTP/1.1 ', 'HTTP/1.1\r', 'HTTP/', 'HTTP/1.1\0', 'HTTPS/1.1'];

export interface Mutation {
  readonly bytes: Buffer;
  readonly description: string;
}

type Operator = (rng: Rng, input: Buffer, pool: readonly Buffer[]) => Mutation;

const at = (rng: Rng, input: Buffer): number => rng.int(0, input.length);
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

function insert(input: Buffer, position: number, piece: Buffer): Buffer {
  return Buffer.concat([input.subarray(0, position), piece, input.subarray(position)]);
}

function replaceRange(input: Buffer, start: number, end: number, piece: Buffer): Buffer {
  return Buffer.concat([input.subarray(0, start), piece, input.subarray(end)]);
}

/** Offsets of every CRLF in the input. */
function crlfs(input: Buffer): number[] {
  const out: number[] = [];
  for (let i = input.indexOf('\r\n'); i >= 0; i = input.indexOf('\r\n', i + 1)) out.push(i);
  return out;
}

/** The end of the request head (the blank line), or the input's length. */
function headEnd(input: Buffer): number {
  const i = input.indexOf('\r\n\r\n');
  return i < 0 ? input.length : i + 2;
}

const OPERATORS: readonly (readonly [number, Operator])[] = [
  [3, (rng, input) => {
    const out = Buffer.from(input);
    const n = rng.int(1, 3);
    for (let i = 0; i < n && out.length > 0; i++) {
      const p = rng.int(0, out.length - 1);
      out[p] = (out[p] as number) ^ (1 << rng.int(0, 7));
    }
    return { bytes: out, description: `flip ${n} bit(s)` };
  }],
  [3, (rng, input) => {
    if (input.length === 0) return { bytes: input, description: 'set byte (empty)' };
    const out = Buffer.from(input);
    const p = rng.int(0, out.length - 1);
    const b = rng.chance(0.7) ? rng.pick(INTERESTING_BYTES) : rng.int(0, 255);
    out[p] = b;
    return { bytes: out, description: `byte ${p} := 0x${b.toString(16)}` };
  }],
  [3, (rng, input) => {
    const p = at(rng, input);
    const piece = rng.chance(0.6) ? latin1(rng.pick(TOKENS)) : rng.bytes(rng.int(1, 16));
    return { bytes: insert(input, p, piece), description: `insert ${JSON.stringify(piece.toString('latin1').slice(0, 40))} at ${p}` };
  }],
  [2, (rng, input) => {
    const p = at(rng, input);
    const n = rng.chance(0.8) ? rng.int(1, 16) : rng.int(1, Math.max(1, input.length >> 2));
    return { bytes: replaceRange(input, p, Math.min(input.length, p + n), Buffer.alloc(0)), description: `delete ${n} at ${p}` };
  }],
  [2, (rng, input) => {
    const p = at(rng, input);
    const n = rng.int(1, 32);
    return { bytes: insert(input, p, input.subarray(p, p + n)), description: `duplicate ${n} at ${p}` };
  }],
  [3, (rng, input) => {
    const list = crlfs(input);
    if (list.length === 0) return { bytes: input, description: 'drop CRLF (none)' };
    const p = rng.pick(list);
    const which = rng.int(0, 2);
    const [start, end] = which === 0 ? [p, p + 1] : which === 1 ? [p + 1, p + 2] : [p, p + 2];
    return { bytes: replaceRange(input, start, end, Buffer.alloc(0)), description: `drop ${['CR', 'LF', 'CRLF'][which]} at ${p}` };
  }],
  [2, (rng, input) => {
    const list = crlfs(input);
    if (list.length === 0) return { bytes: input, description: 'duplicate CRLF (none)' };
    const p = rng.pick(list);
    return { bytes: insert(input, p, latin1(rng.pick(['\r\n', '\r\n\r\n', '\n', '\r']))), description: `extra line end at ${p}` };
  }],
  [3, (rng, input, pool) => {
    const other = rng.pick(pool);
    const s = rng.int(0, other.length);
    const piece = other.subarray(s, s + rng.int(1, 200));
    const p = at(rng, input);
    if (rng.chance(0.5)) return { bytes: insert(input, p, piece), description: `splice ${piece.length} bytes of another request in at ${p}` };
    return { bytes: Buffer.concat([input.subarray(0, p), other.subarray(s)]), description: `cut at ${p}, then another request's tail from ${s}` };
  }],
  [3, (rng, input) => {
    const text = input.toString('latin1');
    const m = /content-length:[^\r\n]*/i.exec(text.slice(0, headEnd(input)));
    const value = rng.pick(BAD_LENGTHS);
    if (m === null) {
      const line = text.indexOf('\r\n');
      const p = line < 0 ? input.length : line + 2;
      return { bytes: insert(input, p, latin1(`Content-Length: ${value}\r\n`)), description: `add Content-Length: ${value}` };
    }
    return { bytes: replaceRange(input, m.index, m.index + m[0].length, latin1(`Content-Length: ${value}`)), description: `Content-Length := ${JSON.stringify(value)}` };
  }],
  [3, (rng, input) => {
    const end = headEnd(input);
    const value = rng.pick(BAD_CHUNK_SIZES);
    const text = input.toString('latin1');
    if (!/transfer-encoding:\s*chunked/i.test(text.slice(0, end))) {
      const line = text.indexOf('\r\n');
      const p = line < 0 ? input.length : line + 2;
      const body = latin1(`${value}\r\nabc\r\n0\r\n\r\n`);
      return { bytes: Buffer.concat([insert(input.subarray(0, end), p, latin1('Transfer-Encoding: chunked\r\n')), body]), description: `chunked with size ${JSON.stringify(value)}` };
    }
    // A chunk-size line: at the body's start, or after any CRLF inside the body.
    const starts = [end + 2, ...crlfs(input).filter((i) => i > end).map((i) => i + 2)].filter((i) => i < input.length);
    if (starts.length === 0) return { bytes: input, description: 'chunk size (no body)' };
    const s = rng.pick(starts);
    const lineEnd = input.indexOf('\r\n', s);
    return { bytes: replaceRange(input, s, lineEnd < 0 ? input.length : lineEnd, latin1(value)), description: `chunk size at ${s} := ${JSON.stringify(value)}` };
  }],
  [3, (rng, input) => {
    const p = rng.int(1, Math.max(1, input.length - 1));
    return { bytes: input.subarray(0, p), description: `truncate at ${p} of ${input.length}` };
  }],
  [2, (rng, input) => {
    const sp = input.indexOf(' ');
    const method = rng.pick(BAD_METHODS);
    return { bytes: replaceRange(input, 0, sp < 0 ? 0 : sp, latin1(method)), description: `method := ${JSON.stringify(method)}` };
  }],
  [2, (rng, input) => {
    const p = input.indexOf('HTTP/1.');
    if (p < 0) return { bytes: input, description: 'version (none)' };
    const version = rng.pick(BAD_VERSIONS);
    return { bytes: replaceRange(input, p, p + 8, latin1(version)), description: `version := ${JSON.stringify(version)}` };
  }],
  [4, (rng, input) => {
    const line = input.indexOf('\r\n');
    const end = headEnd(input);
    // Somewhere among the header lines (after the request line, before the blank line).
    const starts = crlfs(input).filter((i) => i >= line && i < end).map((i) => i + 2);
    const p = starts.length === 0 ? input.length : rng.pick(starts);
    const header = rng.pick(BAD_HEADERS);
    return { bytes: insert(input, p, latin1(`${header}\r\n`)), description: `add header ${JSON.stringify(header.slice(0, 60))}` };
  }],
];

/** Applies one to three mutations. */
export function mutate(rng: Rng, input: Buffer, pool: readonly Buffer[]): { bytes: Buffer; descriptions: string[] } {
  const n = rng.weighted<number>([[6, 1], [3, 2], [1, 3]]);
  let bytes = input;
  const descriptions: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = rng.weighted(OPERATORS)(rng, bytes, pool);
    bytes = m.bytes;
    descriptions.push(m.description);
  }
  return { bytes, descriptions };
}

/** Bytes that are no request at all: noise, line soup, or a request start with noise after it. */
export function garbage(rng: Rng, pool: readonly Buffer[]): { bytes: Buffer; description: string } {
  return rng.weighted<() => { bytes: Buffer; description: string }>([
    [3, () => ({ bytes: rng.bytes(rng.int(1, 3000)), description: 'random bytes' }),],
    [2, () => {
      const parts: Buffer[] = [];
      const n = rng.int(1, 30);
      for (let i = 0; i < n; i++) parts.push(rng.chance(0.5) ? latin1(rng.pick(TOKENS)) : latin1(rng.pick(BAD_HEADERS)));
      return { bytes: Buffer.concat(parts), description: `${n} tokens` };
    }],
    [2, () => {
      const parts: Buffer[] = [];
      const n = rng.int(2, 8);
      for (let i = 0; i < n; i++) {
        const other = rng.pick(pool);
        const s = rng.int(0, other.length);
        parts.push(other.subarray(s, s + rng.int(1, 300)));
      }
      return { bytes: Buffer.concat(parts), description: `${n} spliced pieces` };
    }],
    [2, () => ({ bytes: Buffer.concat([latin1(`${rng.pick(['GET', 'POST', 'HEAD'])} /${rng.string('abc/%?', rng.int(0, 10))} HTTP/1.1\r\nHost: a\r\n`), rng.bytes(rng.int(1, 500))]), description: 'request start, then noise' })],
    [1, () => ({ bytes: latin1('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), description: 'HTTP/2 preface' })],
    [1, () => ({ bytes: latin1(`\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03${'\x00'.repeat(32)}`), description: 'TLS client hello' })],
  ])();
}
