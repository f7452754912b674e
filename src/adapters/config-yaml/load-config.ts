// Loads the layered config: built-in defaults < YAML file < environment < flags.

import { readFileSync } from 'node:fs';
import { environmentLayer } from '../../core/config/command-line.ts';
import { mergeLayers, type RawLayer } from '../../core/config/layers.ts';
import { readConfig, type Config } from '../../core/config/model.ts';
import type { ConfigIssue } from '../../core/config/reader.ts';
import { yamlLayer } from './yaml-layer.ts';

export type LoadResult =
  /** `layer`: the merged layers, keys as written with their places, for checking a reload against. */
  | { readonly ok: true; readonly config: Config; readonly configFile: string | undefined; readonly layer: RawLayer }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export interface LoadOptions {
  /** From --config; otherwise SIGHTLINE_CONFIG; otherwise no file (built-in defaults). */
  readonly configFile?: string | undefined;
  readonly flags?: RawLayer;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function loadConfig(options: LoadOptions): LoadResult {
  const env = options.env ?? {};
  const configFile = options.configFile ?? (env.SIGHTLINE_CONFIG || undefined);
  const layers: RawLayer[] = [];
  if (configFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(configFile, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      return { ok: false, issues: [{ path: '', origin: configFile, message: `cannot read the config file: ${reason}` }] };
    }
    const parsed = yamlLayer(text, configFile);
    if ('issues' in parsed) return { ok: false, issues: parsed.issues };
    layers.push(parsed.layer);
  }
  layers.push(environmentLayer(env));
  if (options.flags !== undefined) layers.push(options.flags);
  const layer = mergeLayers(layers);
  const { config, issues } = readConfig(layer);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config, configFile, layer };
}
