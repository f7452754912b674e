// `npm run demo`: the demo shop app (demo/shop-app.mjs) with Sightline in front of it, run from the
// repository's own binary, and clients sending it traffic. The app plays a scripted incident on a loop,
// so within a minute the terminal shows retries, a circuit breaker opening and closing, and traces.
// Options: npm run demo -- --help. Ends on Ctrl-C, SIGTERM or --duration, always with nothing left running.

import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { scaledBreakerSettings } from '../demo/breaker-timing.mjs';
import { createConsoleView } from '../demo/console-view.mjs';
import { parseDemoOptions, usage } from '../demo/demo-options.mjs';
import { INCIDENT_PHASES } from '../demo/incident-script.mjs';
import { dashboardIsLive, newestRetriedTrace, readMetrics, readTraces } from '../demo/sightline-admin.mjs';
import { launchSightline } from '../demo/sightline-process.mjs';
import { startShopApp } from '../demo/shop-app.mjs';
import { startTraffic } from '../demo/traffic-generator.mjs';

const CONFIG_FILE = fileURLToPath(new URL('../demo/sightline-demo.yaml', import.meta.url));

let options;
try {
  options = parseDemoOptions(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`demo: ${error.message}\n\n${usage()}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage());
  process.exit(0);
}

const startedAt = Date.now();
const view = createConsoleView(startedAt);
/** What is running, so that shutdown stops exactly that, whenever it comes. */
const running = { app: undefined, sightline: undefined, adminUrl: undefined, traffic: undefined, lastMetrics: undefined, timers: [] };
let shuttingDown;

async function shutdown(exitCode) {
  shuttingDown ??= (async () => {
    running.sightline?.expectExit();
    for (const timer of running.timers) clearInterval(timer);
    await running.traffic?.stop();
    // After a terminal's Ctrl-C, Sightline (which got it too) may be gone already: then the last reading stands.
    const metrics = (running.adminUrl === undefined ? undefined : await readMetrics(running.adminUrl).catch(() => undefined)) ?? running.lastMetrics;
    await running.sightline?.stop();
    await running.app?.close();
    if (running.traffic !== undefined) view.goodbye({ totals: running.traffic.totals(), metrics, seconds: Math.floor((Date.now() - startedAt) / 1000) });
    process.exit(exitCode);
  })();
  return shuttingDown;
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void shutdown(0));

async function startDemo() {
  try {
    running.app = await startShopApp({ port: options.appPort, incidentScale: options.incidentScale, onPhase: (phase) => view.phase(phase) });
  } catch (error) {
    const taken = error.code === 'EADDRINUSE' ? ` (port ${options.appPort} is taken: pass --app-port with another, or 0 for any free port)` : '';
    throw new Error(`the shop app could not start: ${error.message}${taken}`, { cause: error });
  }
  const app = running.app;

  running.sightline = launchSightline({
    configFile: CONFIG_FILE,
    upstream: app.url,
    listen: `127.0.0.1:${options.proxyPort}`,
    admin: `127.0.0.1:${options.adminPort}`,
    settings: scaledBreakerSettings(CONFIG_FILE, options.incidentScale),
    logFile: options.logFile,
    onBreaker: (transition) => view.breaker(transition),
    onExit: ({ code, signal }) => {
      view.error(`Sightline exited unexpectedly (${signal ?? `code ${code}`}); its log: ${options.logFile}`);
      void shutdown(1);
    },
  });
  const { proxyUrl, adminUrl } = await running.sightline.ready.catch((error) => {
    const hint = /EADDRINUSE|address already in use/i.test(error.message) ? '\n(a port is taken: pass --proxy-port / --admin-port, or 0 for any free port)' : '';
    throw new Error(`${error.message}${hint}`, { cause: error });
  });
  running.adminUrl = adminUrl;

  view.banner({
    appUrl: app.url, proxyUrl, adminUrl,
    dashboardLive: await dashboardIsLive(adminUrl),
    logFile: options.logFile,
    sightline: running.sightline,
    rate: options.rate,
    phases: INCIDENT_PHASES,
    scale: options.incidentScale,
  });

  running.traffic = startTraffic({ origin: proxyUrl, rate: options.rate });
  app.startIncident();
  running.timers.push(setInterval(() => void reportStatus(app, adminUrl), options.statusEverySeconds * 1000));
  if (options.durationSeconds > 0) setTimeout(() => void shutdown(0), options.durationSeconds * 1000);
}

let lastRetries = 0;
let lastTracedPhase;
let lastTraceId;

/** One live line; and, once per incident phase in which Sightline retried, the trace of a new retried request. */
async function reportStatus(app, adminUrl) {
  if (shuttingDown !== undefined) return;
  const counts = running.traffic.takeCounts();
  const metrics = await readMetrics(adminUrl).catch(() => undefined);
  if (shuttingDown !== undefined) return;
  const retriesSince = metrics === undefined ? 0 : metrics.retries - lastRetries;
  if (metrics !== undefined) {
    lastRetries = metrics.retries;
    running.lastMetrics = metrics;
  }
  const phase = app.state().incident.name;
  view.status({ phase, counts, retriesSince, metrics });
  if (retriesSince > 0 && phase !== lastTracedPhase) {
    const trace = newestRetriedTrace(await readTraces(adminUrl).catch(() => []));
    if (trace !== undefined && trace.traceId !== lastTraceId && shuttingDown === undefined) {
      lastTracedPhase = phase;
      lastTraceId = trace.traceId;
      view.retriedTrace(trace);
    }
  }
}

startDemo().catch((error) => {
  // A Ctrl-C during startup stops Sightline before it is ready: that is no error to report.
  if (shuttingDown !== undefined) return;
  view.error(error.message);
  void shutdown(1);
});
