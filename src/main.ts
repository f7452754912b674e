// The composition root: the only place that builds adapters and wires them to the core.

import { randomUUID } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { isSea } from 'node:sea';
import type { Registry } from 'prom-client';
import { parseCommandLine, USAGE } from './core/config/command-line.ts';
import { formatListenAddress } from './core/config/address.ts';
import { formatIssue, type ConfigIssue } from './core/config/reader.ts';
import type { RawLayer } from './core/config/layers.ts';
import { resolveWorkerCount, type Config } from './core/config/model.ts';
import { reloadIssues, type LoadedConfig } from './core/config/reload-rules.ts';
import { AppHealth } from './core/health/app-health.ts';
import { DrainSequence, type DrainOutcome } from './core/lifecycle/drain.ts';
import { readiness } from './core/lifecycle/readiness.ts';
import { compileRoutes, type CompiledRoutes } from './core/resilience/compile-routes.ts';
import { sloRuleGroups } from './core/slo/burn-rate-rules.ts';
import { flagStates } from './core/config/flags.ts';
import { effectiveConfigView } from './core/config/redact.ts';
import { HealthHistory } from './core/stats/health-history.ts';
import { mergeSnapshots } from './core/stats/stats-merge.ts';
import type { StatsSnapshot } from './core/stats/stats-snapshot.ts';
import { statsView } from './core/stats/stats-view.ts';
import { TrafficStats } from './core/stats/traffic-stats.ts';
import type { Clock, Timers } from './ports/clock.ts';
import { allOf } from './ports/resilience-events.ts';
import { everyObserver } from './ports/exchange-observer.ts';
import { everyConnectionObserver } from './ports/connection-events.ts';
import { NO_TRACING } from './ports/exchange-tracer.ts';
import type { Logger } from './ports/logger.ts';
import { AdminServer } from './adapters/admin/admin-server.ts';
import { EventLoopWatch } from './adapters/admin/event-loop-watch.ts';
import { HttpProbe } from './adapters/app-probe/http-probe.ts';
import { DASHBOARD_PATHS, dashboardFile } from './adapters/dashboard/dashboard-assets.ts';
import { TcpProbe } from './adapters/app-probe/tcp-probe.ts';
import { mergeRecentTraces } from './adapters/cluster/merge-traces.ts';
import { PrimarySupervisor } from './adapters/cluster/primary-supervisor.ts';
import { isClusterWorker, WorkerChannel } from './adapters/cluster/worker-channel.ts';
import { loadConfig } from './adapters/config-yaml/load-config.ts';
import { injectCommand } from './adapters/k8s-manifests/inject-command.ts';
import { formatRuleFile } from './adapters/prometheus-rules/rule-file.ts';
import { ProxyServer } from './adapters/inbound-http/proxy-server.ts';
import { AccessLog } from './adapters/logging-pino/access-log.ts';
import { createLogging, type Logging } from './adapters/logging-pino/pino-logger.ts';
import { resilienceLog } from './adapters/logging-pino/resilience-log.ts';
import { connectionLog } from './adapters/logging-pino/connection-log.ts';
import { workload } from './adapters/metrics-prom/aggregate.ts';
import { clusterMetrics } from './adapters/metrics-prom/cluster-metrics.ts';
import type { MetricFamily } from './adapters/metrics-prom/exposition.ts';
import { processRegistry, ProcessMetrics } from './adapters/metrics-prom/process-metrics.ts';
import { reloadMetrics, type ReloadMetrics } from './adapters/metrics-prom/reload-metrics.ts';
import { shadowMetrics } from './adapters/metrics-prom/shadow-metrics.ts';
import { resilienceMetrics } from './adapters/metrics-prom/resilience-metrics.ts';
import { connectionMetrics } from './adapters/metrics-prom/connection-metrics.ts';
import { HttpMetrics } from './adapters/metrics-prom/http-metrics.ts';
import { traceExportMetrics } from './adapters/metrics-prom/trace-export-metrics.ts';
import { OtelTracing } from './adapters/tracing-otel/otel-tracing.ts';
import type { TraceView } from './adapters/tracing-otel/recent-traces.ts';
import { UndiciUpstream } from './adapters/upstream-undici/undici-upstream.ts';

/** Set by scripts/build.mjs in the bundle, which ships without package.json (the image holds one file). */
declare const SIGHTLINE_VERSION: string | undefined;

const VERSION: string = typeof SIGHTLINE_VERSION === 'string'
  ? SIGHTLINE_VERSION
  : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Event loop lag beyond which /healthz reports the process as unhealthy. */
const MAX_HEALTHY_LAG_MS = 5000;

/** Sockets open to one shadow upstream at most: shadow traffic is a share, and each route caps its own in flight. */
const SHADOW_CONNECTIONS = 32;

/** Beyond drain.timeout, the time a worker gets to close its sockets to the app, export spans and exit. */
const WORKER_EXIT_GRACE_MS = 2000;

const nodeTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const monotonicClock: Clock = { now: () => performance.now() };

/** Epoch milliseconds: for times shown on the dashboard and compared across worker processes. */
const wallClock: Clock = { now: () => Date.now() };

function printIssues(issues: readonly ConfigIssue[]): void {
  process.stderr.write(`sightline: invalid configuration (${issues.length} ${issues.length === 1 ? 'error' : 'errors'}):\n`);
  for (const issue of issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
}

export async function main(argv: readonly string[]): Promise<number | undefined> {
  const command = parseCommandLine(argv);
  switch (command.kind) {
    case 'version':
      process.stdout.write(`sightline ${VERSION}\n`);
      return 0;
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'usage-error':
      process.stderr.write(`sightline: ${command.message}\n\n${USAGE}\n`);
      return 2;
    case 'check-config': {
      const loaded = loadConfig({ configFile: command.configFile });
      if (!loaded.ok) {
        printIssues(loaded.issues);
        return 1;
      }
      process.stdout.write(`${command.configFile}: OK\n`);
      return 0;
    }
    case 'inject':
      return injectCommand(command.args, VERSION);
    case 'slo-rules': {
      const loaded = loadConfig({ configFile: command.configFile, env: process.env });
      if (!loaded.ok) {
        printIssues(loaded.issues);
        return 1;
      }
      process.stdout.write(formatRuleFile(sloRuleGroups(loaded.config), { configFile: loaded.configFile }));
      return 0;
    }
    case 'run': {
      if (isClusterWorker()) {
        await runWorker();
        return undefined; // keeps running; exits when the primary has it drain
      }
      const loaded = loadConfig({ configFile: command.configFile, flags: command.flags, env: process.env });
      if (!loaded.ok) {
        printIssues(loaded.issues);
        return 1;
      }
      await run(loaded, { configFile: command.configFile, flags: command.flags });
      return undefined; // keeps running; exits from the drain sequence
    }
  }
}

/** Where the config came from, to read it again on a reload. */
interface ConfigSource {
  readonly configFile: string | undefined;
  readonly flags: RawLayer;
}

function run(loaded: LoadedConfig & { readonly configFile: string | undefined }, source: ConfigSource): Promise<void> {
  const workers = resolveWorkerCount(loaded.config.workers, availableParallelism());
  return workers === 1 ? runSingle(loaded, source) : runPrimary(loaded, source, workers);
}

interface ReloadResult {
  readonly ok: boolean;
  /** The problems that refused it, each naming its key (and its line, when in the file). */
  readonly errors: readonly string[];
}

/**
 * Reads the config again from where it came (file, env, flags) and hands it to `apply` when it is valid
 * and changes only what a reload may change (src/core/config/reload-rules.ts); otherwise the running
 * config stays, and the refusal is logged and counted. Reloads run one at a time, in order.
 */
function configReloader(source: ConfigSource, initial: LoadedConfig, apply: (config: Config) => unknown, log: Logger, metrics: ReloadMetrics): (trigger: string) => Promise<ReloadResult> {
  let live = initial;
  let queue: Promise<unknown> = Promise.resolve();
  const reloadNow = async (trigger: string): Promise<ReloadResult> => {
    const loaded = loadConfig({ configFile: source.configFile, flags: source.flags, env: process.env });
    const issues = loaded.ok ? reloadIssues(live, loaded) : loaded.issues;
    if (!loaded.ok || issues.length > 0) {
      const errors = issues.map(formatIssue);
      metrics.reloaded(false, Date.now() / 1000);
      log.error({ trigger, errors }, 'config reload refused: the running config stays');
      return { ok: false, errors };
    }
    await apply(loaded.config);
    live = loaded;
    metrics.reloaded(true, Date.now() / 1000);
    log.info({ trigger, routes: [...loaded.config.routes.map((r) => r.name), loaded.config.defaultRoute.name] }, 'config reloaded');
    return { ok: true, errors: [] };
  };
  return (trigger) => {
    const result = queue.then(() => reloadNow(trigger));
    queue = result.catch(() => undefined);
    return result;
  };
}

/** SIGHUP reloads, and with reload.watch so does a change to the config file; returns what stops the watch. */
function reloadTriggers(reload: (trigger: string) => Promise<ReloadResult>, config: Config, configFile: string | undefined, log: Logger): () => void {
  const run = (trigger: string): void => {
    reload(trigger).catch((err: unknown) => log.error({ trigger, err: String(err) }, 'config reload failed'));
  };
  process.on('SIGHUP', () => run('SIGHUP'));
  if (!config.reload.watch || configFile === undefined) return () => {};
  // Polls the path (stat), so it follows a Kubernetes ConfigMap update, which swaps a symlink above the file.
  watchFile(configFile, { interval: 2000, persistent: false }, (now, before) => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) run('config file changed');
  });
  return () => unwatchFile(configFile);
}

/** The proxy listener and everything on its request path: what a single process and each worker run. */
function buildProxy(config: Config, logging: Logging, registry: Registry, onIdle: () => void) {
  const log = logging.log;
  const upstream = new UndiciUpstream(config.upstream);
  const routeNames = [...config.routes.map((r) => r.name), config.defaultRoute.name];
  // The dashboard's live stats (/debug/stats): a few array writes per request.
  const traffic = new TrafficStats({ wall: wallClock, monotonic: monotonicClock }, routeNames);
  const events = allOf(resilienceLog(log), resilienceMetrics(registry, routeNames), shadowMetrics(registry), traffic.events);
  const policyDeps = { random: Math.random, events };
  let routes: CompiledRoutes = compileRoutes(config.defaultRoute, config.routes, { ...policyDeps, flags: config.flags });

  const tracing = config.tracing.enabled
    ? new OtelTracing({ settings: config.tracing, version: VERSION, upstreamOrigin: config.upstream.origin, events: traceExportMetrics(registry), log, random: Math.random })
    : undefined;

  // One pool per shadow upstream, made when a route first mirrors there (a reload may add one).
  const shadows = new Map<string, UndiciUpstream>();
  const shadowUpstream = (origin: string): UndiciUpstream => {
    let pool = shadows.get(origin);
    if (pool === undefined) {
      pool = new UndiciUpstream({ ...config.upstream, origin, connections: SHADOW_CONNECTIONS });
      shadows.set(origin, pool);
    }
    return pool;
  };

  const proxy: ProxyServer = new ProxyServer({
    upstream,
    routes: routes.table,
    clock: monotonicClock,
    observer: config.accessLog.enabled
      ? everyObserver(new HttpMetrics(registry, config.metrics.maxSeriesPerFamily), new AccessLog(config.accessLog, logging.destination, Math.random), traffic.exchanges)
      : everyObserver(new HttpMetrics(registry, config.metrics.maxSeriesPerFamily), traffic.exchanges),
    tracer: tracing?.tracer ?? NO_TRACING,
    origin: config.upstream.origin,
    server: config.server,
    newRequestId: randomUUID,
    onIdle,
    onListenerError: (error) => log.error({ err: error.message, code: (error as NodeJS.ErrnoException).code }, 'proxy listener error'),
    shadowUpstream,
    connectionEvents: everyConnectionObserver(
      connectionMetrics(registry, (): Promise<number> => proxy.openConnections()),
      connectionLog(log, { maxConnections: config.server.maxConnections, now: monotonicClock.now }),
    ),
  });

  /** Idle sockets to the app close politely and queued spans are exported, but neither holds the exit for more than a second. */
  const closeGently = (): Promise<unknown> => Promise.all([
    Promise.race([Promise.all([upstream.close(), ...[...shadows.values()].map((s) => s.destroy())]), new Promise((resolve) => setTimeout(resolve, 1000).unref())]),
    tracing?.shutdown(1000),
  ]);
  /** A config reload: new requests get the new routes and policies; breakers carry over by route or group. */
  const useConfig = (next: Config): void => {
    routes = compileRoutes(next.defaultRoute, next.routes, { ...policyDeps, flags: next.flags }, routes);
    proxy.useRoutes(routes.table);
    logging.setLevel(next.log.level);
  };
  return { proxy, tracing, closeGently, useConfig, traffic };
}

function appHealthOf(config: Config, log: Logger, metrics: ProcessMetrics, history: HealthHistory): AppHealth {
  const probe = config.health.type === 'http' ? new HttpProbe(config.upstream.origin, config.health.path) : new TcpProbe(config.upstream.origin);
  return new AppHealth(probe, nodeTimers, config.health, (change) => {
    metrics.setUpstreamHealthy(change.healthy);
    history.record(change.healthy, change.detail);
    if (change.healthy) log.info({ app: config.upstream.origin, detail: change.detail }, 'app is healthy');
    else log.warn({ app: config.upstream.origin, detail: change.detail }, 'app is unhealthy');
  });
}

/** SIGTERM and SIGINT start the drain; a second one expedites it. */
function onShutdownSignals(beginDrain: (trigger: string) => boolean, expedite: () => void, log: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!beginDrain(signal)) {
        log.warn({ signal }, 'second signal: exiting now');
        expedite();
      }
    });
  }
}

/** The config the dashboard shows: the running one, and where and when it was read. */
interface ShownConfig {
  readonly config: Config;
  readonly configFile: string | undefined;
  /** Epoch milliseconds. */
  readonly loadedAt: number;
}

/** The live dashboard on the admin port: the page at /, /debug/stats and /debug/config. */
function dashboardHandlers(shown: () => ShownConfig, snapshot: () => StatsSnapshot | Promise<StatsSnapshot>, appHealth: AppHealth, health: HealthHistory) {
  return {
    stats: async (query: URLSearchParams) => {
      const { config } = shown();
      const seconds = Number(query.get('seconds') ?? Number.NaN);
      return statsView(await snapshot(), {
        ...(Number.isFinite(seconds) ? { seconds } : {}),
        config,
        upstream: { origin: config.upstream.origin, healthy: appHealth.healthy, detail: appHealth.detail, ...health.view() },
      });
    },
    // The flags as they stand, env overrides applied, beside the config that declares them.
    config: () => effectiveConfigView(shown().config, { file: shown().configFile, loadedAt: shown().loadedAt }, { flags: flagStates(shown().config.flags) }),
    files: dashboardFile,
    filePaths: DASHBOARD_PATHS,
  };
}

/** `workers: 1`: one process does everything, with no cluster and no IPC. */
async function runSingle(loaded: LoadedConfig & { readonly configFile: string | undefined }, source: ConfigSource): Promise<void> {
  const { config, configFile } = loaded;
  const logging = createLogging(config.log.level, VERSION);
  const log = logging.log;
  const loop = new EventLoopWatch();
  const metrics = new ProcessMetrics(VERSION);
  const health = new HealthHistory(wallClock);
  const appHealth = appHealthOf(config, log, metrics, health);

  let listening = false;
  const { proxy, tracing, closeGently, useConfig, traffic } = buildProxy(config, logging, metrics.registry, () => drain.notifyIdle());
  let shown: ShownConfig = { config, configFile, loadedAt: Date.now() };
  const reload = configReloader(source, loaded, (next: Config) => {
    useConfig(next);
    shown = { ...shown, config: next, loadedAt: Date.now() };
  }, log, reloadMetrics(metrics.registry));
  const stopWatching = reloadTriggers(reload, config, configFile, log);

  const exit = (code: number): void => {
    logging.flushSync();
    process.exit(code);
  };

  const drain = new DrainSequence(proxy, nodeTimers, config.drain, (outcome: DrainOutcome) => {
    appHealth.stop();
    stopWatching();
    admin.close();
    loop.stop();
    log.info({ outcome, inFlight: proxy.inFlight() }, 'drained, exiting');
    if (outcome === 'expedited') {
      exit(1);
      return;
    }
    void closeGently().finally(() => exit(0));
  });

  const beginDrain = (trigger: string): boolean => {
    const started = drain.begin();
    if (started) {
      log.info({ trigger, delay: config.drain.delayMs, timeout: config.drain.timeoutMs }, 'draining: readiness now fails');
    }
    return started;
  };

  const admin = new AdminServer({
    liveness: () => ({ ok: loop.lagMs < MAX_HEALTHY_LAG_MS, detail: `event loop lag ${Math.round(loop.lagMs)}ms` }),
    readiness: () => readiness({ listening, draining: drain.draining, appHealthy: appHealth.healthy, appDetail: appHealth.detail }),
    metrics: (accept) => metrics.render(accept),
    shutdown: () => beginDrain('POST /shutdown'),
    reload: () => reload('POST /reload'),
    traces: () => tracing?.recentTraces() ?? [],
    ...dashboardHandlers(() => shown, () => traffic.snapshot(), appHealth, health),
  });

  onShutdownSignals(beginDrain, () => drain.expedite(), log);

  const adminAddress = await admin.listen(config.admin);
  const proxyAddress = await proxy.listen(config.listen);
  listening = true;
  appHealth.start();
  log.info(
    {
      listen: formatListenAddress({ host: proxyAddress.address, port: proxyAddress.port }),
      admin: formatListenAddress({ host: adminAddress.address, port: adminAddress.port }),
      upstream: config.upstream.origin,
      config: configFile ?? '(built-in defaults)',
    },
    'sightline listening',
  );
}

/**
 * `workers: N > 1`, the primary: it runs the admin port and the app's health check, and supervises the
 * workers that serve the proxy port (src/adapters/cluster/). It never handles a proxied request.
 */
async function runPrimary(loaded: LoadedConfig & { readonly configFile: string | undefined }, source: ConfigSource, workers: number): Promise<void> {
  const { config, configFile } = loaded;
  const logging = createLogging(config.log.level, VERSION, { sharedStdout: true });
  const log = logging.log;
  const loop = new EventLoopWatch();
  const metrics = new ProcessMetrics(VERSION);
  const workerMetrics = clusterMetrics(metrics.registry);
  const health = new HealthHistory(wallClock);
  const appHealth = appHealthOf(config, log, metrics, health);

  const supervisor = new PrimarySupervisor({
    workers,
    config,
    log,
    onRestart: () => workerMetrics.workerRestarted(),
    onListeningChange: (count) => workerMetrics.setWorkersListening(count),
    onIdle: () => drain.notifyIdle(),
  });
  // The primary checks a reload once; the workers then take the config it read.
  let shown: ShownConfig = { config, configFile, loadedAt: Date.now() };
  const reload = configReloader(source, loaded, async (next: Config) => {
    logging.setLevel(next.log.level);
    await supervisor.reload(next);
    shown = { ...shown, config: next, loadedAt: Date.now() };
  }, log, reloadMetrics(metrics.registry));
  const stopWatching = reloadTriggers(reload, config, configFile, log);

  const exit = (code: number): void => {
    logging.flushSync();
    process.exit(code);
  };

  // The delay runs here; then the workers drain, each within drain.timeout. The primary's own timeout
  // only catches workers that fail to exit after theirs: they are killed, and the exit code says so.
  const drain = new DrainSequence(supervisor, nodeTimers, { delayMs: config.drain.delayMs, timeoutMs: config.drain.timeoutMs + WORKER_EXIT_GRACE_MS }, (outcome: DrainOutcome) => {
    appHealth.stop();
    stopWatching();
    admin.close();
    loop.stop();
    void Promise.race([supervisor.stopped(), new Promise((resolve) => setTimeout(resolve, 2 * WORKER_EXIT_GRACE_MS))]).finally(() => {
      const clean = outcome === 'drained' && supervisor.drainedCleanly;
      log.info({ outcome, workersLeft: supervisor.inFlight() }, 'drained, exiting');
      exit(clean ? 0 : 1);
    });
  });

  const beginDrain = (trigger: string): boolean => {
    const started = drain.begin();
    if (started) {
      log.info({ trigger, delay: config.drain.delayMs, timeout: config.drain.timeoutMs, workers: supervisor.inFlight() }, 'draining: readiness now fails');
    }
    return started;
  };

  const admin = new AdminServer({
    liveness: () => ({ ok: loop.lagMs < MAX_HEALTHY_LAG_MS, detail: `event loop lag ${Math.round(loop.lagMs)}ms` }),
    readiness: () => readiness({
      listening: supervisor.listening === supervisor.size,
      startingDetail: `${supervisor.listening} of ${supervisor.size} workers listening`,
      draining: drain.draining,
      appHealthy: appHealth.healthy,
      appDetail: appHealth.detail,
    }),
    metrics: async (accept) => metrics.renderWith((await supervisor.collect('metrics')).map((c) => c.data), accept),
    shutdown: () => beginDrain('POST /shutdown'),
    reload: () => reload('POST /reload'),
    traces: async () => mergeRecentTraces((await supervisor.collect('traces')).map((c) => c.data as TraceView[]), config.tracing.keepTraces),
    workers: async () => {
      const loads = new Map((await supervisor.collect('metrics')).map((c) => [c.workerId, workload(c.data as MetricFamily[])]));
      return supervisor.describe().map((w) => ({ ...w, requests: loads.get(w.id)?.requests ?? null, inFlight: loads.get(w.id)?.inFlight ?? null }));
    },
    // Each worker counts its own requests; the primary adds them up second by second.
    ...dashboardHandlers(() => shown, async () => mergeSnapshots((await supervisor.collect('stats')).map((c) => ({ source: c.workerId, snapshot: c.data as StatsSnapshot })), Date.now()), appHealth, health),
  });

  onShutdownSignals(beginDrain, () => drain.expedite(), log);

  const adminAddress = await admin.listen(config.admin);
  appHealth.start();
  // A worker that cannot start (the port is taken, say) stops Sightline, as one process would: its log line first.
  const proxyAddress = await supervisor.start().catch((err: unknown) => {
    logging.flushSync();
    throw err;
  });
  log.info(
    {
      listen: formatListenAddress({ host: proxyAddress.address, port: proxyAddress.port }),
      admin: formatListenAddress({ host: adminAddress.address, port: adminAddress.port }),
      upstream: config.upstream.origin,
      config: configFile ?? '(built-in defaults)',
      workers: supervisor.describe().map((w) => ({ id: w.id, pid: w.pid })),
    },
    'sightline listening',
  );
}

/**
 * A worker forked by the primary: the proxy listener and its request path, as in a single process,
 * with the config, the drain and the scrape driven by the primary over IPC.
 */
async function runWorker(): Promise<void> {
  const channel = new WorkerChannel();
  const config = await channel.config();
  const logging = createLogging(config.log.level, VERSION, { sharedStdout: true, worker: channel.workerId });
  const log = logging.log;
  const registry = processRegistry();
  const { proxy, tracing, closeGently, useConfig, traffic } = buildProxy(config, logging, registry, () => drain.notifyIdle());

  const exit = (code: number): void => {
    logging.flushSync();
    process.exit(code);
  };

  // No delay of its own: the primary waited drain.delay before telling this worker to drain.
  const drain = new DrainSequence(proxy, nodeTimers, { delayMs: 0, timeoutMs: config.drain.timeoutMs }, (outcome: DrainOutcome) => {
    log.info({ outcome, inFlight: proxy.inFlight() }, 'worker drained, exiting');
    if (outcome === 'expedited') {
      exit(1);
      return;
    }
    void closeGently().finally(() => exit(0));
  });

  channel.serve({
    draining: () => proxy.beginDraining(),
    drain: () => drain.begin(),
    expedite: () => drain.expedite(),
    collect: (kind) => (kind === 'metrics' ? registry.getMetricsAsJSON() : kind === 'stats' ? traffic.snapshot() : tracing?.recentTraces() ?? []),
    reload: useConfig,
  });

  let address: AddressInfo;
  try {
    address = await proxy.listen(config.listen, { reusePort: true });
  } catch (err) {
    channel.failed(err instanceof Error ? err.message : String(err));
    exit(1);
    return;
  }
  channel.listening(address.address, address.port);
  log.debug({ listen: formatListenAddress({ host: address.address, port: address.port }) }, 'worker listening');
}

// A single executable's cluster workers get the executable once more as their first argument (cluster
// passes its script path, which for a single executable is the executable itself).
const args = process.argv.slice(2);
main(isSea() && args[0] === process.execPath ? args.slice(1) : args).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sightline: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
