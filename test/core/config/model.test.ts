import { describe, expect, it } from 'vitest';
import { readConfig, type Config } from '../../../src/core/config/model.ts';
import { mergeLayers, type RawLayer, type RawTree } from '../../../src/core/config/layers.ts';
import { BUILT_IN_POLICY } from './built-in-policy.ts';

function layer(values: RawTree, origins: Record<string, string> = {}): RawLayer {
  return { values, origins: new Map(Object.entries(origins)) };
}

function read(...layers: RawLayer[]) {
  return readConfig(mergeLayers(layers));
}

const DEFAULTS: Config = {
  workers: 1,
  listen: { host: '0.0.0.0', port: 15001 },
  admin: { host: '0.0.0.0', port: 15000 },
  upstream: {
    origin: 'http://127.0.0.1:8080',
    connections: 256,
    connectTimeoutMs: 1000,
    idleTimeoutMs: 60_000,
    keepAliveTimeoutMs: 4000,
  },
  health: { type: 'tcp', path: '/', intervalMs: 2000, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 3 },
  server: {
    keepAliveTimeoutMs: 65_000, headersTimeoutMs: 10_000, requestTimeoutMs: 0, maxHeaderSize: 16 * 1024, maxInFlight: 4096,
    bodyIdleTimeoutMs: 60_000, maxConnections: 10_000, xForwardedFor: 'append',
  },
  drain: { delayMs: 5000, timeoutMs: 20_000 },
  log: { level: 'info' },
  reload: { watch: false },
  metrics: { maxSeriesPerFamily: 2000 },
  accessLog: { enabled: true, sampleRatio: 1, skipPaths: [] },
  tracing: {
    enabled: true, sampleRatio: 0.1, endpoint: '', serviceName: '', resourceAttributes: [],
    keepTraces: 100, queueSize: 2048, batchSize: 512, exportDelayMs: 5000, exportTimeoutMs: 10_000,
  },
  flags: [],
  defaultRoute: { name: 'default', ...BUILT_IN_POLICY },
  routes: [],
};

describe('readConfig: defaults and values', () => {
  it('gives the built-in defaults for no layers at all', () => {
    const result = read();
    expect(result.issues).toEqual([]);
    expect(result.config).toEqual(DEFAULTS);
  });

  it('reads every key when all are valid', () => {
    const result = read(layer({
      workers: 3,
      listen: '127.0.0.1:9001',
      admin: '[::1]:9000',
      upstream: { url: 'http://localhost:3000/', connections: 8, connectTimeout: '250ms', idleTimeout: '2m', keepAliveTimeout: '3s' },
      health: { type: 'http', path: '/healthz', interval: '5s', timeout: '5s', healthyThreshold: 2, unhealthyThreshold: 5 },
      server: { keepAliveTimeout: '75s', headersTimeout: '5s', requestTimeout: '1m', maxHeaderSize: '32KiB', bodyIdleTimeout: '30s', maxConnections: 500, xForwardedFor: 'replace' },
      drain: { delay: '3s', timeout: '1m30s' },
      log: { level: 'debug' },
      reload: { watch: true },
      flags: { beta: '25%' },
    }));
    expect(result.issues).toEqual([]);
    expect(result.config).toEqual({
      workers: 3,
      listen: { host: '127.0.0.1', port: 9001 },
      admin: { host: '::1', port: 9000 },
      upstream: { origin: 'http://localhost:3000', connections: 8, connectTimeoutMs: 250, idleTimeoutMs: 120_000, keepAliveTimeoutMs: 3000 },
      health: { type: 'http', path: '/healthz', intervalMs: 5000, timeoutMs: 5000, healthyThreshold: 2, unhealthyThreshold: 5 },
      server: {
        keepAliveTimeoutMs: 75_000, headersTimeoutMs: 5000, requestTimeoutMs: 60_000, maxHeaderSize: 32 * 1024, maxInFlight: 4096,
        bodyIdleTimeoutMs: 30_000, maxConnections: 500, xForwardedFor: 'replace',
      },
      drain: { delayMs: 3000, timeoutMs: 90_000 },
      log: { level: 'debug' },
      reload: { watch: true },
      metrics: DEFAULTS.metrics,
      accessLog: DEFAULTS.accessLog,
      tracing: DEFAULTS.tracing,
      flags: [{ name: 'beta', ratio: 0.25, key: '', source: 'config' }],
      defaultRoute: DEFAULTS.defaultRoute,
      routes: [],
    });
  });

  it('applies layer precedence: a later layer wins', () => {
    const result = read(
      layer({ listen: ':1001', drain: { delay: '1s', timeout: '2s' } }),
      layer({ listen: ':1002' }),
      layer({ drain: { delay: '3s' } }),
    );
    expect(result.issues).toEqual([]);
    expect(result.config.listen).toEqual({ host: '0.0.0.0', port: 1002 });
    expect(result.config.drain).toEqual({ delayMs: 3000, timeoutMs: 2000 });
  });

  it('accepts drain.delay 0 and server.requestTimeout 0 (no limit)', () => {
    const result = read(layer({ drain: { delay: '0' }, server: { requestTimeout: 0 } }));
    expect(result.issues).toEqual([]);
    expect(result.config.drain.delayMs).toBe(0);
    expect(result.config.server.requestTimeoutMs).toBe(0);
  });
});

describe('readConfig: knownKeys', () => {
  it('lists every section and key of the model', () => {
    expect([...read().knownKeys].sort()).toEqual([
      'accessLog', 'accessLog.enabled', 'accessLog.sampleRatio', 'accessLog.skipPaths',
      'admin',
      'defaultRoute',
      'defaultRoute.circuitBreaker', 'defaultRoute.circuitBreaker.consecutiveFailures', 'defaultRoute.circuitBreaker.failOn',
      'defaultRoute.circuitBreaker.failureRate', 'defaultRoute.circuitBreaker.group', 'defaultRoute.circuitBreaker.halfOpenRequests',
      'defaultRoute.circuitBreaker.maxOpenFor', 'defaultRoute.circuitBreaker.minRequests', 'defaultRoute.circuitBreaker.openFor',
      'defaultRoute.circuitBreaker.window',
      'defaultRoute.fault', 'defaultRoute.fault.abort', 'defaultRoute.fault.abort.percentage', 'defaultRoute.fault.abort.status',
      'defaultRoute.fault.delay', 'defaultRoute.fault.delay.duration', 'defaultRoute.fault.delay.percentage',
      'defaultRoute.fault.flag', 'defaultRoute.fault.header',
      'defaultRoute.maxInFlight', 'defaultRoute.name',
      'defaultRoute.rateLimit', 'defaultRoute.rateLimit.burst', 'defaultRoute.rateLimit.key', 'defaultRoute.rateLimit.maxKeys',
      'defaultRoute.rateLimit.requestsPerSecond',
      'defaultRoute.retry', 'defaultRoute.retry.attempts', 'defaultRoute.retry.backoff', 'defaultRoute.retry.backoff.base',
      'defaultRoute.retry.backoff.max', 'defaultRoute.retry.budget', 'defaultRoute.retry.budget.minRetriesPerSecond',
      'defaultRoute.retry.budget.ratio', 'defaultRoute.retry.budget.window', 'defaultRoute.retry.bufferLimit',
      'defaultRoute.retry.flag', 'defaultRoute.retry.methods', 'defaultRoute.retry.perTryTimeout', 'defaultRoute.retry.retryAfterMax', 'defaultRoute.retry.retryOn',
      'defaultRoute.shadow', 'defaultRoute.shadow.flag', 'defaultRoute.shadow.maxInFlight', 'defaultRoute.shadow.percentage',
      'defaultRoute.shadow.timeout', 'defaultRoute.shadow.upstream',
      'defaultRoute.timeout',
      'drain', 'drain.delay', 'drain.timeout',
      'flags',
      'health', 'health.healthyThreshold', 'health.interval', 'health.path', 'health.timeout', 'health.type', 'health.unhealthyThreshold',
      'listen',
      'log', 'log.level',
      'metrics', 'metrics.maxSeriesPerFamily',
      'reload', 'reload.watch',
      'routes',
      'server', 'server.bodyIdleTimeout', 'server.headersTimeout', 'server.keepAliveTimeout', 'server.maxConnections', 'server.maxHeaderSize',
      'server.maxInFlight', 'server.requestTimeout', 'server.xForwardedFor',
      'tracing', 'tracing.batchSize', 'tracing.enabled', 'tracing.endpoint', 'tracing.exportDelay', 'tracing.exportTimeout',
      'tracing.keepTraces', 'tracing.queueSize', 'tracing.resourceAttributes', 'tracing.sampleRatio', 'tracing.serviceName',
      'upstream', 'upstream.connectTimeout', 'upstream.connections', 'upstream.idleTimeout', 'upstream.keepAliveTimeout', 'upstream.url',
      'workers',
    ]);
  });

  it('lists the same keys whatever the input, even when it has mistakes', () => {
    const broken = read(layer({ upstream: 'x', health: { type: 'udp' }, bogus: 1 }));
    expect(broken.issues.length).toBeGreaterThan(0);
    expect(broken.knownKeys).toEqual(read().knownKeys);
  });
});

describe('readConfig: tracing', () => {
  it('reads OTLP settings and resource attributes written as a map or as OTEL_RESOURCE_ATTRIBUTES writes them', () => {
    const fromMap = read(layer({ tracing: { endpoint: 'http://collector:4318/v1/traces', sampleRatio: '25%', resourceAttributes: { 'deployment.environment.name': 'prod', 'k8s.pod.name': 'web-1' } } }));
    expect(fromMap.issues).toEqual([]);
    expect(fromMap.config.tracing).toMatchObject({ endpoint: 'http://collector:4318/v1/traces', sampleRatio: 0.25, resourceAttributes: [['deployment.environment.name', 'prod'], ['k8s.pod.name', 'web-1']] });
    const fromText = read(layer({ tracing: { resourceAttributes: 'service.name=shop, team=a%2Cb%20c' } }));
    expect(fromText.issues).toEqual([]);
    expect(fromText.config.tracing.resourceAttributes).toEqual([['service.name', 'shop'], ['team', 'a,b c']]);
  });

  it('names the key and the place of a bad endpoint, attribute list or batch size', () => {
    const result = read(layer(
      { tracing: { endpoint: 'collector:4318', resourceAttributes: 'a=1,oops', queueSize: 10, batchSize: 20 } },
      { 'tracing.endpoint': 'env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'tracing.resourceAttributes': 'env OTEL_RESOURCE_ATTRIBUTES', 'tracing.batchSize': 'f.yaml:3:3' },
    ));
    expect(result.issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'tracing.endpoint', origin: 'env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', message: expect.stringContaining('http:// or https:// URL') }),
      expect.objectContaining({ path: 'tracing.resourceAttributes', origin: 'env OTEL_RESOURCE_ATTRIBUTES', message: expect.stringContaining('entry 2 ("oops") has no name=') }),
      expect.objectContaining({ path: 'tracing.batchSize', origin: 'f.yaml:3:3', message: 'must not be larger than tracing.queueSize (10)' }),
    ]));
    expect(result.issues).toHaveLength(3);
  });
});

describe('readConfig: one issue per mistake', () => {
  const ORIGIN = 'sightline.yaml:12:3';

  it.each<[string, RawTree, string, string]>([
    ['an unknown key with a hint', { drain: { dealy: '3s' } }, 'drain.dealy', 'unknown key (did you mean "delay"?)'],
    ['an unknown top-level key with a hint', { upstrem: { url: 'http://a:1' } }, 'upstrem', 'unknown key (did you mean "upstream"?)'],
    ['an unknown key with no near match', { health: { retries: 3 } }, 'health.retries', 'unknown key'],
    ['a wrong type', { upstream: { connections: 'many' } }, 'upstream.connections', '"many" is not a whole number'],
    ['a bare number for a duration', { drain: { delay: 5 } }, 'drain.delay', 'needs a unit: write 5ms or 5s'],
    ['a bad duration', { drain: { delay: '5 seconds' } }, 'drain.delay', '"5 seconds" is not a duration: write e.g. 250ms, 5s, 1m or 1m30s'],
    ['a null value', { drain: { delay: null } }, 'drain.delay', 'has no value: give one or remove the key'],
    ['a map where a value is expected', { drain: { delay: { s: 3 } } }, 'drain.delay', 'must be a single value, not a map or list'],
    ['a section that is not a map', { upstream: 'http://127.0.0.1:8080' }, 'upstream', 'must be a map of keys'],
    ['an int below its range', { upstream: { connections: 0 } }, 'upstream.connections', 'must be at least 1'],
    ['an int above its range', { health: { healthyThreshold: 101 } }, 'health.healthyThreshold', 'must be at most 100'],
    ['a duration below its range', { health: { interval: '5ms' } }, 'health.interval', 'must be at least 10ms'],
    ['a zero duration where one is required', { upstream: { connectTimeout: '0' } }, 'upstream.connectTimeout', 'must be at least 1ms'],
    ['a size below its range', { server: { maxHeaderSize: '512B' } }, 'server.maxHeaderSize', 'must be at least 1KiB'],
    ['a size above its range', { server: { maxHeaderSize: '2MiB' } }, 'server.maxHeaderSize', 'must be at most 1MiB'],
    ['an unknown health type', { health: { type: 'udp' } }, 'health.type', '"udp" is not one of: http, tcp'],
    ['an unknown X-Forwarded-For mode', { server: { xForwardedFor: 'trust' } }, 'server.xForwardedFor', '"trust" is not one of: append, replace'],
    ['a negative connection limit', { server: { maxConnections: -1 } }, 'server.maxConnections', 'must be at least 0'],
    ['an unknown log level', { log: { level: 'verbose' } }, 'log.level', '"verbose" is not one of: debug, info, warn, error, silent'],
    ['a health path without a slash', { health: { path: 'healthz' } }, 'health.path', '"healthz" must start with /'],
    ['a bad listen address', { listen: '15001' }, 'listen', 'must be HOST:PORT (e.g. 0.0.0.0:15001 or [::]:15001)'],
    ['a bad admin port', { admin: 'host:99999' }, 'admin', 'port "99999" must be a number from 0 to 65535'],
    ['an https upstream', { upstream: { url: 'https://127.0.0.1:8443' } }, 'upstream.url', 'scheme "https" is not supported: the app is reached over plain http on the pod\'s loopback'],
    ['an upstream with a path', { upstream: { url: 'http://127.0.0.1:8080/api' } }, 'upstream.url', 'must be an origin without a path, query or fragment (e.g. http://127.0.0.1:8080)'],
  ])('%s', (_what, values, path, message) => {
    const result = read(layer(values, { [path]: ORIGIN }));
    expect(result.issues).toEqual([{ path, message, origin: ORIGIN }]);
  });

  it('keeps the default for a key in error', () => {
    const result = read(layer({ drain: { delay: '5 seconds', timeout: '1s' } }));
    expect(result.config.drain).toEqual({ delayMs: 5000, timeoutMs: 1000 });
  });

  it('reports the origin of whichever layer wrote the bad value', () => {
    const result = read(
      layer({ listen: '0.0.0.0:15001' }, { listen: 'f.yaml:1:1' }),
      layer({ listen: 'nonsense' }, { listen: 'env SIGHTLINE_LISTEN' }),
    );
    expect(result.issues).toEqual([{ path: 'listen', message: 'must be HOST:PORT (e.g. 0.0.0.0:15001 or [::]:15001)', origin: 'env SIGHTLINE_LISTEN' }]);
  });

  // Regression (Section.duration): the number 0 once skipped the limits, so YAML `connectTimeout: 0` gives a 0ms connect timeout.
  it('refuses the number 0 for a duration with a minimum, as it refuses "0"', () => {
    const result = read(layer({ upstream: { connectTimeout: 0 } }, { 'upstream.connectTimeout': ORIGIN }));
    expect(result.issues).toEqual([{ path: 'upstream.connectTimeout', message: 'must be at least 1ms', origin: ORIGIN }]);
  });

  // Regression (mergeLayers): the intermediate map a flag creates once carried no origin, so the file's stale origin
  // for `listen` is kept and the flag's mistake is blamed on the file.
  it('does not blame the file for a value that a later layer replaced', () => {
    const result = read(
      layer({ listen: '0.0.0.0:15001' }, { listen: 'f.yaml:1:1' }),
      layer({ listen: { host: 'x' } }, { 'listen.host': 'flag --set listen.host' }),
    );
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.path).toBe('listen');
    expect(result.issues[0]?.origin).not.toBe('f.yaml:1:1');
  });
});

describe('readConfig: cross-field rules', () => {
  it('refuses health.timeout longer than health.interval, at health.timeout', () => {
    const result = read(layer({ health: { interval: '1s', timeout: '2s' } }, { 'health.interval': 'f.yaml:2:3', 'health.timeout': 'f.yaml:3:3' }));
    expect(result.issues).toEqual([{ path: 'health.timeout', message: 'must not be longer than health.interval', origin: 'f.yaml:3:3' }]);
  });

  it('refuses a health.interval shorter than the default health.timeout', () => {
    const result = read(layer({ health: { interval: '500ms' } }));
    expect(result.issues).toEqual([{ path: 'health.timeout', message: 'must not be longer than health.interval' }]);
  });

  it('accepts health.timeout equal to health.interval', () => {
    expect(read(layer({ health: { interval: '1s', timeout: '1s' } })).issues).toEqual([]);
  });

  it('refuses server.headersTimeout longer than a non-zero server.requestTimeout', () => {
    const result = read(layer({ server: { headersTimeout: '20s', requestTimeout: '10s' } }, { 'server.headersTimeout': 'f.yaml:5:3' }));
    expect(result.issues).toEqual([{
      path: 'server.headersTimeout',
      message: 'must not be longer than server.requestTimeout (or set requestTimeout to 0)',
      origin: 'f.yaml:5:3',
    }]);
  });

  it('refuses a server.requestTimeout shorter than the default headersTimeout', () => {
    expect(read(layer({ server: { requestTimeout: '5s' } })).issues.map((i) => i.path)).toEqual(['server.headersTimeout']);
  });

  it('accepts any headersTimeout when requestTimeout is 0, and equal timeouts', () => {
    expect(read(layer({ server: { headersTimeout: '1h', requestTimeout: '0' } })).issues).toEqual([]);
    expect(read(layer({ server: { headersTimeout: '10s', requestTimeout: '10s' } })).issues).toEqual([]);
  });

  it.each([
    ['the same port on all interfaces', ':15001', '0.0.0.0:15001'],
    ['the same host and port', '127.0.0.1:9000', '127.0.0.1:9000'],
    ['admin on all interfaces, listen on one', '0.0.0.0:9000', '127.0.0.1:9000'],
    ['listen on all interfaces, admin on one', '127.0.0.1:9000', '0.0.0.0:9000'],
    ['listen on all IPv6 interfaces, admin on one', '[::1]:9000', '[::]:9000'],
  ])('refuses admin and listen on %s', (_what, admin, listen) => {
    const result = read(layer({ admin, listen }, { admin: 'f.yaml:2:1', listen: 'f.yaml:1:1' }));
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toEqual({
      path: 'admin',
      message: expect.stringContaining('must not share a port with listen'),
      origin: 'f.yaml:2:1',
    });
  });

  it('names the listen address in the port clash message', () => {
    const result = read(layer({ admin: '127.0.0.1:9000', listen: '127.0.0.1:9000' }));
    expect(result.issues).toEqual([{ path: 'admin', message: 'must not share a port with listen (127.0.0.1:9000)' }]);
  });

  it.each([
    ['different ports', ':9000', ':9001'],
    ['different specific hosts', '127.0.0.1:9000', '127.0.0.2:9000'],
    ['both on port 0 (the OS picks)', ':0', ':0'],
  ])('accepts admin and listen on %s', (_what, admin, listen) => {
    expect(read(layer({ admin, listen })).issues).toEqual([]);
  });
});
