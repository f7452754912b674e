// The composition root: the only place that builds adapters and wires them to the core.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { isSea } from 'node:sea';
import type { Registry } from 'prom-client';
import { parseCommandLine, USAGE } from './core/config/command-line.ts';
import { formatListenAddress } from './core/config/address.ts';
import { formatIssue, type ConfigIssue } from './core/config/reader.ts';
import { resolveWorkerCount, type Config } from './core/config/model.ts';
import { AppHealth } from './core/health/app-health.ts';
import { DrainSequence, type DrainOutcome } from './core/lifecycle/drain.ts';
import { readiness } from './core/lifecycle/readiness.ts';
import { compileRoutes } from './core/resilience/compile-routes.ts';
import { sloRuleGroups } from './core/slo/burn-rate-rules.ts';
import type { Clock, Timers } from './ports/clock.ts';
import { allOf } from './ports/resilience-events.ts';
import { everyObserver } from './ports/exchange-observer.ts';
import { NO_TRACING } from './ports/exchange-tracer.ts';
import type { Logger } from './ports/logger.ts';
import { AdminServer } from './adapters/admin/admin-server.ts';
import { EventLoopWatch } from './adapters/admin/event-loop-watch.ts';
import { HttpProbe } from './adapters/app-probe/http-probe.ts';
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
import { workload } from './adapters/metrics-prom/aggregate.ts';
import { clusterMetrics } from './adapters/metrics-prom/cluster-metrics.ts';
import type { MetricFamily } from './adapters/metrics-prom/exposition.ts';
import { processRegistry, ProcessMetrics } from './adapters/metrics-prom/process-metrics.ts';
import { resilienceMetrics } from './adapters/metrics-prom/resilience-metrics.ts';
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

/** Beyond drain.timeout, the time a worker gets to close its sockets to the app, export spans and exit. */
const WORKER_EXIT_GRACE_MS = 2000;

const nodeTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const monotonicClock: Clock = { now: () => performance.now() };

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
      await run(loaded.config, loaded.configFile);
      return undefined; // keeps running; exits from the drain sequence
    }
  }
}

function run(config: Config, configFile: string | undefined): Promise<void> {
  const workers = resolveWorkerCount(config.workers, availableParallelism());
  return workers === 1 ? runSingle(config, configFile) : runPrimary(config, configFile, workers);
}

/** The proxy listener and everything on its request path: what a single process and each worker run. */
function buildProxy(config: Config, logging: Logging, registry: Registry, onIdle: () => void) {
  const log = logging.log;
  const upstream = new UndiciUpstream(config.upstream);
  const routeNames = [...config.routes.map((r) => r.name), config.defaultRoute.name];
  const events = allOf(resilienceLog(log), resilienceMetrics(registry, routeNames));
  const routes = compileRoutes(config.defaultRoute, config.routes, { random: Math.random, events });

  const tracing = config.tracing.enabled
    ? new OtelTracing({ settings: config.tracing, version: VERSION, upstreamOrigin: config.upstream.origin, events: traceExportMetrics(registry), log, random: Math.random })
    : undefined;

  const proxy = new ProxyServer({
    upstream,
    routes: routes.table,
    clock: monotonicClock,
    observer: config.accessLog.enabled
      ? everyObserver(new HttpMetrics(registry, config.metrics.maxSeriesPerFamily), new AccessLog(config.accessLog, logging.destination, Math.random))
      : new HttpMetrics(registry, config.metrics.maxSeriesPerFamily),
    tracer: tracing?.tracer ?? NO_TRACING,
    origin: config.upstream.origin,
    server: config.server,
    newRequestId: randomUUID,
    onIdle,
    onListenerError: (error) => log.error({ err: error.message, code: (error as NodeJS.ErrnoException).code }, 'proxy listener error'),
  });

  /** Idle sockets to the app close politely and queued spans are exported, but neither holds the exit for more than a second. */
  const closeGently = (): Promise<unknown> => Promise.all([
    Promise.race([upstream.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]),
    tracing?.shutdown(1000),
  ]);
  return { proxy, tracing, closeGently };
}

function appHealthOf(config: Config, log: Logger, metrics: ProcessMetrics): AppHealth {
  const probe = config.health.type === 'http' ? new HttpProbe(config.upstream.origin, config.health.path) : new TcpProbe(config.upstream.origin);
  return new AppHealth(probe, nodeTimers, config.health, (change) => {
    metrics.setUpstreamHealthy(change.healthy);
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

/** `workers: 1`: one process does everything, with no cluster and no IPC. */
async function runSingle(config: Config, configFile: string | undefined): Promise<void> {
  const logging = createLogging(config.log.level, VERSION);
  const log = logging.log;
  const loop = new EventLoopWatch();
  const metrics = new ProcessMetrics(VERSION);
  const appHealth = appHealthOf(config, log, metrics);

  let listening = false;
  const { proxy, tracing, closeGently } = buildProxy(config, logging, metrics.registry, () => drain.notifyIdle());

  const exit = (code: number): void => {
    logging.flushSync();
    process.exit(code);
  };

  const drain = new DrainSequence(proxy, nodeTimers, config.drain, (outcome: DrainOutcome) => {
    appHealth.stop();
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
    traces: () => tracing?.recentTraces() ?? [],
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
async function runPrimary(config: Config, configFile: string | undefined, workers: number): Promise<void> {
  const logging = createLogging(config.log.level, VERSION, { sharedStdout: true });
  const log = logging.log;
  const loop = new EventLoopWatch();
  const metrics = new ProcessMetrics(VERSION);
  const workerMetrics = clusterMetrics(metrics.registry);
  const appHealth = appHealthOf(config, log, metrics);

  const supervisor = new PrimarySupervisor({
    workers,
    config,
    log,
    onRestart: () => workerMetrics.workerRestarted(),
    onListeningChange: (count) => workerMetrics.setWorkersListening(count),
    onIdle: () => drain.notifyIdle(),
  });

  const exit = (code: number): void => {
    logging.flushSync();
    process.exit(code);
  };

  // The delay runs here; then the workers drain, each within drain.timeout. The primary's own timeout
  // only catches workers that fail to exit after theirs: they are killed, and the exit code says so.
  const drain = new DrainSequence(supervisor, nodeTimers, { delayMs: config.drain.delayMs, timeoutMs: config.drain.timeoutMs + WORKER_EXIT_GRACE_MS }, (outcome: DrainOutcome) => {
    appHealth.stop();
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
    traces: async () => mergeRecentTraces((await supervisor.collect('traces')).map((c) => c.data as TraceView[]), config.tracing.keepTraces),
    workers: async () => {
      const loads = new Map((await supervisor.collect('metrics')).map((c) => [c.workerId, workload(c.data as MetricFamily[])]));
      return supervisor.describe().map((w) => ({ ...w, requests: loads.get(w.id)?.requests ?? null, inFlight: loads.get(w.id)?.inFlight ?? null }));
    },
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
  const { proxy, tracing, closeGently } = buildProxy(config, logging, registry, () => drain.notifyIdle());

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
    collect: (kind) => (kind === 'metrics' ? registry.getMetricsAsJSON() : tracing?.recentTraces() ?? []),
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
