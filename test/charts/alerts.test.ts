// promtool test rules on files/alerts.yaml: synthetic series, one sample a minute, and the alerts that
// must fire (labels and rendered annotations) and stay silent at chosen times.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_DIR, chartFile } from './support/chart.ts';
import { promtool, tempYaml } from './support/promtool.ts';

interface Rule { alert?: string; annotations?: Record<string, string>; labels?: Record<string, string> }
const rules = (parse(chartFile('files/alerts.yaml')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

const POD = { namespace: 'shop', job: 'shop', pod: 'shop-1' };

function series(metric: string, labels: Record<string, string>, values: string): { series: string; values: string } {
  const text = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  return { series: `${metric}{${text}}`, values };
}

/** The alert as promtool must report it: the rule's own labels, the series' labels, and its annotations rendered. */
function firing(alertname: string, labels: Record<string, string>, value = ''): { exp_labels: Record<string, string>; exp_annotations: Record<string, string> } {
  const rule = rules.find((r) => r.alert === alertname);
  if (rule === undefined) throw new Error(`no alert ${alertname}`);
  const render = (text: string): string => {
    const out = text
      .replaceAll(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => {
        if (!(name in labels)) throw new Error(`${alertname}: annotation names label ${name}, which the alert does not have`);
        return labels[name] as string;
      })
      .replaceAll(/\{\{ \$value \| humanize(?:Percentage)? \}\}/g, value);
    if (out.includes('{{')) throw new Error(`${alertname}: annotation template not understood: ${text}`);
    return out;
  };
  return {
    exp_labels: { ...rule.labels, ...labels },
    exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, render(v)])),
  };
}

function runTests(name: string, tests: object[]): { code: number; output: string } {
  const file = tempYaml(name, { rule_files: [`${CHART_DIR}files/alerts.yaml`], evaluation_interval: '1m', tests });
  return promtool(['test', 'rules', file]);
}

describe('SightlineCircuitOpen', () => {
  it('fires after a minute not closed, through half-open probes, and not for closed or re-closed breakers', () => {
    const route = (http_route: string): Record<string, string> => ({ ...POD, http_route });
    const result = runTests('circuit.yaml', [{
      interval: '1m',
      input_series: [
        series('sightline_circuit_state', route('users'), '0 0 1 1 1 1 1 1 0 0 0 0 0'),
        series('sightline_circuit_state', route('search'), '0 1 2 1 2 1 2 1 2 1 2 1 2'),
        series('sightline_circuit_state', route('orders'), '0x12'),
      ],
      alert_rule_test: [
        { eval_time: '1m', alertname: 'SightlineCircuitOpen', exp_alerts: [] },
        { eval_time: '2m', alertname: 'SightlineCircuitOpen', exp_alerts: [firing('SightlineCircuitOpen', { namespace: 'shop', job: 'shop', http_route: 'search' })] },
        {
          eval_time: '4m', alertname: 'SightlineCircuitOpen', exp_alerts: [
            firing('SightlineCircuitOpen', { namespace: 'shop', job: 'shop', http_route: 'users' }),
            firing('SightlineCircuitOpen', { namespace: 'shop', job: 'shop', http_route: 'search' }),
          ],
        },
        { eval_time: '10m', alertname: 'SightlineCircuitOpen', exp_alerts: [firing('SightlineCircuitOpen', { namespace: 'shop', job: 'shop', http_route: 'search' })] },
      ],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });
});

describe('SightlineHighErrorRatio', () => {
  const requests = (http_route: string, status: string, values: string): { series: string; values: string } =>
    series('http_server_request_duration_seconds_count', { ...POD, http_route, http_request_method: 'GET', http_response_status_code: status }, values);
  const inputs = [
    requests('users', '200', '0+600x20'), // 10/s
    requests('users', '503', '0+60x20'), //  1/s: 9.1% of requests
    requests('orders', '200', '0+600x20'),
    requests('orders', '500', '0+6x20'), //  0.1/s: 1%, below 5%
    requests('admin', '200', '0+1x20'), //   1 a minute...
    requests('admin', '500', '0+1x20'), //   ...and half of them fail: 50%, but too few requests to alert on
  ];

  it('fires for a route over 5% 5xx once that has lasted 5 minutes', () => {
    const result = runTests('errors.yaml', [{
      interval: '1m',
      input_series: inputs,
      alert_rule_test: [
        { eval_time: '5m', alertname: 'SightlineHighErrorRatio', exp_alerts: [] },
        { eval_time: '7m', alertname: 'SightlineHighErrorRatio', exp_alerts: [firing('SightlineHighErrorRatio', { namespace: 'shop', job: 'shop', http_route: 'users' }, '9.091%')] },
      ],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('is caught by promtool when the expectation is wrong (the test above can fail)', () => {
    const result = runTests('errors-wrong.yaml', [{
      interval: '1m',
      input_series: inputs,
      alert_rule_test: [{ eval_time: '7m', alertname: 'SightlineHighErrorRatio', exp_alerts: [] }],
    }]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('SightlineHighErrorRatio');
  });
});

describe('SightlineAppUnhealthy', () => {
  it('fires for the pod whose app has failed its health check for 2 minutes', () => {
    const result = runTests('health.yaml', [{
      interval: '1m',
      input_series: [
        series('sightline_upstream_healthy', POD, '1 1 0 0 0 0 0'),
        series('sightline_upstream_healthy', { ...POD, pod: 'shop-2' }, '1x6'),
      ],
      alert_rule_test: [
        { eval_time: '3m', alertname: 'SightlineAppUnhealthy', exp_alerts: [] },
        { eval_time: '5m', alertname: 'SightlineAppUnhealthy', exp_alerts: [firing('SightlineAppUnhealthy', POD)] },
      ],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });
});
