// The targets: one process each in front of the same upstream app (or none, for `direct`).
// `start` resolves once the target answers 200 through to the app, with the PIDs whose CPU and memory
// count as the proxy's. A target whose tool is missing throws, and the run reports it as skipped.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haproxyConfig, nginxConfig } from './native-configs.mjs';
import { withDescendants } from './proc-stats.mjs';
import { freePort, start, stop, waitFor200 } from './processes.mjs';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const bench = (file) => join(PROJECT_ROOT, 'bench', file);

/** Sightline reads SIGHTLINE_* and OTEL_* from the environment: keep the caller's out of the measurement. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGHTLINE_') && !k.startsWith('OTEL_')));
}

/** Wraps a started process as a target: its URL, the PIDs to measure, and how to stop it. */
async function asTarget(proc, port, readyUrls) {
  const url = `http://127.0.0.1:${port}`;
  try {
    for (const ready of [...readyUrls, `${url}/?size=0`]) await waitFor200(proc, ready);
  } catch (error) {
    await stop(proc);
    throw error;
  }
  return { url, pids: () => withDescendants(proc.pid), stop: () => stop(proc) };
}

/** A Node proxy script from bench/, run on the same Node as Sightline. */
const nodeScript = (file) => async ({ upstreamUrl, logFile }) => {
  const port = await freePort();
  const proc = start(process.execPath, [bench(file), upstreamUrl, String(port)], { logFile, cwd: PROJECT_ROOT });
  return asTarget(proc, port, []);
};

/** Sightline from the bundle, with `extra` --set pairs (`workers=2` for the multi-core target). */
const sightline = (extra) => async ({ upstreamUrl, logFile, sinkUrl }) => {
  const [port, adminPort] = [await freePort(), await freePort()];
  const args = [
    join(PROJECT_ROOT, 'dist/sightline.mjs'), 'run',
    '--listen', `127.0.0.1:${port}`, '--admin', `127.0.0.1:${adminPort}`,
    '--upstream', upstreamUrl, '--config', bench('sightline-bench.yaml'),
    '--set', `tracing.endpoint=${sinkUrl}`, '--set', 'drain.delay=0s',
    ...extra.flatMap((pair) => ['--set', pair]),
    // For experiments: SIGHTLINE_BENCH_SET="accessLog.enabled=false tracing.sampleRatio=0" adds --set pairs.
    ...(process.env.SIGHTLINE_BENCH_SET ?? '').split(/\s+/).filter(Boolean).flatMap((pair) => ['--set', pair]),
  ];
  // stdout (operational and access log) goes to a file, as a container runtime would take it.
  const proc = start(process.execPath, args, { logFile, cwd: PROJECT_ROOT, env: cleanEnv() });
  return asTarget(proc, port, [`http://127.0.0.1:${adminPort}/readyz`]);
};

export const TARGETS = {
  direct: {
    tools: [],
    // No proxy: the load goes straight to the app, the limit every proxy is compared with.
    start: async ({ upstreamUrl }) => ({ url: upstreamUrl, pids: () => [], stop: async () => {} }),
  },

  sightline: { tools: [], start: sightline([]) },
  // Two worker processes sharing the port (workers: 2); CPU and memory are the primary's and the workers' together.
  'sightline-2w': { tools: [], start: sightline(['workers=2']) },
  'undici-minimal': { tools: [], start: nodeScript('minimal-undici-proxy.mjs') },
  'http-proxy-3': { tools: [], start: nodeScript('http-proxy-3-proxy.mjs') },
  'fastify-http-proxy': { tools: [], start: nodeScript('fastify-proxy.mjs') },

  nginx: {
    tools: ['nginx'],
    start: async ({ upstreamPort, logFile, tmpDir, tools }) => {
      const port = await freePort();
      const dir = join(tmpDir, `nginx-${port}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'nginx.conf'), nginxConfig({ dir, port, upstreamPort }));
      // -e: error log in the temp dir from the first line (before the config is read), not /var/log.
      const proc = start(tools.nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'nginx-error.log')], { logFile });
      return asTarget(proc, port, []);
    },
  },

  haproxy: {
    tools: ['haproxy'],
    start: async ({ upstreamPort, logFile, tmpDir, tools }) => {
      const port = await freePort();
      const file = join(tmpDir, `haproxy-${port}.cfg`);
      writeFileSync(file, haproxyConfig({ port, upstreamPort }));
      // -db: foreground, one process (no master), so its CPU is the proxy's.
      const proc = start(tools.haproxy, ['-db', '-f', file], { logFile });
      return asTarget(proc, port, []);
    },
  },
};
