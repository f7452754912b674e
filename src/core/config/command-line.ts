// The command line and the environment as config layers. Flags beat env, env beats the file.

import { FLAG_ENV_PREFIX } from './flags.ts';
import { setPath, type RawLayer, type RawTree } from './layers.ts';

export const USAGE = `Usage:
  sightline [run] [--config FILE] [--upstream URL] [--listen HOST:PORT] [--admin HOST:PORT] [--workers N|auto] [--set KEY=VALUE]...
  sightline check-config FILE
  sightline inject FILE|- [--classic] [--image IMAGE] [--container NAME] [--upstream-port PORT] [--take-port PORT]
  sightline slo-rules [--config FILE]
  sightline --version
  sightline --help

Options:
  --config FILE        YAML config file (env SIGHTLINE_CONFIG; default config/sightline.yaml)
  --upstream URL       the app, e.g. http://127.0.0.1:8080 (env SIGHTLINE_UPSTREAM)
  --listen HOST:PORT   proxy listener (env SIGHTLINE_LISTEN; default 0.0.0.0:15001)
  --admin HOST:PORT    admin listener: /healthz /readyz /metrics /shutdown (env SIGHTLINE_ADMIN; default 0.0.0.0:15000)
  --workers N|auto     processes serving the proxy port (env SIGHTLINE_WORKERS; default 1; auto: one per CPU)
  --set KEY=VALUE      any config key, e.g. --set drain.delay=10s (repeatable)

Precedence: flags > environment > config file > built-in defaults.`;

/** Flags and env variables that stand for one config key each. */
const FLAG_KEYS: Readonly<Record<string, string>> = { '--upstream': 'upstream.url', '--listen': 'listen', '--admin': 'admin', '--workers': 'workers' };
const ENV_KEYS: Readonly<Record<string, string>> = { SIGHTLINE_UPSTREAM: 'upstream.url', SIGHTLINE_LISTEN: 'listen', SIGHTLINE_ADMIN: 'admin', SIGHTLINE_WORKERS: 'workers' };

export type Command =
  | { readonly kind: 'run'; readonly configFile: string | undefined; readonly flags: RawLayer }
  | { readonly kind: 'check-config'; readonly configFile: string }
  /** Its own arguments are read by the inject command, which knows its options. */
  | { readonly kind: 'inject'; readonly args: readonly string[] }
  | { readonly kind: 'slo-rules'; readonly configFile: string | undefined }
  | { readonly kind: 'version' }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

export function parseCommandLine(args: readonly string[]): Command {
  const rest = [...args];
  if (rest[0] === '--version' || rest[0] === '-v' || rest[0] === 'version') return { kind: 'version' };
  if (rest[0] === '--help' || rest[0] === '-h' || rest[0] === 'help') return { kind: 'help' };
  if (rest[0] === 'check-config') {
    if (rest.length !== 2 || (rest[1] as string).startsWith('-')) return { kind: 'usage-error', message: 'check-config takes exactly one FILE' };
    return { kind: 'check-config', configFile: rest[1] as string };
  }
  if (rest[0] === 'inject') return { kind: 'inject', args: rest.slice(1) };
  if (rest[0] === 'slo-rules') {
    if (rest.length === 1) return { kind: 'slo-rules', configFile: undefined };
    const arg = rest[1] as string;
    if (arg.startsWith('--config=') && rest.length === 2) return { kind: 'slo-rules', configFile: arg.slice('--config='.length) };
    if (arg === '--config' && rest.length === 3) return { kind: 'slo-rules', configFile: rest[2] as string };
    return { kind: 'usage-error', message: 'slo-rules takes only --config FILE' };
  }
  if (rest[0] === 'run') rest.shift();

  const values: RawTree = {};
  const origins = new Map<string, string>();
  let configFile: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--help' || name === '-h') return { kind: 'help' };
    if (name === '--version') return { kind: 'version' };
    if (name !== '--config' && name !== '--set' && FLAG_KEYS[name] === undefined) {
      return { kind: 'usage-error', message: `unknown argument "${arg}"` };
    }
    let value: string;
    if (eq > 0 && name !== arg) value = arg.slice(eq + 1);
    else {
      const next = rest[i + 1];
      if (next === undefined) return { kind: 'usage-error', message: `${name} needs a value` };
      value = next;
      i++;
    }
    if (name === '--config') configFile = value;
    else if (name === '--set') {
      const sep = value.indexOf('=');
      if (sep <= 0) return { kind: 'usage-error', message: `--set needs KEY=VALUE, got "${value}"` };
      const key = value.slice(0, sep);
      setPath(values, key, value.slice(sep + 1));
      // Every map on the way is this flag's too: `--set listen.host=x` must be blamed on the flag.
      for (let dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) origins.set(key.slice(0, dot), `flag --set ${key}`);
      origins.set(key, `flag --set ${key}`);
    } else {
      const key = FLAG_KEYS[name] as string;
      setPath(values, key, value);
      origins.set(key, `flag ${name}`);
    }
  }
  return { kind: 'run', configFile, flags: { values, origins } };
}

/** Milliseconds, as the OTel variables give them, written as a duration. */
const millis = (v: string): string => `${v.trim()}ms`;

/**
 * The OpenTelemetry SDK's standard variables Sightline honours: variable, key, and how the value maps
 * (undefined: the variable says nothing). Later entries win: the traces endpoint beats the general one.
 */
const OTEL_ENV: readonly (readonly [string, string, (value: string) => string | undefined])[] = [
  // The general endpoint names the collector; the traces path is appended (OTLP/HTTP exporter spec).
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'tracing.endpoint', (v) => `${v.trim().replace(/\/+$/, '')}/v1/traces`],
  ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'tracing.endpoint', (v) => v.trim()],
  ['OTEL_SERVICE_NAME', 'tracing.serviceName', (v) => v],
  ['OTEL_RESOURCE_ATTRIBUTES', 'tracing.resourceAttributes', (v) => v],
  ['OTEL_SDK_DISABLED', 'tracing.enabled', (v) => (v.trim().toLowerCase() === 'true' ? 'false' : undefined)],
  ['OTEL_BSP_SCHEDULE_DELAY', 'tracing.exportDelay', millis],
  ['OTEL_BSP_EXPORT_TIMEOUT', 'tracing.exportTimeout', millis],
  ['OTEL_BSP_MAX_QUEUE_SIZE', 'tracing.queueSize', (v) => v],
  ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'tracing.batchSize', (v) => v],
];

/** The environment's layer: the SIGHTLINE_* variables that name config keys, and the standard OTEL_* ones. */
export function environmentLayer(env: Readonly<Record<string, string | undefined>>): RawLayer {
  const values: RawTree = {};
  const origins = new Map<string, string>();
  const set = (name: string, key: string, value: string | undefined): void => {
    if (value === undefined) return;
    setPath(values, key, value);
    origins.set(key, `env ${name}`);
  };
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') set(name, key, value);
  }
  for (const [name, key, map] of OTEL_ENV) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') set(name, key, map(value));
  }
  // SIGHTLINE_FLAG_<NAME> overrides a flag's value: kept under its variable's name, which readFlags
  // resolves against the declared flags (a name is upper-cased with - as _, so only they can tell).
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(FLAG_ENV_PREFIX) && name.length > FLAG_ENV_PREFIX.length && value !== undefined && value.trim() !== '') set(name, `flags.${name}`, value);
  }
  return { values, origins };
}
