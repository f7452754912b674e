// Debian packages the tests run for real (Prometheus and promtool; Chromium for the dashboard), installed once before the suite
// when the machine lacks them, so `npm test` works on a fresh machine.

import { execFileSync, spawnSync } from 'node:child_process';

const PACKAGES: Readonly<Record<string, string>> = { prometheus: 'prometheus', promtool: 'prometheus', chromium: 'chromium' };

function missing(): string[] {
  return Object.keys(PACKAGES).filter((command) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0);
}

/** vitest globalSetup: installs what is missing with apt-get (refreshing the package lists if needed). */
export default function setup(): void {
  const commands = missing();
  if (commands.length === 0) return;
  const packages = [...new Set(commands.map((c) => PACKAGES[c] as string))];
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const install = (): void => {
    execFileSync(sudo.length > 0 ? 'sudo' : 'apt-get', [...(sudo.length > 0 ? ['apt-get'] : []), 'install', '-y', '--no-install-recommends', ...packages], {
      stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  process.stderr.write(`tests need ${commands.join(', ')}: installing Debian package(s) ${packages.join(' ')}\n`);
  try {
    install();
  } catch {
    execFileSync(sudo.length > 0 ? 'sudo' : 'apt-get', [...(sudo.length > 0 ? ['apt-get'] : []), 'update'], { stdio: 'inherit' });
    install();
  }
  const still = missing();
  if (still.length > 0) throw new Error(`could not install ${still.join(', ')}`);
}
