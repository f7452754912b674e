import { describe, expect, it } from 'vitest';
import {
  downstreamResponseHeaders,
  forwardableTrailers,
  upstreamRequestHeaders,
  type ClientEndpoint,
} from '../../../src/core/http/headers.ts';

const CLIENT: ClientEndpoint = { address: '10.0.0.7', proto: 'http' };

/** A request-id generator that counts its calls. */
function ids(): { next: () => string; calls: number } {
  const gen = { calls: 0, next: () => `generated-${++gen.calls}` };
  return gen;
}

/** `[name, value]` pairs of a flat header list. */
function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

/** Every value of a header, by case-insensitive name, in order. */
function values(flat: readonly string[], name: string): string[] {
  return pairs(flat).filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

function names(flat: readonly string[]): string[] {
  return pairs(flat).map(([n]) => n.toLowerCase());
}

function forward(raw: readonly string[], client: ClientEndpoint = CLIENT) {
  return upstreamRequestHeaders(raw, client, () => 'generated-id');
}

describe('upstreamRequestHeaders: Expect', () => {
  it('says whether the request carried Expect, which is answered here and never forwarded', () => {
    const withExpect = forward(['Host', 'a', 'Expect', '100-continue', 'Content-Length', '3']);
    expect(withExpect.expect).toBe(true);
    expect(names(withExpect.headers)).not.toContain('expect');
    expect(forward(['Host', 'a']).expect).toBe(false);
  });
});

describe('upstreamRequestHeaders: hop-by-hop fields', () => {
  it.each([
    ['Connection', 'keep-alive'],
    ['Keep-Alive', 'timeout=5'],
    ['Proxy-Connection', 'keep-alive'],
    ['TE', 'gzip'],
    ['Transfer-Encoding', 'chunked'],
    ['Upgrade', 'websocket'],
    ['Expect', '100-continue'],
    ['HTTP2-Settings', 'AAMAAABkAARAAAAAAAIAAAAA'],
  ])('removes %s in any casing', (name, value) => {
    for (const spelled of [name, name.toLowerCase(), name.toUpperCase()]) {
      const { headers } = forward(['Host', 'app', spelled, value, 'Accept', '*/*']);
      expect(names(headers)).not.toContain(name.toLowerCase());
      expect(values(headers, 'accept')).toEqual(['*/*']);
    }
  });

  it('removes the fields the Connection header names, in any casing', () => {
    const { headers } = forward(['Host', 'app', 'Connection', 'keep-alive, X-Secret', 'x-secret', 's', 'X-SECRET', 't', 'X-Other', 'o']);
    expect(names(headers)).not.toContain('x-secret');
    expect(values(headers, 'x-other')).toEqual(['o']);
  });

  it('collects names from every Connection header, ignoring empty tokens', () => {
    const { headers } = forward(['Connection', 'a,, ', 'Connection', ' B ', 'a', '1', 'b', '2', 'c', '3']);
    expect(pairs(headers).filter(([n]) => ['a', 'b', 'c'].includes(n))).toEqual([['c', '3']]);
  });

  it('keeps Host and x-request-id even when Connection names them', () => {
    const { headers, requestId } = forward(['Host', 'app:8080', 'X-Request-Id', 'abc', 'Connection', 'host, x-request-id']);
    expect(values(headers, 'host')).toEqual(['app:8080']);
    expect(values(headers, 'x-request-id')).toEqual(['abc']);
    expect(requestId).toBe('abc');
  });

  it('keeps Content-Length when Connection names it: the body\'s framing is not the client\'s to remove', () => {
    const { headers, contentLength } = forward(['Host', 'app', 'Content-Length', '5', 'Connection', 'close, content-length']);
    expect(values(headers, 'content-length')).toEqual(['5']);
    expect(contentLength).toBe(5);
  });

  it('drops an Idempotency-Key Connection names, and then the request does not count as idempotent', () => {
    const named = forward(['Idempotency-Key', 'k-1', 'Connection', 'idempotency-key']);
    expect(values(named.headers, 'idempotency-key')).toEqual([]);
    expect(named.idempotencyKey).toBe(false);
    expect(forward(['Idempotency-Key', 'k-1']).idempotencyKey).toBe(true);
  });

  it('drops the client\'s X-Forwarded-For when Connection names it, but still appends the client address', () => {
    const { headers } = forward(['X-Forwarded-For', '6.6.6.6', 'Connection', 'x-forwarded-for']);
    expect(values(headers, 'x-forwarded-for')).toEqual(['10.0.0.7']);
  });

  it('drops the client\'s X-Forwarded-Proto and -Host when Connection names them, keeping this hop\'s values', () => {
    const { headers } = forward(['Host', 'app', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil', 'Connection', 'X-Forwarded-Proto, X-Forwarded-Host']);
    expect(values(headers, 'x-forwarded-proto')).toEqual(['http']);
    expect(values(headers, 'x-forwarded-host')).toEqual(['app']);
  });

  it('passes ordinary headers through in order with their original name casing', () => {
    const raw = ['Host', 'app', 'Accept', 'text/html', 'X-Custom-Thing', 'v', 'cookie', 'a=1', 'Cookie', 'b=2'];
    const { headers } = forward(raw);
    expect(headers.slice(0, raw.length)).toEqual(raw);
  });
});

describe('upstreamRequestHeaders: X-Forwarded-*', () => {
  it('adds X-Forwarded-For, -Proto and -Host when the client sent none', () => {
    const { headers } = forward(['Host', 'shop.example:8443'], { address: '10.0.0.7', proto: 'https' });
    expect(values(headers, 'x-forwarded-for')).toEqual(['10.0.0.7']);
    expect(values(headers, 'x-forwarded-proto')).toEqual(['https']);
    expect(values(headers, 'x-forwarded-host')).toEqual(['shop.example:8443']);
  });

  it('appends to the values the client sent, joining several headers with ", " into one', () => {
    const { headers } = forward([
      'Host', 'app',
      'X-Forwarded-For', '1.1.1.1',
      'x-forwarded-for', '2.2.2.2, 3.3.3.3',
      'X-Forwarded-Proto', 'https',
      'X-Forwarded-Host', 'edge.example',
    ]);
    expect(values(headers, 'x-forwarded-for')).toEqual(['1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.7']);
    expect(values(headers, 'x-forwarded-proto')).toEqual(['https, http']);
    expect(values(headers, 'x-forwarded-host')).toEqual(['edge.example, app']);
  });

  it('forwards the client\'s X-Forwarded-For as is when the peer address is unknown', () => {
    const { headers } = forward(['X-Forwarded-For', '1.1.1.1'], { address: undefined, proto: 'http' });
    expect(values(headers, 'x-forwarded-for')).toEqual(['1.1.1.1']);
    expect(values(forward([], { address: undefined, proto: 'http' }).headers, 'x-forwarded-for')).toEqual([]);
  });

  it('replaces what the client sent with this hop\'s values when replaceForwarded (Sightline is the edge)', () => {
    const { headers } = forward(
      ['Host', 'app', 'X-Forwarded-For', '1.1.1.1', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil.example'],
      { address: '10.0.0.7', proto: 'http', replaceForwarded: true },
    );
    expect(values(headers, 'x-forwarded-for')).toEqual(['10.0.0.7']);
    expect(values(headers, 'x-forwarded-proto')).toEqual(['http']);
    expect(values(headers, 'x-forwarded-host')).toEqual(['app']);
    expect(values(forward(['X-Forwarded-Host', 'evil'], { address: undefined, proto: 'http', replaceForwarded: true }).headers, 'x-forwarded-host')).toEqual([]);
  });

  it('forwards the client\'s X-Forwarded-Host as is when there is no Host, and adds none otherwise', () => {
    expect(values(forward(['X-Forwarded-Host', 'edge']).headers, 'x-forwarded-host')).toEqual(['edge']);
    expect(values(forward([]).headers, 'x-forwarded-host')).toEqual([]);
  });
});

describe('upstreamRequestHeaders: request id', () => {
  it('generates an id with the injected function when the client sent none', () => {
    const gen = ids();
    const result = upstreamRequestHeaders(['Host', 'app'], CLIENT, gen.next);
    expect(result.requestId).toBe('generated-1');
    expect(values(result.headers, 'x-request-id')).toEqual(['generated-1']);
    expect(gen.calls).toBe(1);
  });

  it('keeps the client\'s id without generating one', () => {
    const gen = ids();
    const result = upstreamRequestHeaders(['X-Request-ID', 'client-id'], CLIENT, gen.next);
    expect(result.requestId).toBe('client-id');
    expect(pairs(result.headers).filter(([n]) => n.toLowerCase() === 'x-request-id')).toEqual([['X-Request-ID', 'client-id']]);
    expect(gen.calls).toBe(0);
  });

  it('keeps only the first id when the client sent several', () => {
    const gen = ids();
    const result = upstreamRequestHeaders(['x-request-id', 'first', 'X-Request-Id', 'second'], CLIENT, gen.next);
    expect(result.requestId).toBe('first');
    expect(values(result.headers, 'x-request-id')).toEqual(['first']);
    expect(gen.calls).toBe(0);
  });
});

describe('upstreamRequestHeaders: TE', () => {
  it.each(['trailers', 'Trailers', 'gzip, trailers', 'deflate,TRAILERS'])('forwards te: trailers when the client\'s TE is %j', (te) => {
    const { headers } = forward(['TE', te]);
    expect(pairs(headers).filter(([n]) => n.toLowerCase() === 'te')).toEqual([['te', 'trailers']]);
  });

  it.each([['gzip'], ['deflate, gzip']])('forwards no TE when the client\'s TE is %j', (te) => {
    expect(names(forward(['TE', te]).headers)).not.toContain('te');
  });

  it('forwards no TE when the client sent none', () => {
    expect(names(forward(['Host', 'app']).headers)).not.toContain('te');
  });
});

describe('upstreamRequestHeaders: hasBody', () => {
  it.each<[string[], boolean]>([
    [['Content-Length', '5'], true],
    [['content-length', '1048576'], true],
    [['Transfer-Encoding', 'chunked'], true],
    [['transfer-encoding', 'gzip, chunked'], true],
    [['Content-Length', '0'], false],
    [[], false],
    [['Host', 'app'], false],
  ])('%j → %s', (raw, hasBody) => {
    expect(forward(raw).hasBody).toBe(hasBody);
  });

  it('reports the Host fields and the Transfer-Encoding as sent, for the checks of request-head.ts', () => {
    expect(forward(['Host', 'a', 'host', 'b'])).toMatchObject({ host: 'b', hostCount: 2, transferEncoding: undefined });
    expect(forward([])).toMatchObject({ host: undefined, hostCount: 0 });
    expect(forward(['Transfer-Encoding', 'gzip', 'transfer-encoding', 'chunked']).transferEncoding).toBe('gzip, chunked');
  });

  it('forwards Content-Length but never Transfer-Encoding', () => {
    expect(values(forward(['Content-Length', '5']).headers, 'content-length')).toEqual(['5']);
    expect(names(forward(['Transfer-Encoding', 'chunked']).headers)).not.toContain('transfer-encoding');
  });
});

describe('downstreamResponseHeaders', () => {
  const options = { requestId: 'req-1', close: false };

  it('passes ordinary headers through and removes hop-by-hop ones', () => {
    const out = downstreamResponseHeaders({
      'content-type': 'text/plain',
      'content-length': '5',
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      upgrade: 'h2c',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
    }, options);
    expect(pairs(out)).toEqual([['content-type', 'text/plain'], ['content-length', '5'], ['x-request-id', 'req-1']]);
  });

  it('removes the fields the Connection header names, also when Connection is a list', () => {
    expect(names(downstreamResponseHeaders({ connection: 'close, X-Internal', 'x-internal': '1', 'x-public': '2' }, options)))
      .toEqual(['x-public', 'x-request-id']);
    expect(names(downstreamResponseHeaders({ connection: ['x-a', 'X-B'], 'x-a': '1', 'x-b': '2', 'x-c': '3' }, options)))
      .toEqual(['x-c', 'x-request-id']);
  });

  it('expands list values into one header each', () => {
    const out = downstreamResponseHeaders({ 'set-cookie': ['a=1', 'b=2'] }, options);
    expect(pairs(out)).toEqual([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-request-id', 'req-1']]);
  });

  it('skips undefined values', () => {
    expect(pairs(downstreamResponseHeaders({ 'x-a': undefined, 'x-b': 'b' }, options))).toEqual([['x-b', 'b'], ['x-request-id', 'req-1']]);
  });

  it('adds x-request-id only when the app sent none', () => {
    expect(values(downstreamResponseHeaders({}, options), 'x-request-id')).toEqual(['req-1']);
    expect(values(downstreamResponseHeaders({ 'x-request-id': 'app-id' }, options), 'x-request-id')).toEqual(['app-id']);
  });

  it('keeps the app\'s x-request-id even when its Connection header names it', () => {
    expect(values(downstreamResponseHeaders({ connection: 'x-request-id', 'x-request-id': 'app-id' }, options), 'x-request-id')).toEqual(['app-id']);
  });

  it('appends connection: close when asked, and only then', () => {
    const closing = downstreamResponseHeaders({ connection: 'keep-alive' }, { requestId: 'r', close: true });
    expect(pairs(closing).filter(([n]) => n === 'connection')).toEqual([['connection', 'close']]);
    expect(closing.slice(-2)).toEqual(['connection', 'close']);
    expect(names(downstreamResponseHeaders({ connection: 'close' }, { requestId: 'r', close: false }))).not.toContain('connection');
  });
});

describe('forwardableTrailers', () => {
  it('returns undefined for no trailers', () => {
    expect(forwardableTrailers(undefined)).toBeUndefined();
    expect(forwardableTrailers(null)).toBeUndefined();
    expect(forwardableTrailers({})).toBeUndefined();
  });

  it('returns undefined when every trailer is dropped', () => {
    expect(forwardableTrailers({ 'content-length': '5', connection: 'close', 'x-a': undefined })).toBeUndefined();
  });

  it('keeps ordinary trailers and drops hop-by-hop fields and content-length', () => {
    expect(forwardableTrailers({
      'grpc-status': '0',
      'server-timing': ['db;dur=53', 'app;dur=47'],
      'content-length': '10',
      'transfer-encoding': 'chunked',
      'keep-alive': 'timeout=5',
      connection: 'close',
      te: 'trailers',
    })).toEqual({ 'grpc-status': '0', 'server-timing': ['db;dur=53', 'app;dur=47'] });
  });
});
