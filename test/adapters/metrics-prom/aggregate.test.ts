// Merging the registries of several processes into one scrape (workers > 1), with real prom-client
// registries and the real request metrics.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Counter, Gauge, Registry } from 'prom-client';
import { aggregateFamilies, workload } from '../../../src/adapters/metrics-prom/aggregate.ts';
import { formatMetrics, type MetricFamily } from '../../../src/adapters/metrics-prom/exposition.ts';
import { HttpMetrics } from '../../../src/adapters/metrics-prom/http-metrics.ts';
import { ProcessMetrics, processRegistry } from '../../../src/adapters/metrics-prom/process-metrics.ts';
import { resilienceMetrics } from '../../../src/adapters/metrics-prom/resilience-metrics.ts';
import type { ExchangeRecord } from '../../../src/ports/exchange-observer.ts';

function exchange(status: number, traceId?: string): ExchangeRecord {
  return {
    method: 'GET', route: 'default', target: '/', status, reason: undefined, attempts: 1, upstreamOutcome: status, bytesIn: 0, bytesOut: 10,
    startedAt: 0, requestId: 'r', clientAddress: '127.0.0.1', userAgent: undefined, host: 'x', httpVersion: '1.1',
    traceId, spanId: traceId === undefined ? undefined : '00f067aa0ba902b7', sampled: traceId !== undefined,
  };
}

/** A worker's registry after it served `ok` 200s and `failed` 503s of 20ms, the last 200 sampled in trace `traceId`. */
function worker(ok: number, failed: number, traceId: string): Registry {
  const registry = processRegistry();
  const http = new HttpMetrics(registry, 100);
  for (let i = 0; i < ok; i++) {
    const x = exchange(200, i === ok - 1 ? traceId : undefined);
    http.exchangeStarted();
    http.exchangeEnded(x, 20);
  }
  for (let i = 0; i < failed; i++) {
    const x = exchange(503);
    http.exchangeStarted();
    http.exchangeEnded(x, 20);
  }
  return registry;
}

async function json(registry: Registry): Promise<MetricFamily[]> {
  return (await registry.getMetricsAsJSON()) as unknown as MetricFamily[];
}

function value(families: readonly MetricFamily[], name: string, metricName = name, labels: Record<string, string | number> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  return family?.values.find((v) => (v.metricName ?? family.name) === metricName && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('aggregateFamilies', () => {
  it('adds up request counts, buckets and sums across workers, series by series', async () => {
    const merged = await aggregateFamilies([await json(new ProcessMetrics('1.2.3').registry), await json(worker(30, 5, 'a'.repeat(32))), await json(worker(12, 1, 'b'.repeat(32)))]);
    const count = 'http_server_request_duration_seconds_count';
    expect(value(merged, 'http_server_request_duration_seconds', count, { http_response_status_code: '200' })).toBe(42);
    expect(value(merged, 'http_server_request_duration_seconds', count, { http_response_status_code: '503' })).toBe(6);
    expect(value(merged, 'http_server_request_duration_seconds', 'http_server_request_duration_seconds_bucket', { http_response_status_code: '200', le: 0.025 })).toBe(42);
    expect(value(merged, 'http_server_request_duration_seconds', 'http_server_request_duration_seconds_bucket', { http_response_status_code: '200', le: 0.01 })).toBe(0);
    expect(value(merged, 'http_server_request_duration_seconds', 'http_server_request_duration_seconds_sum', { http_response_status_code: '200' })).toBeCloseTo(42 * 0.02, 9);
    expect(workload(merged)).toEqual({ requests: 48, inFlight: 0 });
    // The primary's own series pass through.
    expect(value(merged, 'sightline_build_info', 'sightline_build_info', { version: '1.2.3' })).toBe(1);
    expect(value(merged, 'sightline_upstream_healthy')).toBe(0);
  });

  it('keeps, per bucket, the most recent exemplar of any worker', async () => {
    const first = await json(worker(3, 0, 'a'.repeat(32)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await json(worker(3, 0, 'b'.repeat(32)));
    const merged = await aggregateFamilies([[], first, second]);
    const family = merged.find((f) => f.name === 'http_server_request_duration_seconds') as MetricFamily;
    const withExemplars = family.values.filter((v) => v.exemplar != null);
    expect(withExemplars.map((v) => [v.labels.le, v.exemplar?.labelSet.trace_id])).toEqual([[0.025, 'b'.repeat(32)]]);
    const text = formatMetrics(merged, true);
    expect(text).toContain(`le="0.025"} 6 # {trace_id="${'b'.repeat(32)}"} 0.02 `);
  });

  it('follows each metric\'s aggregator: process metrics as prom-client declares, circuit state as the highest', async () => {
    const a = new Registry();
    const b = new Registry();
    const eventsA = resilienceMetrics(a, ['default']);
    resilienceMetrics(b, ['default']);
    eventsA.breakerTransition('default', ['default'], 'closed', 'open');
    const primary = await json(new ProcessMetrics('1.2.3').registry);
    const workers = [await json(processRegistry()), await json(processRegistry())];
    const merged = await aggregateFamilies([primary, ...workers, await json(a), await json(b)]);

    expect(value(merged, 'sightline_circuit_state', 'sightline_circuit_state', { http_route: 'default' })).toBe(1);
    expect(value(merged, 'sightline_circuit_transitions_total', 'sightline_circuit_transitions_total', { http_route: 'default', to: 'open' })).toBe(1);
    // Memory adds up over the three processes; the version is one; lag is an average, not a sum.
    const rss = [primary, ...workers].map((f) => value(f, 'process_resident_memory_bytes') as number);
    expect(value(merged, 'process_resident_memory_bytes')).toBe(rss[0]! + rss[1]! + rss[2]!);
    expect(merged.find((f) => f.name === 'nodejs_version_info')?.values).toHaveLength(1);
    // prom-client omits process_start_time_seconds from a merge: the primary's own is kept.
    expect(value(merged, 'process_start_time_seconds')).toBe(value(primary, 'process_start_time_seconds'));
  });

  it('adds up plain counters and gauges, and writes a primary\'s scrape that promtool accepts', async () => {
    const a = new Registry();
    new Counter({ name: 'demo_events_total', help: 'A counter.', registers: [a] }).inc(2);
    new Gauge({ name: 'demo_in_use', help: 'A gauge.', registers: [a] }).set(3);
    const merged = await aggregateFamilies([[], await json(a), await json(a)]);
    expect(value(merged, 'demo_events_total')).toBe(4);
    expect(value(merged, 'demo_in_use')).toBe(6);

    const primary = new ProcessMetrics('1.2.3');
    const workers = [await json(worker(5, 1, 'c'.repeat(32))), await json(worker(2, 0, 'd'.repeat(32)))];
    const text = await primary.renderWith(workers, undefined);
    expect(text.contentType).toContain('text/plain; version=0.0.4');
    expect(text.body).toContain('http_server_request_duration_seconds_count{http_request_method="GET",http_route="default",http_response_status_code="200"} 7\n');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text.body, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
    const open = await primary.renderWith(workers, 'application/openmetrics-text; version=1.0.0');
    expect(open.contentType).toContain('application/openmetrics-text');
    expect(open.body).toContain('# {trace_id="');
    expect(open.body.endsWith('# EOF\n')).toBe(true);
  });
});
