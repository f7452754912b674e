// promtool (Debian's prometheus package; test/support/system-tools.ts installs it when missing), run on
// rule files written to a temporary directory.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface PromtoolResult {
  readonly code: number;
  /** stdout and stderr together: promtool splits its findings between them. */
  readonly output: string;
}

export function promtool(args: readonly string[]): PromtoolResult {
  const run = spawnSync('promtool', args, { encoding: 'utf8', timeout: 20_000 });
  if (run.error !== undefined) throw run.error;
  return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

const dir = mkdtempSync(join(tmpdir(), 'sightline-chart-promtool-'));

/** Writes `content` (text, or an object as YAML) to a fresh temporary file and returns its path. */
export function tempYaml(name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : stringify(content, { lineWidth: 0 }));
  return path;
}

/** A rule file recording each expression, so `promtool check rules` parses them all. */
export function recordingRules(expressions: readonly { readonly name: string; readonly expr: string }[]): object {
  return { groups: [{ name: 'expressions', rules: expressions.map((e) => ({ record: e.name, expr: e.expr })) }] };
}
