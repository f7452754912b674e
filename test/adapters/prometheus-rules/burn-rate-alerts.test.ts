// The rules `sightline slo-rules` writes, run by the real promtool: `check rules` accepts them, and
// `test rules` replays synthetic traffic (counters growing every minute) to show which alerts fire.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runSightline } from '../../support/sightline.ts';
import { expectValidRuleFile, promtool } from './promtool.ts';

const dir = mkdtempSync(join(tmpdir(), 'sightline-slo-rules-'));
const RULES = 'slo-rules.yaml';

/** A route name PromQL and Go templates must both survive. */
const ODD = 'odd "route" \\ {{ .x }}';

const CONFIG = {
  routes: [
    { name: 'checkout', match: { path: '/checkout/*' }, slo: { availability: '99.9%', latency: { threshold: '250ms', target: '99%' } } },
    { name: 'search', match: { path: '/search' }, slo: { availability: '99.9%', latency: { threshold: '1s', target: '99%' }, window: '7d' } },
    { name: ODD, match: { path: '/odd' }, slo: { availability: '99.9%' } },
    { name: 'static', match: { path: '/static/*' } },
  ],
};

interface WrittenRule {
  readonly alert?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

let groups: { name: string; rules: WrittenRule[] }[] = [];

beforeAll(async () => {
  const configFile = join(dir, 'sightline.yaml');
  writeFileSync(configFile, stringify(CONFIG));
  const { code, stdout, stderr } = await runSightline(['slo-rules', '--config', configFile]);
  expect(code, stderr).toBe(0);
  writeFileSync(join(dir, RULES), stdout);
  groups = (parse(stdout) as { groups: typeof groups }).groups;
});

const MINUTES = 240;
const COUNT = 'http_server_request_duration_seconds_count';
const BUCKET = 'http_server_request_duration_seconds_bucket';

interface Traffic {
  readonly route: string;
  readonly perMinute: number;
  readonly errorsPerMinute?: number;
  /** Successful requests per minute slower than `le`. */
  readonly slowPerMinute?: number;
  /** The bucket bound of the route's latency threshold, as the series carry it. */
  readonly le?: string;
}

/** A route's counters as Sightline exposes them: 200s (some slow), and 503s when it has errors. */
function series(t: Traffic): { series: string; values: string }[] {
  const errors = t.errorsPerMinute ?? 0;
  const ok = t.perMinute - errors;
  const labels = (status: string, le?: string): string =>
    `{http_request_method="GET", http_route=${JSON.stringify(t.route)}, http_response_status_code="${status}"${le === undefined ? '' : `, le="${le}"`}}`;
  const growing = (perMinute: number): string => `0+${perMinute}x${MINUTES}`;
  const le = t.le ?? '0.25';
  return [
    { series: `${COUNT}${labels('200')}`, values: growing(ok) },
    { series: `${BUCKET}${labels('200', le)}`, values: growing(ok - (t.slowPerMinute ?? 0)) },
    ...(errors === 0 ? [] : [
      { series: `${COUNT}${labels('503')}`, values: growing(errors) },
      { series: `${BUCKET}${labels('503', le)}`, values: growing(errors) },
    ]),
  ];
}

/** The alert promtool must report: the rule's labels, and its annotations as Prometheus expands them. */
function firing(alert: string, route: string, slo: string, value: string) {
  const rule = groups.find((g) => g.name === `sightline-slo:${route}`)?.rules.find((r) => r.alert === alert && r.labels?.slo === slo);
  if (rule === undefined) throw new Error(`no ${alert} rule for ${route} ${slo}`);
  const expand = (text: string): string => text.replaceAll('{{ $labels.http_route }}', route).replaceAll('{{ $value | humanizePercentage }}', value);
  return {
    exp_labels: { severity: 'page', http_route: route, slo },
    exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, expand(v)])),
  };
}

type Expected = ReturnType<typeof firing>;

function alerts(evalTime: string, fast: Expected[], slow: Expected[]) {
  return [
    { eval_time: evalTime, alertname: 'SightlineSLOFastBurn', exp_alerts: fast },
    { eval_time: evalTime, alertname: 'SightlineSLOSlowBurn', exp_alerts: slow },
  ];
}

let testFiles = 0;

/** Runs `promtool test rules` on one scenario; it must pass (exit 0 and SUCCESS). */
function expectPromtoolTest(traffic: readonly Traffic[], checks: { alert_rule_test?: object[]; promql_expr_test?: object[] }): void {
  const file = join(dir, `test-${++testFiles}.yaml`);
  writeFileSync(file, stringify({
    rule_files: [RULES],
    evaluation_interval: '1m',
    tests: [{ interval: '1m', input_series: traffic.flatMap(series), ...checks }],
  }));
  const { code, output } = promtool(['test', 'rules', file], dir);
  expect(output, output).toContain('SUCCESS');
  expect(output, output).not.toContain('FAILED');
  expect(code, output).toBe(0);
}

describe('sightline slo-rules, checked by promtool', () => {
  it('writes a rule file promtool check rules accepts', () => {
    expectValidRuleFile(join(dir, RULES));
    expect(groups.map((g) => g.name)).toEqual([
      'sightline-slo:checkout', 'sightline-slo-budget:checkout',
      'sightline-slo:search', 'sightline-slo-budget:search',
      `sightline-slo:${ODD}`, `sightline-slo-budget:${ODD}`,
    ]);
  });

  it('pages fast for routes at 10% errors, not for one at 0.05%, and slowly too once the 15m have passed', () => {
    expectPromtoolTest([
      { route: 'checkout', perMinute: 600, errorsPerMinute: 60 },
      { route: 'search', perMinute: 2000, errorsPerMinute: 1, le: '1' },
      { route: ODD, perMinute: 600, errorsPerMinute: 60 },
    ], {
      alert_rule_test: [
        ...alerts('10m', [firing('SightlineSLOFastBurn', 'checkout', 'availability', '10%'), firing('SightlineSLOFastBurn', ODD, 'availability', '10%')], []),
        ...alerts('30m',
          [firing('SightlineSLOFastBurn', 'checkout', 'availability', '10%'), firing('SightlineSLOFastBurn', ODD, 'availability', '10%')],
          [firing('SightlineSLOSlowBurn', 'checkout', 'availability', '10%'), firing('SightlineSLOSlowBurn', ODD, 'availability', '10%')]),
      ],
      promql_expr_test: [
        {
          expr: 'round(sightline_route:slo_errors:ratio_rate1h, 0.0001)',
          eval_time: '10m',
          exp_samples: [
            { labels: '{http_route="checkout"}', value: 0.1 },
            { labels: '{http_route="search"}', value: 0.0005 },
            { labels: `{http_route=${JSON.stringify(ODD)}}`, value: 0.1 },
          ],
        },
        {
          // 0.05% errors against the 0.1% allowed: half the budget is left; 10% spends it 100 times over.
          expr: 'round(sightline_route:slo_error_budget_remaining:ratio{slo="availability"}, 0.001)',
          eval_time: '60m',
          exp_samples: [
            { labels: '{http_route="checkout", slo="availability"}', value: -99 },
            { labels: '{http_route="search", slo="availability"}', value: 0.5 },
            { labels: `{http_route=${JSON.stringify(ODD)}, slo="availability"}`, value: -99 },
          ],
        },
      ],
    });
  });

  it('pages slowly, never fast, for a route at 1% errors (a 10× burn of a 99.9% SLO)', () => {
    expectPromtoolTest([
      { route: 'checkout', perMinute: 1000, errorsPerMinute: 10 },
      { route: 'search', perMinute: 600, le: '1' },
    ], {
      alert_rule_test: [
        ...alerts('10m', [], []),
        ...alerts('30m', [], [firing('SightlineSLOSlowBurn', 'checkout', 'availability', '1%')]),
        ...alerts('4h', [], [firing('SightlineSLOSlowBurn', 'checkout', 'availability', '1%')]),
      ],
    });
  });

  it.each(['1', '1.0'])('pages on latency when half the requests are slower than the threshold (le="%s")', (le) => {
    expectPromtoolTest([
      { route: 'checkout', perMinute: 600 },
      { route: 'search', perMinute: 600, slowPerMinute: 300, le },
    ], {
      alert_rule_test: [
        ...alerts('10m', [firing('SightlineSLOFastBurn', 'search', 'latency', '50%')], []),
        ...alerts('30m', [firing('SightlineSLOFastBurn', 'search', 'latency', '50%')], [firing('SightlineSLOSlowBurn', 'search', 'latency', '50%')]),
      ],
    });
  });

  it('stays silent for healthy traffic, and counts a route without any 5xx as having its whole budget', () => {
    expectPromtoolTest([
      { route: 'checkout', perMinute: 600 },
      { route: 'search', perMinute: 2000, errorsPerMinute: 1, slowPerMinute: 1, le: '1' },
      { route: ODD, perMinute: 100 },
    ], {
      alert_rule_test: ['5m', '10m', '30m', '1h', '4h'].flatMap((t) => alerts(t, [], [])),
      promql_expr_test: [
        {
          expr: 'round(sightline_route:slo_error_budget_remaining:ratio{http_route="checkout"}, 0.001)',
          eval_time: '60m',
          exp_samples: [
            { labels: '{http_route="checkout", slo="availability"}', value: 1 },
            { labels: '{http_route="checkout", slo="latency"}', value: 1 },
          ],
        },
      ],
    });
  });
});
