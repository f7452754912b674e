// What the demo reads from Sightline's admin port: the Prometheus text on /metrics, reduced to the few
// series the live line shows, and the recent traces on /debug/traces.

import { request } from 'undici';

/** sightline_circuit_state's values. */
const BREAKER_STATES = { 0: 'closed', 1: 'open', 2: 'half-open' };

async function getText(url) {
  const res = await request(url, { headersTimeout: 3000, bodyTimeout: 3000 });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
  return text;
}

/** One sample per line of Prometheus text format: { name, labels, value }. Comments are skipped. */
export function parsePrometheusText(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const labels = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * The resilience picture from /metrics: retries so far, breaker state per route (in the order the
 * routes first appear), and how many times breakers opened and closed.
 */
export function summarizeMetrics(samples) {
  const summary = { retries: 0, breakers: {}, opened: 0, closed: 0, rejectedCircuitOpen: 0 };
  for (const { name, labels, value } of samples) {
    if (name === 'sightline_retries_total') summary.retries += value;
    else if (name === 'sightline_circuit_state') summary.breakers[labels.http_route] = BREAKER_STATES[value] ?? String(value);
    else if (name === 'sightline_circuit_transitions_total' && labels.to === 'open') summary.opened += value;
    else if (name === 'sightline_circuit_transitions_total' && labels.to === 'closed') summary.closed += value;
    else if (name === 'sightline_rejected_requests_total' && labels.reason === 'circuit_open') summary.rejectedCircuitOpen += value;
  }
  return summary;
}

export async function readMetrics(adminUrl) {
  return summarizeMetrics(parsePrometheusText(await getText(`${adminUrl}/metrics`)));
}

export async function readTraces(adminUrl) {
  return JSON.parse(await getText(`${adminUrl}/debug/traces`)).traces;
}

/** The spans of a trace that are attempts to the app. */
export function clientSpans(trace) {
  return trace.spans.filter((span) => span.kind === 'client');
}

/** The newest trace of a request Sightline retried (more than one attempt), or undefined. */
export function newestRetriedTrace(traces) {
  return traces.find((trace) => clientSpans(trace).length > 1);
}

/** Asks Sightline to drain and exit (POST /shutdown answers loopback callers only). */
export async function requestShutdown(adminUrl) {
  const res = await request(`${adminUrl}/shutdown`, { method: 'POST', headersTimeout: 2000 });
  await res.body.dump();
  return res.statusCode === 202;
}

/** Whether the admin port serves the live dashboard at / (a newer feature: a build without it answers 404). */
export async function dashboardIsLive(adminUrl) {
  try {
    const res = await request(`${adminUrl}/`, { headersTimeout: 1000 });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/** Whether Sightline is ready: listening, the app healthy, not draining. */
export async function isReady(adminUrl) {
  try {
    const res = await request(`${adminUrl}/readyz`, { headersTimeout: 1000 });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}
