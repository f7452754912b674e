// HTTP methods as telemetry labels them (OTel HTTP semantic conventions): the registered methods as they
// are, anything else `_OTHER`, so a client cannot invent label values.

const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

export const OTHER_METHOD = '_OTHER';

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
}
