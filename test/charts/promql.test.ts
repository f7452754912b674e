// Every PromQL expression the chart ships parses (promtool), and names only series and labels Sightline
// exports (read from its metrics adapter) or that Prometheus adds to every target.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chartFile, CHART_DIR } from './support/chart.ts';
import { asPromQL, dashboard, dashboardExpressions, variableQuery } from './support/dashboard.ts';
import { exportedNames, labelsIn, metricsIn, TARGET_LABELS } from './support/metric-names.ts';
import { promtool, recordingRules, tempYaml } from './support/promtool.ts';

interface RuleFile { groups: { name: string; rules: { alert?: string; record?: string; expr: string; annotations?: Record<string, string> }[] }[] }

const alerts = parse(chartFile('files/alerts.yaml')) as RuleFile;
const alertRules = alerts.groups.flatMap((g) => g.rules);

describe('files/alerts.yaml', () => {
  it('passes promtool check rules as it is', () => {
    const result = promtool(['check', 'rules', `${CHART_DIR}files/alerts.yaml`]);
    expect(result.output).toContain(`SUCCESS: ${alertRules.length} rules found`);
    expect(result.code).toBe(0);
  });

  it('alerts on what the chart promises', () => {
    expect(alertRules.map((r) => r.alert)).toEqual(expect.arrayContaining([
      'SightlineHighErrorRatio', 'SightlineCircuitOpen', 'SightlineRetryBudgetExhausted', 'SightlineAppUnhealthy', 'SightlineTraceSpansDropped', 'SightlineWorkerRestarts',
    ]));
    for (const rule of alertRules) expect(rule.annotations, rule.alert).toMatchObject({ summary: expect.any(String), description: expect.any(String) });
  });
});

describe('the dashboard\'s queries', () => {
  it('all parse with promtool, once Grafana\'s variables are filled in', () => {
    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThan(dashboard().panels.length);
    for (const e of expressions) expect(e.expr, e.name).not.toContain('$');
    const result = promtool(['check', 'rules', tempYaml('dashboard-expressions.yaml', recordingRules(expressions))]);
    expect(result.output).toContain(`SUCCESS: ${expressions.length} rules found`);
    expect(result.code).toBe(0);
  });

  it('would be caught if one did not parse (the check above can fail)', () => {
    const broken = [{ name: 'dashboard:broken', expr: asPromQL('sum by (http_route (rate(http_server_request_duration_seconds_count[$__rate_interval]))') }];
    const result = promtool(['check', 'rules', tempYaml('broken.yaml', recordingRules(broken))]);
    expect(result.code).not.toBe(0);
  });

  it('fill in variables the way Grafana would', () => {
    expect(asPromQL('rate(x{a=~"$route", b=~"${job}"}[$__rate_interval])')).toBe('rate(x{a=~"grafana_variable", b=~"grafana_variable"}[5m])');
  });
});

describe('metric and label names', () => {
  const exported = exportedNames();
  const sources = [
    ...alertRules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
    ...dashboard().panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr }))),
    ...dashboard().templating.list.map((v) => ({ where: `variable ${v.name}`, expr: variableQuery(v) })),
  ];

  it('are all ones Sightline exports', () => {
    expect(exported).toContain('http_server_request_duration_seconds');
    const unknown = sources.flatMap(({ where, expr }) => metricsIn(expr).filter((m) => !exported.has(m)).map((m) => `${where}: ${m}`));
    expect(unknown).toEqual([]);
  });

  it('group and filter by labels those series have', () => {
    const variableLabels = dashboard().templating.list.map((v) => /,\s*(\w+)\)$/.exec(variableQuery(v))?.[1]).filter((l) => l !== undefined);
    const unknown = sources.flatMap(({ where, expr }) => labelsIn(expr).filter((l) => !exported.has(l) && !TARGET_LABELS.has(l)).map((l) => `${where}: ${l}`));
    expect(unknown).toEqual([]);
    expect(variableLabels.filter((l) => !exported.has(l) && !TARGET_LABELS.has(l))).toEqual([]);
  });
});
