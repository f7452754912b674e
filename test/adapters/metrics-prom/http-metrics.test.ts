// The RED metrics as a scraper sees them: a real Prometheus scraping a running Sightline, promtool
// checking the exposition, and the series read straight from /metrics.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { startApp, type TestApp } from '../../support/apps.ts';
import { startPrometheus, type Prometheus } from '../../support/prometheus.ts';
import { startSightline, type Sightline } from '../../support/sightline.ts';
import { delay, eventually, send } from '../../support/http-client.ts';

/** Every sample of /metrics whose line starts with `prefix`, as [series, value]. */
async function samples(sightline: Sightline, prefix: string, accept?: string): Promise<[string, number][]> {
  const text = (await send(`${sightline.adminUrl}/metrics`, accept === undefined ? {} : { headers: { accept } })).text();
  return text.split('\n').filter((l) => l.startsWith(prefix)).map((l) => {
    const cut = l.lastIndexOf(' ');
    return [l.slice(0, cut), Number(l.slice(cut + 1))];
  });
}

async function sample(sightline: Sightline, series: string): Promise<number | undefined> {
  return (await samples(sightline, `${series} `)).map(([, v]) => v)[0] ?? (await samples(sightline, series)).find(([s]) => s === series)?.[1];
}

describe('RED metrics through a real Prometheus', () => {
  let app: TestApp;
  let sightline: Sightline;
  let prometheus: Prometheus;

  beforeAll(async () => {
    app = await startApp();
    sightline = await startSightline({ upstream: app.url, set: { 'defaultRoute.retry.attempts': '1' } });
    prometheus = await startPrometheus([new URL(sightline.adminUrl).host]);
    await prometheus.waitForTargetsUp();
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await sightline?.stop();
    await app?.close();
  });

  it('gives the request rate and error ratio of the traffic sent, through PromQL', async () => {
    const total = 'sum(http_server_request_duration_seconds_count)';
    // One request of each status first, so both series exist before the measured traffic starts:
    // increase() cannot count what a series held at its first scrape.
    await send(`${sightline.proxyUrl}/warm-up`);
    await send(`${sightline.proxyUrl}/status?code=503`);
    expect(await eventually(async () => Number((await prometheus.query(total))[0]?.value[1]) === 2, 10_000, 200)).toBe(true);
    await delay(1500);
    const from = Date.now() / 1000;

    const ok = 160;
    const failed = 40;
    for (let i = 0; i < ok + failed; i++) {
      await send(i % 5 === 4 ? `${sightline.proxyUrl}/status?code=503` : `${sightline.proxyUrl}/orders/${i}`);
      if (i % 20 === 19) await delay(100);
    }
    expect(await eventually(async () => Number((await prometheus.query(total))[0]?.value[1]) === 2 + ok + failed, 10_000, 200)).toBe(true);
    await delay(1500);
    const to = Date.now() / 1000;
    const window = Math.ceil(to - from);

    const sent = await prometheus.query(`${total} - sum(http_server_request_duration_seconds_count offset ${window}s)`, to);
    expect(Number(sent[0]?.value[1])).toBe(ok + failed);
    // The error ratio as a difference over the window, not increase(): increase() extrapolates each
    // series to the window's edges but stops where the series would reach zero, and that stop depends
    // on the series' own size, so 40 failures among 160 successes read 0.206 on a slow run.
    const failures = 'http_server_request_duration_seconds_count{http_response_status_code=~"5.."}';
    const errorRatio = await prometheus.query(
      `(sum(${failures}) - sum(${failures} offset ${window}s)) / (${total} - sum(http_server_request_duration_seconds_count offset ${window}s))`,
      to,
    );
    expect(Number(errorRatio[0]?.value[1])).toBeCloseTo(failed / (ok + failed), 5);
    // rate() extrapolates to the window's edges: over the window it must account for the requests sent.
    const rate = await prometheus.query(`sum(rate(http_server_request_duration_seconds_count[${window}s]))`, to);
    const counted = Number(rate[0]?.value[1]) * window;
    expect(counted).toBeGreaterThan((ok + failed) * 0.8);
    expect(counted).toBeLessThan((ok + failed) * 1.35);
    // Every path landed on the route's name, never on a raw path.
    const routes = await prometheus.query('count by (http_route) (http_server_request_duration_seconds_count)');
    expect(routes.map((r) => r.metric.http_route)).toEqual(['default']);
  });

  it('links latency buckets to traces: Prometheus stores the trace_id exemplar of a sampled request', async () => {
    const from = Date.now() / 1000 - 1;
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const reply = await send(`${sightline.proxyUrl}/slow?ms=30`, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } });
    expect(reply.status).toBe(200);
    let found: { labels: Record<string, string>; value: string }[] = [];
    expect(await eventually(async () => {
      const series = await prometheus.queryExemplars('http_server_request_duration_seconds_bucket', from, Date.now() / 1000 + 1);
      found = series.flatMap((s) => s.exemplars).filter((e) => e.labels.trace_id === traceId);
      return found.length > 0;
    }, 10_000, 250)).toBe(true);
    // The exemplar is the request's own duration: at least the 30ms the app took.
    expect(Number(found[0]?.value)).toBeGreaterThanOrEqual(0.03);
  });

  it('serves an exposition that promtool accepts', async () => {
    const body = (await send(`${sightline.adminUrl}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('RED metrics on /metrics', () => {
  let app: TestApp;
  let sightline: Sightline;

  beforeAll(async () => {
    app = await startApp();
    sightline = await startSightline({ upstream: app.url, set: { 'defaultRoute.retry.attempts': '1', 'metrics.maxSeriesPerFamily': '10' } });
  });

  afterAll(async () => {
    await sightline?.stop();
    await app?.close();
  });

  it('labels each request with method, route and real status code, and unknown methods _OTHER', async () => {
    await send(`${sightline.proxyUrl}/status?code=418`);
    await send(`${sightline.proxyUrl}/x`, { method: 'PROPFIND' });
    expect(await sample(sightline, 'http_server_request_duration_seconds_count{http_request_method="GET",http_route="default",http_response_status_code="418"}')).toBe(1);
    expect(await sample(sightline, 'http_server_request_duration_seconds_count{http_request_method="_OTHER",http_route="default",http_response_status_code="200"}')).toBe(1);
  });

  it('records request and response body sizes', async () => {
    await send(`${sightline.proxyUrl}/download?bytes=5000`, { method: 'PUT', body: 'x'.repeat(300) });
    const labels = '{http_request_method="PUT",http_route="default",http_response_status_code="200"}';
    expect(await sample(sightline, `http_server_request_body_size_bytes_sum${labels}`)).toBe(300);
    expect(await sample(sightline, `http_server_response_body_size_bytes_sum${labels}`)).toBe(5000);
  });

  it('times every upstream attempt, with error_type where the app gave no response', async () => {
    app.script.push('reset');
    const reply = await send(`${sightline.proxyUrl}/x`, { method: 'DELETE' });
    expect(reply.status).toBe(502);
    expect(await sample(sightline, 'http_client_request_duration_seconds_count{http_request_method="DELETE",http_route="default",error_type="reset"}')).toBe(1);
    expect(await sample(sightline, 'http_server_request_duration_seconds_count{http_request_method="DELETE",http_route="default",http_response_status_code="502"}')).toBe(1);
  });

  it('counts requests in flight', async () => {
    const slow = send(`${sightline.proxyUrl}/slow?ms=500`);
    expect(await eventually(async () => (await sample(sightline, 'http_server_active_requests')) === 1)).toBe(true);
    await slow;
    expect(await sample(sightline, 'http_server_active_requests')).toBe(0);
  });

  it('reports the app healthy', async () => {
    expect(await eventually(async () => (await sample(sightline, 'sightline_upstream_healthy')) === 1)).toBe(true);
  });

  it('caps the series of a family and counts what it dropped', async () => {
    for (let code = 201; code <= 215; code++) await send(`${sightline.proxyUrl}/status?code=${code}`);
    const series = await samples(sightline, 'http_server_request_duration_seconds_count{');
    expect(series).toHaveLength(10);
    const dropped = await sample(sightline, 'sightline_metric_series_overflow_total{family="http_server_request_duration_seconds"}');
    expect(dropped).toBeGreaterThan(0);
  });

  it('serves OpenMetrics when asked, and plain text again afterwards with counters intact', async () => {
    const om = await send(`${sightline.adminUrl}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(om.headers['content-type']).toContain('application/openmetrics-text');
    expect(om.text().endsWith('# EOF\n')).toBe(true);
    expect(om.text()).toContain('# TYPE sightline_metric_series_overflow counter');
    expect(om.text()).toMatch(/^sightline_metric_series_overflow_total\{family="http_server_request_duration_seconds"\} \d+$/m);
    const plain = await send(`${sightline.adminUrl}/metrics`);
    expect(plain.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(plain.text()).toContain('# TYPE sightline_metric_series_overflow_total counter');
  });
});
