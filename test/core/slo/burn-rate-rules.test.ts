// The Prometheus rules written for routes' SLOs: names, thresholds, windows and quoting, as data.
// (test/adapters/prometheus-rules runs them through the real promtool.)

import { describe, expect, it } from 'vitest';
import { readConfig, type Config } from '../../../src/core/config/model.ts';
import type { RawTree } from '../../../src/core/config/layers.ts';
import { sloRuleGroups, type Rule, type RuleGroup } from '../../../src/core/slo/burn-rate-rules.ts';

function config(values: RawTree): Config {
  const result = readConfig({ values, origins: new Map() });
  expect(result.issues).toEqual([]);
  return result.config;
}

function route(name: string, slo?: RawTree): RawTree {
  return { name, match: { path: `/${name.length}/*` }, ...(slo === undefined ? {} : { slo }) };
}

function groupsFor(slo: RawTree, name = 'checkout'): RuleGroup[] {
  return sloRuleGroups(config({ routes: [route(name, slo)] }));
}

function rulesOf(groups: readonly RuleGroup[]): Rule[] {
  return groups.flatMap((g) => g.rules);
}

function alert(groups: readonly RuleGroup[], name: string, slo: string): Rule {
  const found = rulesOf(groups).find((r) => r.alert === name && r.labels?.slo === slo);
  if (found === undefined) throw new Error(`no ${name} alert for ${slo}`);
  return found;
}

function recording(groups: readonly RuleGroup[], name: string, slo?: string): Rule {
  const found = rulesOf(groups).find((r) => r.record === name && (slo === undefined || r.labels?.slo === slo));
  if (found === undefined) throw new Error(`no recording rule ${name}`);
  return found;
}

describe('sloRuleGroups: which routes get rules', () => {
  it('writes nothing for a config without SLOs', () => {
    expect(sloRuleGroups(config({ routes: [route('checkout')] }))).toEqual([]);
  });

  it('writes two groups per route with an slo, in config order with defaultRoute last, and nothing for the others', () => {
    const groups = sloRuleGroups(config({
      defaultRoute: { slo: { availability: '99%' } },
      routes: [route('search', { availability: '99.9%' }), route('static'), route('checkout', { availability: '99.95%' })],
    }));
    expect(groups.map((g) => g.name)).toEqual([
      'sightline-slo:search', 'sightline-slo-budget:search',
      'sightline-slo:checkout', 'sightline-slo-budget:checkout',
      'sightline-slo:default', 'sightline-slo-budget:default',
    ]);
    expect(groups.filter((g) => g.name.includes('budget')).map((g) => g.interval)).toEqual(['5m', '5m', '5m']);
  });

  it('is deterministic', () => {
    const values = { routes: [route('a', { availability: '99.9%', latency: { threshold: '250ms', target: '99%' } }), route('b', { availability: '99%' })] };
    expect(JSON.stringify(sloRuleGroups(config(values)))).toBe(JSON.stringify(sloRuleGroups(config(values))));
  });
});

describe('sloRuleGroups: recording rules', () => {
  const groups = groupsFor({ availability: '99.9%', latency: { threshold: '250ms', target: '99%' } });

  it('records the share of 5xx answers over 5m, 30m, 1h and 6h, summed over methods, statuses and pods', () => {
    for (const range of ['5m', '30m', '1h', '6h']) {
      const rule = recording(groups, `sightline_route:slo_errors:ratio_rate${range}`);
      expect(rule.labels).toEqual({ http_route: 'checkout' });
      expect(rule.expr).toContain(`sum by (http_route) (rate(http_server_request_duration_seconds_count{http_route="checkout", http_response_status_code=~"5.."}[${range}]))`);
      expect(rule.expr).toContain(`/\nsum by (http_route) (rate(http_server_request_duration_seconds_count{http_route="checkout"}[${range}]))`);
      // A route without any 5xx series has an error ratio of 0, not none.
      expect(rule.expr).toContain(`or\n  0 * sum by (http_route) (rate(http_server_request_duration_seconds_count{http_route="checkout"}[${range}]))`);
    }
  });

  it('records the share of requests slower than the threshold from its bucket', () => {
    const rule = recording(groups, 'sightline_route:slo_slow_requests:ratio_rate5m');
    expect(rule.expr).toBe([
      '1 - (',
      '  sum by (http_route) (rate(http_server_request_duration_seconds_bucket{http_route="checkout", le="0.25"}[5m]))',
      '  /',
      '  sum by (http_route) (rate(http_server_request_duration_seconds_count{http_route="checkout"}[5m]))',
      ')',
    ].join('\n'));
  });

  it('matches a whole-second bound as Prometheus 2 (le="1") and 3 (le="1.0") store it', () => {
    const rule = recording(groupsFor({ latency: { threshold: '1s', target: '99%' } }), 'sightline_route:slo_slow_requests:ratio_rate1h');
    expect(rule.expr).toContain('le=~"1(\\\\.0)?"');
  });

  it('records the error budget left over the SLO window, per objective', () => {
    const budget = groups.find((g) => g.name === 'sightline-slo-budget:checkout') as RuleGroup;
    expect(budget.rules.map((r) => r.record)).toEqual([
      'sightline_route:slo_errors:ratio_rate30d', 'sightline_route:slo_error_budget_remaining:ratio',
      'sightline_route:slo_slow_requests:ratio_rate30d', 'sightline_route:slo_error_budget_remaining:ratio',
    ]);
    expect(recording(groups, 'sightline_route:slo_errors:ratio_rate30d').expr).toContain('[30d]');
    expect(recording(groups, 'sightline_route:slo_error_budget_remaining:ratio', 'availability')).toEqual({
      record: 'sightline_route:slo_error_budget_remaining:ratio',
      expr: '1 - sightline_route:slo_errors:ratio_rate30d{http_route="checkout"} / 0.001',
      labels: { http_route: 'checkout', slo: 'availability' },
    });
    expect(recording(groups, 'sightline_route:slo_error_budget_remaining:ratio', 'latency').expr)
      .toBe('1 - sightline_route:slo_slow_requests:ratio_rate30d{http_route="checkout"} / 0.01');
  });

  it('names the window ratio after the configured window, and records a window the alerts use only once', () => {
    const week = groupsFor({ availability: '99.9%', window: '7d' });
    expect(recording(week, 'sightline_route:slo_error_budget_remaining:ratio').expr).toBe('1 - sightline_route:slo_errors:ratio_rate7d{http_route="checkout"} / 0.001');
    const sixHours = groupsFor({ availability: '99.9%', window: '6h' });
    expect(rulesOf(sixHours).filter((r) => r.record === 'sightline_route:slo_errors:ratio_rate6h')).toHaveLength(1);
    expect(recording(sixHours, 'sightline_route:slo_error_budget_remaining:ratio').expr).toContain('ratio_rate6h');
  });
});

describe('sloRuleGroups: burn-rate alerts', () => {
  it.each([
    ['99.9%', '0.0144', '0.006'],
    ['99.95%', '0.0072', '0.003'],
    ['99.99%', '0.00144', '0.0006'],
    ['99%', '0.144', '0.06'],
    ['0.995', '0.072', '0.03'],
  ])('at %s, pages above %s over 1h and 5m (14.4×) and above %s over 6h and 30m (6×)', (target, fast, slow) => {
    const groups = groupsFor({ availability: target });
    expect(alert(groups, 'SightlineSLOFastBurn', 'availability').expr).toBe([
      `sightline_route:slo_errors:ratio_rate1h{http_route="checkout"} > ${fast}`,
      'and',
      `sightline_route:slo_errors:ratio_rate5m{http_route="checkout"} > ${fast}`,
    ].join('\n'));
    expect(alert(groups, 'SightlineSLOSlowBurn', 'availability').expr).toBe([
      `sightline_route:slo_errors:ratio_rate6h{http_route="checkout"} > ${slow}`,
      'and',
      `sightline_route:slo_errors:ratio_rate30m{http_route="checkout"} > ${slow}`,
    ].join('\n'));
  });

  it('alerts on latency from the slow-request ratios with the latency target', () => {
    const groups = groupsFor({ availability: '99.9%', latency: { threshold: '500ms', target: '99.5%' } });
    expect(alert(groups, 'SightlineSLOFastBurn', 'latency').expr).toBe([
      'sightline_route:slo_slow_requests:ratio_rate1h{http_route="checkout"} > 0.072',
      'and',
      'sightline_route:slo_slow_requests:ratio_rate5m{http_route="checkout"} > 0.072',
    ].join('\n'));
    expect(alert(groups, 'SightlineSLOSlowBurn', 'latency').expr).toContain('ratio_rate6h{http_route="checkout"} > 0.03');
  });

  it('labels and explains each alert', () => {
    const groups = groupsFor({ availability: '99.9%', latency: { threshold: '250ms', target: '99%' } });
    const fast = alert(groups, 'SightlineSLOFastBurn', 'availability');
    expect(fast.for).toBe('2m');
    expect(fast.labels).toEqual({ severity: 'page', http_route: 'checkout', slo: 'availability' });
    expect(fast.annotations?.summary).toBe('Route {{ $labels.http_route }} is burning its availability error budget at over 14.4× the sustainable rate');
    expect(fast.annotations?.description).toBe(
      '{{ $value | humanizePercentage }} of requests to route {{ $labels.http_route }} were answered 5xx over the last 1h, '
      + 'and more than 1.44% over the last 5m, where its SLO (99.9% availability over 30d) allows 0.1%. '
      + 'At this burn rate the whole 30d error budget lasts less than 2.1d.',
    );
    const slow = alert(groups, 'SightlineSLOSlowBurn', 'latency');
    expect(slow.for).toBe('15m');
    expect(slow.labels).toEqual({ severity: 'page', http_route: 'checkout', slo: 'latency' });
    expect(slow.annotations?.description).toContain('were slower than 250ms over the last 6h, and more than 6% over the last 30m, where its SLO (99% of requests within 250ms over 30d) allows 1%');
    expect(slow.annotations?.description).toContain('lasts less than 5d');
  });
});

describe('sloRuleGroups: any route name stays valid PromQL and a valid template', () => {
  const names = ['say "hi"', 'back\\slash', 'both\\"end', '{{ .Evil }}', 'line\nbreak'];

  /** Every http_route="..." selector in an expression, unquoted (PromQL's escapes here are JSON's). */
  function selectedRoutes(expr: string): string[] {
    return [...expr.matchAll(/http_route="((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1] as string}"`) as string);
  }

  it.each(names)('quotes %j in every selector', (name) => {
    const rules = rulesOf(groupsFor({ availability: '99.9%', latency: { threshold: '1s', target: '99%' } }, name));
    for (const rule of rules) {
      const selected = selectedRoutes(rule.expr);
      expect(selected.length).toBeGreaterThan(0);
      expect(new Set(selected)).toEqual(new Set([name]));
    }
  });

  it.each(names)('never writes %j into an annotation, and into an alert label only as a template that prints it', (name) => {
    const alerts = rulesOf(groupsFor({ availability: '99.9%' }, name)).filter((r) => r.alert !== undefined);
    for (const rule of alerts) {
      for (const text of Object.values(rule.annotations ?? {})) expect(text).not.toContain(name);
      const label = rule.labels?.http_route as string;
      if (name.includes('{{')) expect(label).toBe(`{{ ${JSON.stringify(name)} }}`);
      else expect(label).toBe(name);
    }
  });
});
