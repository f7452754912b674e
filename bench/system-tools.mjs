// Debian packages the benchmark runs for real (nginx, haproxy, wrk), installed on first use the way
// test/support/system-tools.ts installs Prometheus: `apt-get install -y`, and on failure refresh the
// package lists once and retry. A package that still cannot be installed is reported, not thrown, so
// the targets that need it are skipped and the rest of the run goes on.

import { execFileSync, spawnSync } from 'node:child_process';

/** Command → Debian package. nginx-light is enough (proxy + upstream modules) and smaller than nginx. */
export const PACKAGES = Object.freeze({ nginx: 'nginx-light', haproxy: 'haproxy', wrk: 'wrk' });

/** Where Debian puts a command, even when /usr/sbin is not on this PATH (nginx, haproxy live there). */
export function commandPath(command) {
  const found = spawnSync('sh', ['-c', `PATH="$PATH:/usr/sbin:/sbin" command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function aptGet(args) {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const [file, ...rest] = [...sudo, 'apt-get', ...args];
  // stderr only: stdout of the harness is kept for the final table.
  execFileSync(file, rest, { stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/**
 * Makes sure each command exists, installing its package when missing.
 * @returns {Record<string, {path?: string, error?: string}>} per command: its path, or why it is missing.
 */
export function ensureCommands(commands) {
  const missing = commands.filter((c) => commandPath(c) === undefined);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((c) => PACKAGES[c] ?? c))];
    process.stderr.write(`bench needs ${missing.join(', ')}: installing Debian package(s) ${packages.join(' ')}\n`);
    const install = () => aptGet(['install', '-y', '--no-install-recommends', ...packages]);
    try {
      install();
    } catch {
      try {
        aptGet(['update']);
        install();
      } catch (error) {
        process.stderr.write(`apt-get failed: ${error.message}\n`);
      }
    }
  }
  return Object.fromEntries(commands.map((c) => {
    const path = commandPath(c);
    return [c, path === undefined ? { error: `${c} not installed (Debian package ${PACKAGES[c] ?? c})` } : { path }];
  }));
}
