// Listen addresses (`HOST:PORT`, `[::1]:PORT`, `:PORT`) and the upstream origin (`http://HOST:PORT`).

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

/** True for the addresses that mean "every interface". */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** Parses a listen address; `:15001` means all interfaces. Returns an error message when malformed. */
export function parseListenAddress(text: string): ListenAddress | string {
  const s = text.trim();
  const colon = s.lastIndexOf(':');
  if (colon < 0) return 'must be HOST:PORT (e.g. 0.0.0.0:15001 or [::]:15001)';
  let host = s.slice(0, colon);
  const port = parsePort(s.slice(colon + 1));
  if (port === undefined) return `port "${s.slice(colon + 1)}" must be a number from 0 to 65535`;
  if (host === '') host = '0.0.0.0';
  else if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
    if (!IPV6.test(host)) return `"[${host}]" is not an IPv6 address`;
  }
  else if (host.includes(':')) return 'an IPv6 host must be in brackets, e.g. [::1]:15001';
  else if (!HOSTNAME.test(host)) return `"${host}" is not a valid host`;
  return { host, port };
}

export function formatListenAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Validates the app's origin: plain http, a host and a port, no path. Returns the normalised origin or an error. */
export function parseUpstreamOrigin(text: string): { origin: string } | string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'must be a URL such as http://127.0.0.1:8080';
  }
  if (url.protocol !== 'http:') return `scheme "${url.protocol.slice(0, -1)}" is not supported: the app is reached over plain http on the pod's loopback`;
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') return 'must be an origin without a path, query or fragment (e.g. http://127.0.0.1:8080)';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  return { origin: url.origin };
}
