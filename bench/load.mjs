// The two load generators, each run as its own process: wrk (closed loop, saturation throughput) and
// bench/open-loop.mjs (fixed offered rates, latency). Both return plain numbers for the report.

import { fileURLToPath } from 'node:url';
import { run } from './processes.mjs';

const WRK_POST_SCRIPT = fileURLToPath(new URL('./wrk-post.lua', import.meta.url));
const OPEN_LOOP = fileURLToPath(new URL('./open-loop.mjs', import.meta.url));

/** Where a workload's requests go on a target. */
export const workloadUrl = (baseUrl, workload) => (workload.method === 'GET' ? `${baseUrl}/?size=${workload.bytes}` : `${baseUrl}/upload`);

/** Parses wrk 4's text summary. */
export function parseWrk(text) {
  const count = (re) => Number(re.exec(text)?.[1] ?? 0);
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m)\b/.exec(text);
  if (done === null) throw new Error(`unreadable wrk output:\n${text}`);
  const unit = { us: 1e-6, ms: 1e-3, s: 1, m: 60 }[done[3]];
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(done[1]),
    elapsedS: Number(done[2]) * unit,
    rps: count(/Requests\/sec:\s+([\d.]+)/),
    non2xx: count(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0),
  };
}

/** Saturation: 1 thread, `connections` keep-alive connections, as fast as the target answers. */
export async function runWrk(wrkPath, { url, workload, connections, durationS }) {
  const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--timeout', '10s'];
  if (workload.method === 'POST') args.push('-s', WRK_POST_SCRIPT);
  const env = { ...process.env, BENCH_BODY_BYTES: String(workload.bytes) };
  const { code, stdout, stderr } = await run(wrkPath, [...args, workloadUrl(url, workload)], { env, timeoutMs: (durationS + 30) * 1000 });
  if (code !== 0) throw new Error(`wrk exited ${code}: ${stderr || stdout}`);
  return parseWrk(stdout);
}

/** Latency at fixed offered rates, from bench/open-loop.mjs. */
export async function runOpenLoop({ url, workload, rates, durationS, warmupS, connections }) {
  const config = { url: workloadUrl(url, workload), rates, durationS, warmupS, connections, method: workload.method, bodyBytes: workload.method === 'POST' ? workload.bytes : 0 };
  const budgetMs = (rates.length * (durationS + 15) + warmupS + 15) * 1000;
  const { code, stdout, stderr } = await run(process.execPath, [OPEN_LOOP, JSON.stringify(config)], { timeoutMs: budgetMs });
  if (code !== 0) throw new Error(`open-loop exited ${code}: ${stderr}`);
  return JSON.parse(stdout).phases;
}
