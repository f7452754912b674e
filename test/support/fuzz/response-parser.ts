// The fuzzer's oracle: reads the bytes a server sent on one connection as a sequence of HTTP/1.1
// responses (RFC 9112), strictly, and says whether they are well-formed and complete. Each response:
// a status line `HTTP/1.1 NNN reason`, header fields (token names, visible/obs-text values, no obs-fold,
// CRLF line ends), then a body framed as RFC 9112 §6.3 says: none (answers to HEAD, 1xx, 204, 304),
// chunked (Transfer-Encoding ending in chunked: hex sizes, CRLF after each chunk, trailer fields),
// Content-Length (one value, digits only, never beside Transfer-Encoding), or until the server closes.
// After a 101 the connection is no longer HTTP: the rest is not parsed. Nothing may follow a response
// that says `Connection: close`, and no bytes may be left over.
//
// Which responses answer a HEAD cannot be told from the bytes; the caller says (isHead), or gives a
// budget (how many HEADs were sent) and each response that could be one is tried both ways.

export type Framing = 'none' | 'length' | 'chunked' | 'close';

export interface ParsedResponse {
  readonly status: number;
  readonly reason: string;
  /** [name, value] as sent (names in their own case, values without surrounding whitespace). */
  readonly headers: readonly (readonly [string, string])[];
  readonly trailers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly framing: Framing;
  /** Where it starts and ends in the stream. */
  readonly start: number;
  readonly end: number;
}

export interface ParseOptions {
  /** The server closed the connection: a body delimited by the close is complete. */
  readonly closed: boolean;
  /** Exactly which final (non-1xx) responses answer a HEAD, by their index among final responses (and their head). */
  readonly isHead?: (finalIndex: number, head: ResponseHead) => boolean;
  /** Without isHead: how many final responses may answer a HEAD (each such response is tried both ways). */
  readonly headBudget?: number;
}

export type ParseResult =
  | { readonly ok: true; readonly responses: readonly ParsedResponse[]; readonly upgraded: boolean }
  | {
      readonly ok: false;
      /** The responses parsed whole before the problem. */
      readonly responses: readonly ParsedResponse[];
      /** The bytes stop inside a response: more might come (not an error while the connection is open). */
      readonly incomplete: boolean;
      readonly error: string;
      /** Offset of the problem in the stream. */
      readonly at: number;
    };

/** Values of a header, by case-insensitive name. */
export function headerValues(response: Pick<ResponseHead, 'headers'>, name: string): string[] {
  const lower = name.toLowerCase();
  return response.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

export function header(response: Pick<ResponseHead, 'headers'>, name: string): string | undefined {
  return headerValues(response, name)[0];
}

/** Comma-separated tokens of a header, lower-cased, across all its lines. */
function tokens(response: Pick<ResponseHead, 'headers'>, name: string): string[] {
  return headerValues(response, name)
    .flatMap((v) => v.split(','))
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

const STATUS_LINE = /^HTTP\/1\.1 ([1-5][0-9][0-9]) ([\t\x20-\x7e\x80-\xff]*)$/;
const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\t\x20-\x7e\x80-\xff]*?)[ \t]*$/;
const CHUNK_SIZE_LINE = /^([0-9A-Fa-f]{1,15})(?:;[\t\x20-\x7e\x80-\xff]*)?$/;
const MAX_HEAD = 64 * 1024;
const PREFIX = 'HTTP/1.1 ';

type Step<T> =
  | { readonly kind: 'ok'; readonly value: T; readonly next: number }
  | { readonly kind: 'incomplete'; readonly at: number; readonly error: string }
  | { readonly kind: 'error'; readonly at: number; readonly error: string };

const incomplete = (at: number, error: string): Step<never> => ({ kind: 'incomplete', at, error });
const fail = (at: number, error: string): Step<never> => ({ kind: 'error', at, error });

/** One CRLF-terminated line from `offset`: a bare CR or LF inside it is an error. */
function line(text: string, offset: number, what: string): Step<string> {
  const lf = text.indexOf('\n', offset);
  if (lf < 0) {
    const cr = text.indexOf('\r', offset);
    if (cr >= 0 && cr < text.length - 1) return fail(cr, `bare CR in ${what}`);
    return incomplete(offset, `${what} not finished`);
  }
  if (lf === offset || text.charCodeAt(lf - 1) !== 13) return fail(lf, `bare LF in ${what}`);
  const value = text.slice(offset, lf - 1);
  const cr = value.indexOf('\r');
  if (cr >= 0) return fail(offset + cr, `bare CR in ${what}`);
  return { kind: 'ok', value, next: lf + 1 };
}

/** Header or trailer fields up to the blank line. */
function fields(text: string, offset: number, what: string, limit: number): Step<[string, string][]> {
  const out: [string, string][] = [];
  let at = offset;
  for (;;) {
    if (at - offset > limit) return fail(at, `${what} longer than ${limit} bytes`);
    const l = line(text, at, what);
    if (l.kind !== 'ok') return l;
    if (l.value === '') return { kind: 'ok', value: out, next: l.next };
    if (l.value.charCodeAt(0) === 32 || l.value.charCodeAt(0) === 9) return fail(at, `obs-fold (continuation line) in ${what}`);
    const m = FIELD_LINE.exec(l.value);
    if (m === null) return fail(at, `malformed field line in ${what}: ${JSON.stringify(l.value.slice(0, 80))}`);
    out.push([m[1] as string, m[2] as string]);
    at = l.next;
  }
}

export interface ResponseHead {
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly (readonly [string, string])[];
}

interface Head extends ResponseHead {
  readonly headers: [string, string][];
}

function head(text: string, offset: number): Step<Head> {
  const available = text.slice(offset, offset + PREFIX.length);
  if (!PREFIX.startsWith(available) && !available.startsWith(PREFIX)) return fail(offset, `not a status line: ${JSON.stringify(text.slice(offset, offset + 40))}`);
  const l = line(text, offset, 'status line');
  if (l.kind !== 'ok') return l;
  const m = STATUS_LINE.exec(l.value);
  if (m === null) return fail(offset, `malformed status line: ${JSON.stringify(l.value.slice(0, 80))}`);
  const f = fields(text, l.next, 'header section', MAX_HEAD);
  if (f.kind !== 'ok') return f;
  return { kind: 'ok', value: { status: Number(m[1]), reason: m[2] as string, headers: f.value }, next: f.next };
}

interface Body {
  readonly framing: Framing;
  readonly body: Buffer;
  readonly trailers: [string, string][];
}

/** How the body is framed, by RFC 9112 §6.3, or the framing error. */
function framingOf(h: Head): { framing: Exclude<Framing, 'none'>; length: number } | { error: string } {
  const te = tokens(h, 'transfer-encoding');
  const cl = headerValues(h, 'content-length');
  if (te.length > 0 && cl.length > 0) return { error: 'both Transfer-Encoding and Content-Length' };
  if (te.length > 0) return te[te.length - 1] === 'chunked' ? { framing: 'chunked', length: 0 } : { framing: 'close', length: 0 };
  if (cl.length > 1) return { error: `${cl.length} Content-Length fields` };
  if (cl.length === 1) {
    const v = cl[0] as string;
    if (!/^[0-9]{1,15}$/.test(v)) return { error: `invalid Content-Length ${JSON.stringify(v)}` };
    return { framing: 'length', length: Number(v) };
  }
  return { framing: 'close', length: 0 };
}

function chunked(text: string, data: Buffer, offset: number): Step<Body> {
  const parts: Buffer[] = [];
  let at = offset;
  for (;;) {
    const l = line(text, at, 'chunk size line');
    if (l.kind !== 'ok') return l;
    const m = CHUNK_SIZE_LINE.exec(l.value);
    if (m === null) return fail(at, `malformed chunk size line ${JSON.stringify(l.value.slice(0, 40))}`);
    const size = parseInt(m[1] as string, 16);
    if (size === 0) {
      const t = fields(text, l.next, 'trailer section', MAX_HEAD);
      if (t.kind !== 'ok') return t;
      return { kind: 'ok', value: { framing: 'chunked', body: Buffer.concat(parts), trailers: t.value }, next: t.next };
    }
    const dataEnd = l.next + size;
    if (dataEnd + 2 > data.length) {
      // What has come so far must still fit: CR LF right after the data, once it is there.
      if (dataEnd < data.length && data[dataEnd] !== 13) return fail(dataEnd, `chunk of ${size} bytes not followed by CRLF`);
      if (dataEnd + 1 < data.length && data[dataEnd + 1] !== 10) return fail(dataEnd, `chunk of ${size} bytes not followed by CRLF`);
      return incomplete(at, `chunk of ${size} bytes not finished`);
    }
    if (data[dataEnd] !== 13 || data[dataEnd + 1] !== 10) return fail(dataEnd, `chunk of ${size} bytes not followed by CRLF`);
    parts.push(data.subarray(l.next, dataEnd));
    at = dataEnd + 2;
  }
}

function body(text: string, data: Buffer, offset: number, h: Head, closed: boolean): Step<Body> {
  const f = framingOf(h);
  if ('error' in f) return fail(offset, f.error);
  if (f.framing === 'chunked') return chunked(text, data, offset);
  if (f.framing === 'length') {
    if (offset + f.length > data.length) return incomplete(offset, `body of ${f.length} bytes has ${data.length - offset}`);
    return { kind: 'ok', value: { framing: 'length', body: data.subarray(offset, offset + f.length), trailers: [] }, next: offset + f.length };
  }
  if (!closed) return incomplete(offset, 'body delimited by the connection close, and the server has not closed');
  return { kind: 'ok', value: { framing: 'close', body: data.subarray(offset), trailers: [] }, next: data.length };
}

const NO_BODY: Body = { framing: 'none', body: Buffer.alloc(0), trailers: [] };

type Outcome = { readonly ok: true; readonly responses: ParsedResponse[]; readonly upgraded: boolean } | { readonly ok: false; readonly responses: ParsedResponse[]; readonly incomplete: boolean; readonly error: string; readonly at: number };

/** Parses every response in `data`. */
export function parseResponses(data: Buffer, options: ParseOptions): ParseResult {
  const text = data.toString('latin1');
  const memo = new Map<string, Outcome>();

  const from = (offset: number, finalIndex: number, headLeft: number): Outcome => {
    if (offset === data.length) return { ok: true, responses: [], upgraded: false };
    const key = `${offset}:${finalIndex}:${headLeft}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const result = parseAt(offset, finalIndex, headLeft);
    memo.set(key, result);
    return result;
  };

  const parseAt = (offset: number, finalIndex: number, headLeft: number): Outcome => {
    const h = head(text, offset);
    if (h.kind !== 'ok') return { ok: false, responses: [], incomplete: h.kind === 'incomplete', error: h.error, at: h.at };
    const { status } = h.value;
    const make = (b: Body, end: number): ParsedResponse => ({ ...h.value, ...b, start: offset, end });

    if (status < 200) {
      const response = make(NO_BODY, h.next);
      if (tokens(h.value, 'transfer-encoding').length > 0 || headerValues(h.value, 'content-length').length > 0) {
        return { ok: false, responses: [], incomplete: false, error: `${status} response with a body length`, at: offset };
      }
      if (status === 101) return { ok: true, responses: [response], upgraded: true };
      const rest = from(h.next, finalIndex, headLeft);
      return { ...rest, responses: [response, ...rest.responses] };
    }

    const candidates: { body: () => Step<Body>; usesHead: boolean }[] = [];
    const bodiless = status === 204 || status === 304;
    if (bodiless) {
      if (tokens(h.value, 'transfer-encoding').length > 0) return { ok: false, responses: [], incomplete: false, error: `${status} response with Transfer-Encoding`, at: offset };
      if (status === 204 && headerValues(h.value, 'content-length').length > 0) return { ok: false, responses: [], incomplete: false, error: '204 response with Content-Length', at: offset };
      candidates.push({ body: () => ({ kind: 'ok', value: NO_BODY, next: h.next }), usesHead: false });
    } else if (options.isHead !== undefined) {
      const asHead = options.isHead(finalIndex, h.value);
      candidates.push({ body: () => (asHead ? { kind: 'ok', value: NO_BODY, next: h.next } : body(text, data, h.next, h.value, options.closed)), usesHead: asHead });
    } else {
      const withBody = { body: () => body(text, data, h.next, h.value, options.closed), usesHead: false };
      const f = framingOf(h.value);
      const couldHaveBody = !('error' in f) && !(f.framing === 'length' && f.length === 0);
      if (headLeft > 0 && couldHaveBody) {
        const asHead = { body: (): Step<Body> => ({ kind: 'ok', value: NO_BODY, next: h.next }), usesHead: true };
        // Try first what the next bytes suggest: another status line (or nothing) right after the head.
        const next = text.slice(h.next, h.next + PREFIX.length);
        const looksHead = h.next === data.length || PREFIX.startsWith(next);
        candidates.push(...(looksHead ? [asHead, withBody] : [withBody, asHead]));
      } else {
        candidates.push(withBody);
      }
    }

    let best: Outcome | null = null;
    for (const c of candidates) {
      const b = c.body();
      let outcome: Outcome;
      if (b.kind !== 'ok') {
        outcome = { ok: false, responses: [], incomplete: b.kind === 'incomplete', error: `${status} response: ${b.error}`, at: b.at };
      } else {
        const response = make(b.value, b.next);
        if (tokens(h.value, 'connection').includes('close') && b.next < data.length) {
          outcome = { ok: false, responses: [response], incomplete: false, error: `${data.length - b.next} bytes after a Connection: close response`, at: b.next };
        } else {
          const rest = from(b.next, finalIndex + 1, headLeft - (c.usesHead ? 1 : 0));
          outcome = { ...rest, responses: [response, ...rest.responses] };
        }
      }
      if (outcome.ok) return outcome;
      // Of the failed readings, keep one that only lacks bytes (more may come), else the one that got furthest.
      if (best === null || best.ok) best = outcome;
      else if (outcome.incomplete !== best.incomplete) best = outcome.incomplete ? outcome : best;
      else if (outcome.at > best.at) best = outcome;
    }
    return best as Outcome;
  };

  return from(0, 0, options.headBudget ?? 0);
}

/** Responses that are not 1xx (the answers, one per request). */
export function finalResponses(responses: readonly ParsedResponse[]): ParsedResponse[] {
  return responses.filter((r) => r.status >= 200 || r.status === 101);
}

/** A response as it would be written, for tests of the parser and for reports. */
export function describeResponse(r: ParsedResponse): string {
  return `${r.status} ${r.reason} [${r.headers.map(([n, v]) => `${n}: ${v}`).join('; ')}] ${r.framing} body ${r.body.length} bytes`;
}
