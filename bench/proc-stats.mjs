// CPU time and memory of a process, read from /proc (Linux). CPU is what the process itself used,
// all its threads together, so it is independent of how busy the machine was — the fair way to compare
// proxies that share two cores with the load generator and the upstream.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times (100 on Linux x86-64). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of the process so far, in microseconds (fields 14 and 15 of /proc/PID/stat). */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: split after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  return (ticks * 1e6) / CLK_TCK;
}

/** Sum of cpuMicros over several processes (e.g. an nginx master and its workers). */
export function totalCpuMicros(pids) {
  return pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
}

function statusKiB(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? 0 : Number(match[1]);
}

/** Resident set size now (VmRSS), in bytes. */
export const rssBytes = (pid) => statusKiB(pid, 'VmRSS') * 1024;

/** Peak resident set size since the process started (VmHWM), in bytes. */
export const peakRssBytes = (pid) => statusKiB(pid, 'VmHWM') * 1024;

/** Sums a per-process reading over several processes. */
export const sumOver = (pids, read) => pids.reduce((sum, pid) => sum + read(pid), 0);

/** The PIDs of a process and its descendants (to find workers a master forked). */
export function withDescendants(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const children = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim();
      if (children !== '') out.push(...children.split(' ').map(Number));
    } catch {
      // The process ended meanwhile: nothing below it.
    }
  }
  return out;
}
