// SLOs as Prometheus rules: for each route with an SLO, recording rules for the share of bad requests
// over the alerts' windows, multiwindow multi-burn-rate alerts (see burn-rate-windows.ts), and the error
// budget left over the SLO window for dashboards.
//
// Two groups per route, in config order with defaultRoute last (the order routes are matched in), so the
// file is stable to commit and diff. The budget group reads the whole SLO window (30 days by default) of
// raw counters: it runs every 5m, plenty for a number that moves over days, at a fifth of the query load.

import type { Config } from '../config/model.ts';
import { BURN_RATE_ALERTS, RATIO_WINDOWS, type BurnRateAlert } from './burn-rate-windows.ts';
import { routeObjectives, type Objective } from './objectives.ts';
import { approxDuration, formatPercent, promDuration, promString, templateLiteral, tidy } from './promql.ts';
import { ROUTE_LABEL } from './request-duration-metric.ts';

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

const BUDGET_INTERVAL = '5m';

const ERROR_BUDGET_REMAINING = 'sightline_route:slo_error_budget_remaining:ratio';

/** `sightline_route:slo_errors:ratio_rate5m`, in the `level:metric:operations` convention. */
function ratioName(objective: Objective, range: string): string {
  return `sightline_route:${objective.ratio}:ratio_rate${range}`;
}

/** The recorded ratio of one route, as an alert or the budget selects it. */
function recorded(objective: Objective, range: string): string {
  return `${ratioName(objective, range)}{${ROUTE_LABEL}=${promString(objective.route)}}`;
}

// Every rule carries the route as a label of its own, though its series have it already: rules that
// differ only in their expression look like duplicates to `promtool check rules`.
function ratioRule(objective: Objective, range: string): Rule {
  return { record: ratioName(objective, range), expr: objective.badShare(range), labels: { [ROUTE_LABEL]: objective.route } };
}

function burnRateAlert(objective: Objective, burn: BurnRateAlert): Rule {
  const threshold = tidy(burn.factor * objective.budget);
  const window = promDuration(objective.windowMs);
  return {
    alert: burn.alert,
    expr: [
      `${recorded(objective, burn.longWindow)} > ${threshold}`,
      'and',
      `${recorded(objective, burn.shortWindow)} > ${threshold}`,
    ].join('\n'),
    for: burn.for,
    labels: { severity: burn.severity, [ROUTE_LABEL]: templateLiteral(objective.route), slo: objective.slo },
    // The route is named through $labels, never written in: annotations are Go templates too.
    annotations: {
      summary: `Route {{ $labels.${ROUTE_LABEL} }} is burning its ${objective.slo} error budget at over ${burn.factor}× the sustainable rate`,
      description: `{{ $value | humanizePercentage }} of requests to route {{ $labels.${ROUTE_LABEL} }} were ${objective.bad} over the last ${burn.longWindow}, `
        + `and more than ${formatPercent(threshold)} over the last ${burn.shortWindow}, where its SLO (${objective.promise} over ${window}) allows ${formatPercent(objective.budget)}. `
        + `At this burn rate the whole ${window} error budget lasts less than ${approxDuration(objective.windowMs / burn.factor)}.`,
    },
  };
}

function budgetRules(objective: Objective): Rule[] {
  const window = promDuration(objective.windowMs);
  return [
    // A window the alerts already record (6h, say) is not recorded twice.
    ...(RATIO_WINDOWS.includes(window) ? [] : [ratioRule(objective, window)]),
    {
      record: ERROR_BUDGET_REMAINING,
      // 1 when no request was bad, 0 when the window's budget is spent, below 0 beyond.
      expr: `1 - ${recorded(objective, window)} / ${objective.budget}`,
      labels: { [ROUTE_LABEL]: objective.route, slo: objective.slo },
    },
  ];
}

function routeGroups(route: string, objectives: readonly Objective[]): RuleGroup[] {
  return [
    {
      name: `sightline-slo:${route}`,
      rules: objectives.flatMap((o) => [...RATIO_WINDOWS.map((range) => ratioRule(o, range)), ...BURN_RATE_ALERTS.map((burn) => burnRateAlert(o, burn))]),
    },
    { name: `sightline-slo-budget:${route}`, interval: BUDGET_INTERVAL, rules: objectives.flatMap(budgetRules) },
  ];
}

export function sloRuleGroups(config: Config): RuleGroup[] {
  return [...config.routes, config.defaultRoute].flatMap((route) =>
    route.slo === undefined ? [] : routeGroups(route.name, routeObjectives(route.name, route.slo)));
}
