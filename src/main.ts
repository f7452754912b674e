// The composition root: the only place that builds adapters and wires them to the core.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCommandLine, USAGE } from './core/config/command-line.ts';
import { formatListenAddress } from './core/config/address.ts';
import { formatIssue, type ConfigIssue } from './core/config/reader.ts';
import type { Config } from './core/config/model.ts';
import { AppHealth } from './core/health/app-health.ts';
import { DrainSequence, type DrainOutcome } from './core/lifecycle/drain.ts';
import { readiness } from './core/lifecycle/readiness.ts';
import { compileRoutes } from './core/resilience/compile-routes.ts';
import type { Clock, Timers } from './ports/clock.ts';
import { allOf } from './ports/resilience-events.ts';
import { everyObserver } from './ports/exchange-observer.ts';
import { NO_TRACING } from './ports/exchange-tracer.ts';
import { AdminServer } from './adapters/admin/admin-server.ts';
import { EventLoopWatch } from './adapters/admin/event-loop-watch.ts';
import { HttpProbe } from './adapters/app-probe/http-probe.ts';
import { TcpProbe } from './adapters/app-probe/tcp-probe.ts';
import { loadConfig } from './adapters/config-yaml/load-config.ts';
import { ProxyServer } from './adapters/inbound-http/proxy-server.ts';
import { AccessLog } from './adapters/logging-pino/access-log.ts';
import { createLogging } from './adapters/logging-pino/pino-logger.ts';
import { resilienceLog } from './adapters/logging-pino/resilience-log.ts';
import { ProcessMetrics } from './adapters/metrics-prom/process-metrics.ts';
import { resilienceMetrics } from './adapters/metrics-prom/resilience-metrics.ts';
import { HttpMetrics } from './adapters/metrics-prom/http-metrics.ts';
import { traceExportMetrics } from './adapters/metrics-prom/trace-export-metrics.ts';
import { OtelTracing } from './adapters/tracing-otel/otel-tracing.ts';
import { UndiciUpstream } from './adapters/upstream-undici/undici-upstream.ts';

const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Event loop lag beyond which /healthz reports the process as unhealthy. */
const MAX_HEALTHY_LAG_MS = 5000;

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
    case 'run': {
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

async function run(config: Config, configFile: string | undefined): Promise<void> {
  const logging = createLogging(config.log.level, VERSION);
  const log = logging.log;
  const upstream = new UndiciUpstream(config.upstream);
  const loop = new EventLoopWatch();
  const metrics = new ProcessMetrics(VERSION);

  const probe = config.health.type === 'http' ? new HttpProbe(config.upstream.origin, config.health.path) : new TcpProbe(config.upstream.origin);
  const appHealth = new AppHealth(probe, nodeTimers, config.health, (change) => {
    metrics.setUpstreamHealthy(change.healthy);
    if (change.healthy) log.info({ app: config.upstream.origin, detail: change.detail }, 'app is healthy');
    else log.warn({ app: config.upstream.origin, detail: change.detail }, 'app is unhealthy');
  });

  const routeNames = [...config.routes.map((r) => r.name), config.defaultRoute.name];
  const events = allOf(resilienceLog(log), resilienceMetrics(metrics.registry, routeNames));
  const routes = compileRoutes(config.defaultRoute, config.routes, { random: Math.random, events });

  const tracing = config.tracing.enabled
    ? new OtelTracing({ settings: config.tracing, version: VERSION, upstreamOrigin: config.upstream.origin, events: traceExportMetrics(metrics.registry), log, random: Math.random })
    : undefined;

  let listening = false;
  const proxy = new ProxyServer({
    upstream,
    routes: routes.table,
    clock: monotonicClock,
    observer: config.accessLog.enabled
      ? everyObserver(new HttpMetrics(metrics.registry, config.metrics.maxSeriesPerFamily), new AccessLog(config.accessLog, logging.destination, Math.random))
      : new HttpMetrics(metrics.registry, config.metrics.maxSeriesPerFamily),
    tracer: tracing?.tracer ?? NO_TRACING,
    origin: config.upstream.origin,
    server: config.server,
    newRequestId: randomUUID,
    onIdle: () => drain.notifyIdle(),
    onListenerError: (error) => log.error({ err: error.message, code: (error as NodeJS.ErrnoException).code }, 'proxy listener error'),
  });

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
    // Idle sockets to the app close politely and queued spans are exported, but neither holds the exit for more than a second.
    void Promise.all([
      Promise.race([upstream.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]),
      tracing?.shutdown(1000),
    ]).finally(() => exit(0));
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

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!beginDrain(signal)) {
        log.warn({ signal }, 'second signal: exiting now');
        drain.expedite();
      }
    });
  }

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

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sightline: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
