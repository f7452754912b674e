import { describe, expect, it } from 'vitest';
import { formatListenAddress, parseListenAddress, parseUpstreamOrigin } from '../../../src/core/config/address.ts';

describe('parseListenAddress', () => {
  it.each([
    ['0.0.0.0:15001', { host: '0.0.0.0', port: 15001 }],
    [':15001', { host: '0.0.0.0', port: 15001 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['[::]:15001', { host: '::', port: 15001 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['my-host.internal:65535', { host: 'my-host.internal', port: 65535 }],
    [' 127.0.0.1:80 ', { host: '127.0.0.1', port: 80 }],
  ])('reads %j', (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
  });

  it.each([
    ['15001', 'must be HOST:PORT'],
    ['host:99999', 'port "99999" must be a number from 0 to 65535'],
    ['host:65536', 'port "65536"'],
    ['host:', 'port ""'],
    ['host:http', 'port "http"'],
    ['::1:80', 'an IPv6 host must be in brackets'],
    ['bad host:1', '"bad host" is not a valid host'],
    ['-host:1', '"-host" is not a valid host'],
    ['[]:80', '"[]" is not an IPv6 address'],
    ['[not an ip]:80', '"[not an ip]" is not an IPv6 address'],
  ])('refuses %j with a message', (text, message) => {
    const result = parseListenAddress(text);
    expect(typeof result).toBe('string');
    expect(result).toContain(message);
  });
});

describe('formatListenAddress', () => {
  it('brackets IPv6 hosts and round-trips through parseListenAddress', () => {
    expect(formatListenAddress({ host: '::1', port: 8080 })).toBe('[::1]:8080');
    expect(formatListenAddress({ host: '0.0.0.0', port: 15001 })).toBe('0.0.0.0:15001');
    for (const text of ['[::1]:8080', '0.0.0.0:15001', 'localhost:0']) {
      const parsed = parseListenAddress(text);
      if (typeof parsed === 'string') throw new Error(parsed);
      expect(formatListenAddress(parsed)).toBe(text);
    }
  });
});

describe('parseUpstreamOrigin', () => {
  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['  http://localhost:3000  ', 'http://localhost:3000'],
    ['HTTP://LOCALHOST:3000', 'http://localhost:3000'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('accepts %j as %j', (text, origin) => {
    expect(parseUpstreamOrigin(text)).toEqual({ origin });
  });

  it.each([
    ['https://127.0.0.1:8443', 'scheme "https" is not supported'],
    ['ftp://127.0.0.1:21', 'scheme "ftp" is not supported'],
    ['http://127.0.0.1:8080/api', 'without a path, query or fragment'],
    ['http://127.0.0.1:8080/?a=1', 'without a path, query or fragment'],
    ['http://127.0.0.1:8080/#top', 'without a path, query or fragment'],
    ['http://user:secret@127.0.0.1:8080', 'must not carry credentials'],
    ['http://user@127.0.0.1:8080', 'must not carry credentials'],
    ['not a url', 'must be a URL such as http://127.0.0.1:8080'],
    ['127.0.0.1:8080x', 'must be a URL'],
    ['', 'must be a URL'],
  ])('refuses %j', (text, message) => {
    const result = parseUpstreamOrigin(text);
    expect(typeof result).toBe('string');
    expect(result).toContain(message);
  });
});
