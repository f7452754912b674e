// SLOs as Prometheus rules: recording rules for error ratios and multi-window, multi-burn-rate alerts.
// (Stub: filled in by the SLO work.)

import type { Config } from '../config/model.ts';

export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

export function sloRuleGroups(config: Config): RuleGroup[] {
  void config;
  return [];
}
