// /metrics with workers: each process keeps its own registry; the primary merges what they report
// (prom-client's getMetricsAsJSON) into one scrape, so dashboards see one Sightline, as with one process.
//
// prom-client's AggregatorRegistry.aggregate() does the merge, family by family, with the family's own
// `aggregator`: `sum` unless the metric says otherwise. Counters and histograms (buckets, _sum, _count)
// therefore add up across workers, and so do gauges such as http_server_active_requests and the memory
// figures (the pod's total). prom-client's process metrics declare their own: event loop lag is averaged
// (its min and max taken), nodejs_version_info is the first, and process_start_time_seconds is dropped,
// which this file replaces with the primary's own (the start of Sightline as a whole). Gauges whose sum
// means nothing declare another aggregator where they are made (sightline_circuit_state: `max`).
//
// aggregate() drops exemplars; they are put back here: each bucket keeps the most recent exemplar any
// process had for it, so OpenMetrics scrapes still link latency buckets to traces.

import { AggregatorRegistry } from 'prom-client';
import type { MetricFamily, MetricValue } from './exposition.ts';

type Exemplar = NonNullable<MetricValue['exemplar']>;

function seriesKey(metricName: string | undefined, labels: MetricValue['labels']): string {
  const names = Object.keys(labels).filter((n) => labels[n] !== undefined).sort();
  return `${metricName ?? ''}{${names.map((n) => `${n}=${String(labels[n])}`).join(',')}}`;
}

/**
 * Merges the families of several processes into one set. `perProcess[0]` is the primary's own: its
 * families that the merge drops (aggregator `omit`) are kept as they are.
 */
export async function aggregateFamilies(perProcess: readonly (readonly MetricFamily[])[]): Promise<MetricFamily[]> {
  const registry = AggregatorRegistry.aggregate(perProcess as unknown as Parameters<typeof AggregatorRegistry.aggregate>[0]);
  const merged = new Map<string, MetricFamily>();
  for (const family of (await registry.getMetricsAsJSON()) as unknown as MetricFamily[]) merged.set(family.name, family);

  const latest = new Map<string, Exemplar>();
  for (const families of perProcess) {
    for (const family of families) {
      if (family.type !== 'histogram') continue;
      for (const v of family.values) {
        if (v.exemplar == null) continue;
        const key = seriesKey(v.metricName, v.labels);
        const seen = latest.get(key);
        if (seen === undefined || v.exemplar.timestamp > seen.timestamp) latest.set(key, v.exemplar);
      }
    }
  }

  const own = new Map((perProcess[0] ?? []).map((f) => [f.name, f]));
  const out: MetricFamily[] = [];
  const named = new Set<string>();
  for (const families of perProcess) {
    for (const { name } of families) {
      if (named.has(name)) continue;
      named.add(name);
      const family = merged.get(name) ?? own.get(name);
      if (family === undefined) continue; // omitted, and the primary has none of its own
      out.push(latest.size === 0 || family.type !== 'histogram' ? family : withExemplars(family, latest));
    }
  }
  return out;
}

function withExemplars(family: MetricFamily, latest: ReadonlyMap<string, Exemplar>): MetricFamily {
  return {
    ...family,
    values: family.values.map((v) => {
      const exemplar = latest.get(seriesKey(v.metricName, v.labels));
      return exemplar === undefined ? v : { ...v, exemplar };
    }),
  };
}

function sampleTotal(families: readonly MetricFamily[], familyName: string, metricName: string): number {
  let total = 0;
  for (const family of families) {
    if (family.name !== familyName) continue;
    for (const v of family.values) if ((v.metricName ?? family.name) === metricName) total += v.value;
  }
  return total;
}

/** How much one process is doing, from its own metrics (for /debug/workers). */
export function workload(families: readonly MetricFamily[]): { readonly requests: number; readonly inFlight: number } {
  return {
    requests: sampleTotal(families, 'http_server_request_duration_seconds', 'http_server_request_duration_seconds_count'),
    inFlight: sampleTotal(families, 'http_server_active_requests', 'http_server_active_requests'),
  };
}
