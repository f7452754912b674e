// Sightline as the demo runs it: the repository's own binary in a child process, as a pod would run it.
// Its stdout (operational log and access log, JSON lines) goes to a file so the terminal stays readable;
// the demo only picks out the lines it needs: "listening" (to learn the ports) and breaker transitions.

import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { relative } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isReady, requestShutdown } from './sightline-admin.mjs';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/sightline.js', import.meta.url));
const BREAKER_MESSAGES = new Set(['circuit breaker opened', 'circuit breaker half-open', 'circuit breaker closed']);

/** How long Sightline gets to drain (its drain.timeout is 2s in the demo config) before it is killed. */
const STOP_GRACE_MS = 5000;

/**
 * Starts Sightline. The handle comes back at once (so a Ctrl-C during startup can still stop it); its
 * `ready` resolves with the proxy and admin URLs once Sightline listens and reports the app healthy, or
 * rejects saying why not. `onBreaker({ routes, from, to })` hears each breaker transition as Sightline
 * logs it; `onExit({ code, signal })` an exit after that which the demo did not ask for.
 */
export function launchSightline({ configFile, upstream, listen, admin, settings = {}, logFile, onBreaker, onExit }) {
  const args = [
    BIN, 'run',
    '--config', configFile,
    '--upstream', upstream,
    '--listen', listen,
    '--admin', admin,
    ...Object.entries(settings).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
  ];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  let stopping = false;
  // Until Sightline is ready, an exit is reported through `ready` (with its stderr), not onExit.
  let wasReady = false;
  let stderr = '';
  let pending = '';
  let adminUrl;
  let listening;
  const listeningSeen = new Promise((resolve) => (listening = resolve));

  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    log.write(chunk);
  });
  child.stdout.on('data', (chunk) => {
    log.write(chunk);
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      // Only operational lines matter here; the access log's "request" lines are the bulk: skip them unparsed.
      if (text.includes('"msg":"request"')) continue;
      let line;
      try {
        line = JSON.parse(text);
      } catch {
        continue;
      }
      if (line.msg === 'sightline listening') listening(line);
      else if (BREAKER_MESSAGES.has(line.msg)) onBreaker?.({ routes: line.routes ?? [line.breaker], from: line.from, to: line.to });
    }
  });
  // 'close', not 'exit': stdout may still hold lines when the process has exited, and the log file takes them all.
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  void exited.then((how) => {
    log.end();
    if (!stopping && wasReady) onExit?.(how);
  });

  const failed = exited.then(({ code, signal }) => {
    throw new Error(`Sightline exited (${signal ?? `code ${code}`}) before it was ready.${stderr === '' ? '' : `\n${stderr.trim()}`}\nIts log: ${logFile}`);
  });
  // Once Sightline is ready this rejection has nobody left to tell; onExit reports later exits.
  failed.catch(() => {});

  const ready = (async () => {
    const line = await Promise.race([listeningSeen, failed]);
    adminUrl = `http://${line.admin}`;
    // Traffic waits for /readyz, so the first requests do not race Sightline's first health check of the app.
    for (let waited = 0; !(await isReady(adminUrl)); waited += 100) {
      if (waited > 10_000) throw new Error(`Sightline never became ready (is the app at ${upstream} answering GET /healthz?). Its log: ${logFile}`);
      await Promise.race([sleep(100), failed]);
    }
    wasReady = true;
    return { proxyUrl: `http://${line.listen}`, adminUrl };
  })();

  return {
    pid: child.pid,
    ready,
    /** The command as one would type it, for the banner. */
    commandLine: `node ${relative(PROJECT_ROOT, BIN)} ${args.slice(1).map((a) => (a === configFile ? relative(PROJECT_ROOT, a) : a)).join(' ')}`,
    /** From now on Sightline's exit is expected (e.g. it got the terminal's Ctrl-C too): onExit stays silent. */
    expectExit() {
      stopping = true;
    },
    /** Drains Sightline through its admin port (or SIGTERM), killing it if it lingers; resolves once it has exited. */
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      // POST /shutdown rather than a signal: after a terminal's Ctrl-C, which Sightline also received, a
      // second signal would make it cut its drain short and exit 1; a second shutdown request does nothing.
      const asked = adminUrl !== undefined && (await requestShutdown(adminUrl).catch(() => false));
      if (!asked) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const how = await exited;
      clearTimeout(killer);
      return how;
    },
  };
}
