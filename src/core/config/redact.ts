// /debug/config: the effective configuration as JSON, safe to show. Values that may be secrets are
// replaced by "[redacted]": anything under a key named like a secret (token, password, api key, ...),
// the value of a [name, value] pair so named (resource attributes, header matches), every value of
// header maps under `tracing` (exporter headers), passwords in URLs, and URL query parameters named
// like a secret. What remains is what Sightline actually runs with.

export const REDACTED = '[redacted]';

const SECRET_NAME = /secret|token|password|passwd|authorization|credential|cookie|api[-_]?key|private[-_]?key/i;

/** `scheme://user:password@` or `scheme://token@`: the credential part of a URL. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]+)@/gi;

/** Header maps of the trace exporter: every value may be a credential. */
const TRACING_HEADERS = /^tracing(\.[^.]+)*\.headers$/i;

/** `?access_token=...` and the like. */
const SECRET_QUERY_PARAM = /([?&;])([^=&#;\s]+)=([^&#;\s]*)/g;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A string with the credentials of any URL in it taken out. */
export function redactUrls(text: string): string {
  if (!text.includes('://')) return text;
  return text
    .replace(URL_USERINFO, (_m, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      // A user name alone may be a token (https://TOKEN@host): only a visible user with a password is kept.
      return colon < 0 ? `${scheme}${REDACTED}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
    })
    .replace(SECRET_QUERY_PARAM, (m, sep: string, name: string, value: string) => (value !== '' && isSecretName(name) ? `${sep}${name}=${REDACTED}` : m));
}

/**
 * A JSON-ready copy of `value` with the secrets replaced. `path` is the key path so far (dotted),
 * used to find header maps under `tracing`.
 */
export function redact(value: unknown, path = ''): unknown {
  if (typeof value === 'string') return redactUrls(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Map) return redact(Object.fromEntries(value), path);
  if (value instanceof Set) return redact([...value], path);
  const exporterHeaders = TRACING_HEADERS.test(path);
  if (Array.isArray(value)) {
    // A [name, value] pair named like a secret (resource attributes, header matches), or an exporter header.
    if (value.length === 2 && typeof value[0] === 'string' && (exporterHeaders || isSecretName(value[0])) && !isBlank(value[1])) return [value[0], REDACTED];
    return value.map((item) => redact(item, path));
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const keyPath = path === '' ? key : `${path}.${key}`;
    out[key] = (exporterHeaders || isSecretName(key)) && !isBlank(item) ? REDACTED : redact(item, keyPath);
  }
  return out;
}

/** An unset value says nothing secret, and showing it tells the reader the key is empty. */
function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

export interface ConfigSource {
  /** The YAML file, or undefined for built-in defaults (with env and flags). */
  readonly file: string | undefined;
  /** Epoch milliseconds when this config was loaded. */
  readonly loadedAt: number;
}

/**
 * The answer of /debug/config. `extra` holds top-level sections that are not in the Config object
 * (e.g. the live state of feature flags), redacted the same way.
 */
export function effectiveConfigView(config: unknown, source: ConfigSource, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    source: { file: source.file ?? null, layers: 'built-in defaults < YAML file < environment < flags', loadedAt: new Date(source.loadedAt).toISOString() },
    config: redact(config),
    ...(redact(extra) as Record<string, unknown>),
  };
}
