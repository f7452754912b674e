// The two scrape formats, written from prom-client's metric objects: Prometheus text 0.0.4, and
// OpenMetrics 1.0 (asked for with `Accept: application/openmetrics-text`), which carries exemplars.
// Written here rather than by switching a prom-client Registry's content type, which renames counters
// in place and would leave the next plain-text scrape without their `_total`.

export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_TEXT = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export interface MetricValue {
  readonly labels: Readonly<Record<string, string | number | undefined>>;
  readonly value: number;
  readonly metricName?: string;
  readonly exemplar?: { readonly labelSet: Readonly<Record<string, string>>; readonly value: number; readonly timestamp: number } | null;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: readonly MetricValue[];
}

/** True when the scraper's Accept header asks for OpenMetrics. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/openmetrics-text');
}

export function formatMetrics(families: readonly MetricFamily[], openMetrics: boolean): string {
  const out: string[] = [];
  for (const family of families) {
    // OpenMetrics names a counter family without `_total` and its sample with it.
    const counter = family.type === 'counter';
    const name = openMetrics && counter ? family.name.replace(/_total$/, '') : family.name;
    out.push(`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.type}`);
    for (const v of family.values) {
      let sample = v.metricName ?? family.name;
      if (openMetrics && counter && !sample.endsWith('_total')) sample = `${sample}_total`;
      let line = `${sample}${formatLabels(v.labels)} ${formatValue(v.value)}`;
      if (openMetrics && v.exemplar != null) {
        line += ` # ${formatLabels(v.exemplar.labelSet)} ${formatValue(v.exemplar.value)} ${v.exemplar.timestamp.toFixed(3)}`;
      }
      out.push(line);
    }
  }
  out.push(openMetrics ? '# EOF\n' : '');
  return out.join('\n');
}

function formatLabels(labels: Readonly<Record<string, string | number | undefined>>): string {
  let text = '';
  for (const name in labels) {
    const value = labels[name];
    if (value === undefined) continue;
    text += `${text === '' ? '' : ','}${name}="${escapeLabel(typeof value === 'number' ? formatValue(value) : value)}"`;
  }
  return text === '' ? '' : `{${text}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
