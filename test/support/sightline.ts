// Runs the real `sightline` binary as a child process, as a pod would, and reads its JSON log lines.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/sightline.js', import.meta.url));
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export interface Sightline {
  readonly child: ChildProcess;
  readonly proxyUrl: string;
  readonly proxyPort: number;
  readonly adminUrl: string;
  readonly logs: LogLine[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Peak resident set size so far (VmHWM), in bytes. */
  peakRss(): number;
  /** Current resident set size (VmRSS), in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the binary to completion (check-config, --version, a config that fails validation); `input` is written to its stdin. */
export function runSightline(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 15_000, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...cleanEnv(), ...env }, cwd: PROJECT_ROOT });
    if (input !== undefined) child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sightline ${args.join(' ')} did not exit within ${timeoutMs}ms; stdout: ${stdout}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SIGHTLINE_') && !k.startsWith('OTEL_')) env[k] = v;
  return env;
}

function procStatus(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m === null ? 0 : Number(m[1]) * 1024;
}

export interface StartOptions {
  /** Given as --upstream; leave out to test the other layers. */
  readonly upstream?: string;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  /** Extra `--set key=value` pairs. */
  readonly set?: Record<string, string>;
  readonly nodeOptions?: readonly string[];
  /** The script to run instead of bin/sightline.js (the bundle, dist/sightline.mjs). */
  readonly bin?: string;
  /** A single executable to run instead of Node with a script (nodeOptions and bin then do not apply). */
  readonly executable?: string;
  /** A command that runs Node for us (e.g. in a read-only mount namespace), given Node's path and arguments last; it must exec, keeping the PID. */
  readonly wrapper?: readonly string[];
}

/** Starts Sightline on ephemeral loopback ports and waits until it is listening. */
export async function startSightline(options: StartOptions): Promise<Sightline> {
  const args = [
    ...(options.executable === undefined ? [...(options.nodeOptions ?? []), options.bin ?? BIN] : []),
    'run',
    '--listen', '127.0.0.1:0',
    '--admin', '127.0.0.1:0',
    ...(options.upstream === undefined ? [] : ['--upstream', options.upstream]),
    ...Object.entries(options.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ...(options.args ?? []),
  ];
  const [command, ...commandArgs] = [...(options.wrapper ?? []), options.executable ?? process.execPath, ...args] as [string, ...string[]];
  const child = spawn(command, commandArgs, { env: { ...cleanEnv(), ...options.env }, cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const waiters: { predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      logs.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w !== undefined && w.predicate(line)) {
          waiters.splice(i, 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  const waitForLog = (predicate: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> => {
    const found = logs.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs}ms; stderr: ${stderr}; logs: ${JSON.stringify(logs)}`)), timeoutMs);
      waiters.push({ predicate, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`sightline exited; stderr: ${stderr}; logs: ${JSON.stringify(logs)}`));
      });
    });
  };

  const ready = await waitForLog((l) => l.msg === 'sightline listening');
  const proxyPort = Number(String(ready.listen).split(':').pop());
  const adminPort = Number(String(ready.admin).split(':').pop());
  const pid = child.pid as number;
  return {
    child,
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    proxyPort,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    logs,
    exited,
    waitForLog,
    peakRss: () => procStatus(pid, 'VmHWM'),
    rss: () => procStatus(pid, 'VmRSS'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
