// The configuration model: its types, its defaults and the one function that reads it.
// config/sightline.yaml documents every key read here; a test keeps the two in step.

import { formatListenAddress, isWildcardHost, parseListenAddress, parseUpstreamOrigin, type ListenAddress } from './address.ts';
import { invalid, readLayer, type Invalid, type ReadResult, type Section } from './reader.ts';
import type { RawLayer } from './layers.ts';
import { readDefaultRoute, readRoutes, type DefaultRouteConfig, type RouteConfig } from './policy.ts';
import { flagNames, readFlags, type FlagConfig } from './flags.ts';

export interface UpstreamConfig {
  /** `http://host:port` of the app, normalised. */
  readonly origin: string;
  /** Most sockets open to the app at once. */
  readonly connections: number;
  readonly connectTimeoutMs: number;
  /** Longest silence between two chunks of the app's response body → connection destroyed. */
  readonly idleTimeoutMs: number;
  /** How long an idle socket to the app is kept; below the app's own keep-alive timeout. */
  readonly keepAliveTimeoutMs: number;
}

export type HealthCheckKind = 'http' | 'tcp';

export interface HealthConfig {
  readonly type: HealthCheckKind;
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

export interface ServerConfig {
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxHeaderSize: number;
  /** Requests in flight at once across all routes; beyond it, 503 overloaded. 0 for no limit. */
  readonly maxInFlight: number;
  /** Longest silence while a request body is still arriving, then 408 request_timeout. 0 for none. */
  readonly bodyIdleTimeoutMs: number;
  /** Client connections open at once (per process); beyond it, new ones are closed at once. 0 for no limit. */
  readonly maxConnections: number;
  /** What becomes of the client's X-Forwarded-For, -Proto and -Host: kept with this hop's added, or dropped. */
  readonly xForwardedFor: XForwardedMode;
}

/** `append`: behind a trusted load balancer, its chain is kept; `replace`: Sightline is the edge, the client's is dropped. */
export type XForwardedMode = 'append' | 'replace';

export interface DrainConfig {
  readonly delayMs: number;
  readonly timeoutMs: number;
}

export interface TracingConfig {
  readonly enabled: boolean;
  /** Share of requests that start a trace here (no sampled traceparent from the caller) which are recorded. */
  readonly sampleRatio: number;
  /** OTLP/HTTP traces URL (`.../v1/traces`); '' to keep traces in memory only. */
  readonly endpoint: string;
  /** '' → `service.name` from resourceAttributes, else `sightline`. */
  readonly serviceName: string;
  readonly resourceAttributes: readonly (readonly [string, string])[];
  /** Traces kept in memory for /debug/traces. */
  readonly keepTraces: number;
  /** Spans waiting for export at most; more are dropped and counted. */
  readonly queueSize: number;
  readonly batchSize: number;
  readonly exportDelayMs: number;
  readonly exportTimeoutMs: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Processes that serve the proxy port: a count, or `auto` for one per CPU the process may use. */
export type WorkerSetting = number | 'auto';

/** Most workers accepted: far beyond any machine a sidecar shares, low enough to catch a typo. */
const MAX_WORKERS = 256;

export interface Config {
  /** 1: one process, as always; more: a primary that supervises this many worker processes. */
  readonly workers: WorkerSetting;
  readonly listen: ListenAddress;
  readonly admin: ListenAddress;
  readonly upstream: UpstreamConfig;
  readonly health: HealthConfig;
  readonly server: ServerConfig;
  readonly drain: DrainConfig;
  readonly log: { readonly level: LogLevel };
  /** Reload the config when its file changes (SIGHUP and POST /reload always do). */
  readonly reload: { readonly watch: boolean };
  readonly metrics: { readonly maxSeriesPerFamily: number };
  readonly accessLog: { readonly enabled: boolean; readonly sampleRatio: number; readonly skipPaths: readonly string[] };
  readonly tracing: TracingConfig;
  /** Feature flags, with their SIGHTLINE_FLAG_<NAME> overrides applied (flags.ts). */
  readonly flags: readonly FlagConfig[];
  readonly defaultRoute: DefaultRouteConfig;
  readonly routes: readonly RouteConfig[];
}

const SECOND = 1000;

function listenAddress(text: string) {
  const parsed = parseListenAddress(text);
  return typeof parsed === 'string' ? invalid(parsed) : parsed;
}

function upstreamOrigin(text: string) {
  const parsed = parseUpstreamOrigin(text);
  return typeof parsed === 'string' ? invalid(parsed) : parsed.origin;
}

function workerSetting(text: string): WorkerSetting | Invalid {
  const value = text.trim();
  if (value === 'auto') return 'auto';
  if (!/^-?\d+$/.test(value)) return invalid(`"${text}" is not a whole number or auto`);
  const n = Number(value);
  if (n < 1) return invalid('must be at least 1 (or auto: one per CPU)');
  if (n > MAX_WORKERS) return invalid(`must be at most ${MAX_WORKERS}`);
  return n;
}

/** The number of workers to run: `auto` is one per CPU the process may use (at least one). */
export function resolveWorkerCount(setting: WorkerSetting, availableParallelism: number): number {
  return setting === 'auto' ? Math.max(1, Math.floor(availableParallelism)) : setting;
}

function readUpstream(s: Section): UpstreamConfig {
  return {
    origin: s.text('url', 'http://127.0.0.1:8080', upstreamOrigin),
    connections: s.int('connections', 256, { min: 1, max: 65536 }),
    connectTimeoutMs: s.duration('connectTimeout', 1 * SECOND, { min: 1 }),
    idleTimeoutMs: s.duration('idleTimeout', 60 * SECOND, { min: 1 }),
    keepAliveTimeoutMs: s.duration('keepAliveTimeout', 4 * SECOND, { min: 1 }),
  };
}

function readHealth(s: Section): HealthConfig {
  const health: HealthConfig = {
    type: s.oneOf('type', ['http', 'tcp'] as const, 'tcp'),
    path: s.text('path', '/', (p) => (p.startsWith('/') ? p : invalid(`"${p}" must start with /`))),
    intervalMs: s.duration('interval', 2 * SECOND, { min: 10 }),
    timeoutMs: s.duration('timeout', 1 * SECOND, { min: 1 }),
    healthyThreshold: s.int('healthyThreshold', 1, { min: 1, max: 100 }),
    unhealthyThreshold: s.int('unhealthyThreshold', 3, { min: 1, max: 100 }),
  };
  if (health.timeoutMs > health.intervalMs) s.report('timeout', 'must not be longer than health.interval');
  return health;
}

function readServer(s: Section): ServerConfig {
  const server: ServerConfig = {
    keepAliveTimeoutMs: s.duration('keepAliveTimeout', 65 * SECOND, { min: 1 }),
    headersTimeoutMs: s.duration('headersTimeout', 10 * SECOND, { min: 1 }),
    requestTimeoutMs: s.duration('requestTimeout', 0),
    maxHeaderSize: s.size('maxHeaderSize', 16 * 1024, { min: 1024, max: 1024 * 1024 }),
    maxInFlight: s.int('maxInFlight', 4096, { min: 0, max: 1_000_000 }),
    bodyIdleTimeoutMs: s.duration('bodyIdleTimeout', 60 * SECOND),
    maxConnections: s.int('maxConnections', 10_000, { min: 0, max: 1_000_000 }),
    xForwardedFor: s.oneOf('xForwardedFor', ['append', 'replace'] as const, 'append'),
  };
  if (server.requestTimeoutMs !== 0 && server.headersTimeoutMs > server.requestTimeoutMs) {
    s.report('headersTimeout', 'must not be longer than server.requestTimeout (or set requestTimeout to 0)');
  }
  return server;
}

function otlpEndpoint(text: string) {
  const url = text.trim();
  if (url === '') return '';
  return /^https?:\/\/[^/\s]+(\/\S*)?$/.test(url) ? url : invalid(`"${text}" must be an http:// or https:// URL, e.g. http://otel-collector:4318/v1/traces`);
}

function readTracing(s: Section): TracingConfig {
  const tracing: TracingConfig = {
    enabled: s.bool('enabled', true),
    sampleRatio: s.ratio('sampleRatio', 0.1, { min: 0, max: 1 }),
    endpoint: s.text('endpoint', '', otlpEndpoint),
    serviceName: s.text('serviceName', '', (t) => t.trim()),
    resourceAttributes: s.stringMap('resourceAttributes', (name, value) => [name, value]),
    keepTraces: s.int('keepTraces', 100, { min: 0, max: 100_000 }),
    queueSize: s.int('queueSize', 2048, { min: 1, max: 1_000_000 }),
    batchSize: s.int('batchSize', 512, { min: 1, max: 1_000_000 }),
    exportDelayMs: s.duration('exportDelay', 5 * SECOND, { min: 1 }),
    exportTimeoutMs: s.duration('exportTimeout', 10 * SECOND, { min: 1 }),
  };
  if (tracing.batchSize > tracing.queueSize) s.report('batchSize', `must not be larger than tracing.queueSize (${tracing.queueSize})`);
  return tracing;
}

function readConfigRoot(root: Section): Config {
  const flags = readFlags(root, 'flags');
  const declared = flagNames(flags);
  const defaultRoute = root.section('defaultRoute', (s) => readDefaultRoute(s, declared));
  return {
    workers: root.text('workers', 1, workerSetting),
    listen: root.text('listen', { host: '0.0.0.0', port: 15001 }, listenAddress),
    admin: root.text('admin', { host: '0.0.0.0', port: 15000 }, listenAddress),
    upstream: root.section('upstream', readUpstream),
    health: root.section('health', readHealth),
    server: root.section('server', readServer),
    drain: root.section('drain', (s) => ({
      delayMs: s.duration('delay', 5 * SECOND),
      timeoutMs: s.duration('timeout', 20 * SECOND),
    })),
    log: root.section('log', (s) => ({
      level: s.oneOf('level', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    })),
    reload: root.section('reload', (s) => ({ watch: s.bool('watch', false) })),
    metrics: root.section('metrics', (s) => ({
      maxSeriesPerFamily: s.int('maxSeriesPerFamily', 2000, { min: 10, max: 1_000_000 }),
    })),
    accessLog: root.section('accessLog', (s) => ({
      enabled: s.bool('enabled', true),
      sampleRatio: s.ratio('sampleRatio', 1, { min: 0, max: 1 }),
      skipPaths: s.words('skipPaths', [], (p) => (p.startsWith('/') ? p : invalid(`"${p}" must start with /`))),
    })),
    tracing: root.section('tracing', readTracing),
    flags,
    defaultRoute,
    routes: readRoutes(root, 'routes', defaultRoute, declared),
  };
}

/** Reads merged layers into a Config; `issues` is empty when the config is valid. */
export function readConfig(layer: RawLayer): ReadResult<Config> {
  const result = readLayer(layer, readConfigRoot);
  const { listen, admin } = result.config;
  if (result.issues.length === 0 && listen.port !== 0 && listen.port === admin.port && (listen.host === admin.host || isWildcardHost(listen.host) || isWildcardHost(admin.host))) {
    return {
      ...result,
      issues: [{ path: 'admin', message: `must not share a port with listen (${formatListenAddress(listen)})`, ...originOf(layer, 'admin') }],
    };
  }
  return result;
}

function originOf(layer: RawLayer, path: string): { origin?: string } {
  const origin = layer.origins.get(path);
  return origin === undefined ? {} : { origin };
}
