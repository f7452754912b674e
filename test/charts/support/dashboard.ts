// The Grafana dashboard's queries, and what Prometheus sees once Grafana has filled in its variables.

import { chartFile } from './chart.ts';

export interface Target { readonly refId: string; readonly expr: string; readonly legendFormat?: string; readonly exemplar?: boolean; readonly datasource?: unknown }
export interface GridPos { readonly x: number; readonly y: number; readonly w: number; readonly h: number }
export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly datasource?: { readonly type: string; readonly uid: string };
  readonly targets: readonly Target[];
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: string; readonly mappings?: readonly { readonly type: string; readonly options: Record<string, { readonly text: string }> }[] } };
}
export interface Variable { readonly name: string; readonly type: string; readonly query?: string | { readonly query: string }; readonly datasource?: unknown }
export interface Dashboard {
  readonly title: string;
  readonly uid: string;
  readonly schemaVersion: number;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
}

export function dashboard(): Dashboard {
  return JSON.parse(chartFile('files/grafana-dashboard.json')) as Dashboard;
}

/** A Grafana query as Prometheus receives it: $__rate_interval -> 5m, other variables -> a literal. */
export function asPromQL(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, 'grafana_variable');
}

export function variableQuery(v: Variable): string {
  return typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
}

/** Every PromQL expression of the dashboard, named for a recording rule: panel targets and the selectors in label_values(). */
export function dashboardExpressions(d: Dashboard = dashboard()): { name: string; expr: string }[] {
  const fromPanels = d.panels.flatMap((p) => p.targets.map((t) => ({ name: `dashboard:panel_${p.id}_${t.refId}`, expr: asPromQL(t.expr) })));
  const fromVariables = d.templating.list.flatMap((v) => {
    const selector = /^label_values\((.+),\s*(\w+)\)$/.exec(variableQuery(v))?.[1];
    return selector === undefined ? [] : [{ name: `dashboard:variable_${v.name}`, expr: asPromQL(selector) }];
  });
  return [...fromPanels, ...fromVariables];
}
