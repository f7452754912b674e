// Child processes of the benchmark: every one started goes through `start`, so that `stopAll` can end
// them all on success, error or Ctrl-C, and no proxy or load generator outlives the run.

import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';

const running = new Set();

/**
 * Starts a process. Its stdout and stderr go to `logFile` (never to a pipe nobody drains: a proxy
 * writing an access log line per request would stall on a full pipe and measure the harness instead).
 */
export function start(command, args, { logFile, cwd, env } = {}) {
  const fd = logFile === undefined ? 'ignore' : openSync(logFile, 'w');
  const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', fd, fd] });
  if (typeof fd === 'number') closeSync(fd);
  running.add(child);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => { running.delete(child); resolve({ code, signal }); });
    child.on('error', (error) => { running.delete(child); resolve({ code: null, signal: null, error }); });
  });
  return { child, pid: child.pid, exited, logFile };
}

/** Asks a process to stop (SIGTERM), then kills it if it is still there after `graceMs`. */
export async function stop(proc, graceMs = 3000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** Kills every process still running; synchronous so it also works from an 'exit' handler. */
export function killAll() {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  running.clear();
}

export async function stopAll() {
  await Promise.all([...running].map((child) => stop({ child, exited: new Promise((r) => child.once('exit', r)) })));
}

/** The last lines a process wrote, to say why it failed. */
export function logTail(proc, lines = 8) {
  if (proc.logFile === undefined) return '';
  try {
    return readFileSync(proc.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A TCP port free on loopback right now (bound to 0, then released for the target to take). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET on a fresh connection: the status code, or undefined when it could not be had. */
export function httpStatus(url, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Polls `url` until it answers 200; fails if the process exits first or `timeoutMs` passes. */
export async function waitFor200(proc, url, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  proc.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`exited before answering ${url}: ${logTail(proc)}`);
    if ((await httpStatus(url)) === 200) return;
    await sleep(50);
  }
  throw new Error(`no 200 from ${url} within ${timeoutMs} ms: ${logTail(proc)}`);
}

/** Runs a command to completion and returns its output (load generators, `nginx -v`). */
export function run(command, args, { env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const done = (code, error) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, stdout, stderr: error === undefined ? stderr : `${stderr}${error.message}` });
    };
    child.on('close', (code) => done(code));
    child.on('error', (error) => done(null, error));
  });
}
