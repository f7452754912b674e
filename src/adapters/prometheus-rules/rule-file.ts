// A Prometheus rule file (the format promtool and the PrometheusRule resource read), as YAML text.
// (Stub: filled in by the SLO work.)

import type { RuleGroup } from '../../core/slo/burn-rate-rules.ts';

export function formatRuleFile(groups: readonly RuleGroup[]): string {
  return `groups: ${JSON.stringify(groups)}\n`;
}
