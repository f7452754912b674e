// files/grafana-dashboard.json: a well-formed Grafana dashboard (what Grafana needs to import it and
// lay it out) with the panels and variables the chart promises.

import { describe, expect, it } from 'vitest';
import { dashboard, variableQuery, type GridPos, type Panel } from './support/dashboard.ts';

const d = dashboard();

function overlaps(a: GridPos, b: GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function panelWith(metric: string): Panel {
  const panel = d.panels.find((p) => p.targets.some((t) => t.expr.includes(metric)));
  if (panel === undefined) throw new Error(`no panel queries ${metric}`);
  return panel;
}

describe('the dashboard', () => {
  it('has a title, a fixed uid and a recent schemaVersion', () => {
    expect(d.title).toBe('Sightline');
    expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
  });

  it('has a Prometheus datasource variable and a route variable from the request histogram', () => {
    const byName = new Map(d.templating.list.map((v) => [v.name, v]));
    expect(byName.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const route = byName.get('route');
    expect(route?.type).toBe('query');
    expect(variableQuery(route ?? { name: '', type: '' })).toMatch(/^label_values\(http_server_request_duration_seconds_count(\{.*\})?, http_route\)$/);
  });

  it('gives every panel an id, a type, a title, a grid position and targets with expr and refId', () => {
    for (const p of d.panels) {
      expect(p, p.title).toMatchObject({ id: expect.any(Number), type: expect.any(String), title: expect.any(String) });
      for (const key of ['x', 'y', 'w', 'h'] as const) expect(Number.isInteger(p.gridPos[key]), `${p.title} gridPos.${key}`).toBe(true);
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) expect(t, p.title).toMatchObject({ refId: expect.any(String), expr: expect.any(String) });
      expect(new Set(p.targets.map((t) => t.refId)).size, `${p.title}: refIds unique`).toBe(p.targets.length);
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('has unique panel ids', () => {
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays the panels out inside 24 columns without overlap', () => {
    for (const p of d.panels) {
      expect(p.gridPos.x, p.title).toBeGreaterThanOrEqual(0);
      expect(p.gridPos.w, p.title).toBeGreaterThan(0);
      expect(p.gridPos.h, p.title).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
    const clashes = d.panels.flatMap((a, i) => d.panels.slice(i + 1).filter((b) => overlaps(a.gridPos, b.gridPos)).map((b) => `${a.title} / ${b.title}`));
    expect(clashes).toEqual([]);
  });

  it('uses $__rate_interval for every rate and increase', () => {
    const windows = d.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b(?:rate|increase)\([^[]*\[([^\]]+)\]/g)].map((m) => m[1])));
    expect(windows.length).toBeGreaterThan(0);
    expect(new Set(windows)).toEqual(new Set(['$__rate_interval']));
  });
});

describe('the panels', () => {
  it('show request rate and 5xx ratio by route', () => {
    const rate = panelWith('sum by (http_route) (rate(http_server_request_duration_seconds_count{');
    expect(rate.fieldConfig?.defaults?.unit).toBe('reqps');
    const errors = d.panels.find((p) => p.targets.some((t) => t.expr.includes('http_response_status_code=~"5.."') && t.expr.includes('/')));
    expect(errors?.fieldConfig?.defaults?.unit).toBe('percentunit');
  });

  it('show p50, p90 and p99 latency by route from the histogram buckets', () => {
    const latency = panelWith('http_server_request_duration_seconds_bucket');
    const quantiles = latency.targets.map((t) => /^histogram_quantile\(([\d.]+), sum by \(http_route, le\) \(rate\(http_server_request_duration_seconds_bucket\{/.exec(t.expr)?.[1]);
    expect(quantiles).toEqual(['0.5', '0.9', '0.99']);
    expect(latency.fieldConfig?.defaults?.unit).toBe('s');
  });

  it('show retries by route and reason, and rejected requests by reason', () => {
    expect(panelWith('sightline_retries_total').targets[0]?.expr).toContain('sum by (http_route, reason)');
    expect(panelWith('sightline_rejected_requests_total').targets[0]?.expr).toContain('sum by (http_route, reason)');
  });

  it('show the circuit breaker state with its three values named', () => {
    const circuit = panelWith('sightline_circuit_state');
    const options = circuit.fieldConfig?.defaults?.mappings?.[0]?.options ?? {};
    expect(Object.fromEntries(Object.entries(options).map(([value, o]) => [value, o.text]))).toEqual({ 0: 'closed', 1: 'open', 2: 'half-open' });
  });

  it('show the app\'s health, named healthy and unhealthy', () => {
    const health = panelWith('sightline_upstream_healthy');
    const options = health.fieldConfig?.defaults?.mappings?.[0]?.options ?? {};
    expect(Object.fromEntries(Object.entries(options).map(([value, o]) => [value, o.text]))).toEqual({ 0: 'unhealthy', 1: 'healthy' });
  });

  it('show the error budget left, saying it needs the rules of sightline slo-rules', () => {
    const budget = panelWith('sightline_route:slo_error_budget_remaining:ratio');
    expect(budget.targets[0]?.expr).toContain('by (http_route)');
    expect(budget.description).toContain('sightline slo-rules');
  });
});
