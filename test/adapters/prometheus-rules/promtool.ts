// The real promtool (Debian's prometheus package; test/support/system-tools.ts installs it when missing).

import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

export interface PromtoolResult {
  readonly code: number | null;
  /** stdout and stderr together: promtool writes its verdicts to either. */
  readonly output: string;
}

export function promtool(args: readonly string[], cwd?: string): PromtoolResult {
  const run = spawnSync('promtool', args, { encoding: 'utf8', cwd, timeout: 60_000 });
  if (run.error !== undefined) throw run.error;
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * `promtool check rules` passes: exit 0 and SUCCESS, and no FAILED either (its lint findings, such as
 * duplicate rules, print FAILED but still exit 0).
 */
export function expectValidRuleFile(file: string): void {
  const { code, output } = promtool(['check', 'rules', file]);
  expect(output, output).toContain('SUCCESS');
  expect(output, output).not.toContain('FAILED');
  expect(code, output).toBe(0);
}
