// Turns the raw measurements (one per round × workload × target) into medians across rounds, ratios
// to Sightline and latency added over `direct`. Ratios and added latency are taken within each round
// first (same round = same machine state), then the median across rounds.

import { median, ratio } from './stats.mjs';

const PERCENTILES = ['p50', 'p90', 'p99', 'p999'];
const RATIO_METRICS = ['rps', 'cpuUsPerReq', 'peakRssMB', 'idleRssMB'];

function latencySummary(runs, rate, baselineOf) {
  const phases = runs.map((m) => ({ m, phase: m.latency?.find((p) => p.rate === rate) })).filter((x) => x.phase !== undefined);
  if (phases.length === 0) return null;
  const out = { rate, errors: phases.reduce((s, x) => s + x.phase.errors, 0), achievedRps: median(phases.map((x) => x.phase.achievedRps)), sendLagP99: median(phases.map((x) => x.phase.sendLagP99)), added: {} };
  for (const p of PERCENTILES) {
    out[p] = median(phases.map((x) => x.phase[p]));
    out.added[p] = median(phases.map(({ m, phase }) => {
      const base = baselineOf(m)?.latency?.find((b) => b.rate === rate);
      return base === undefined || base[p] == null || phase[p] == null ? null : phase[p] - base[p];
    }));
  }
  return out;
}

export function summarise(measurements, { targets, sizes, rates }, skipped) {
  const find = (round, workload, target) => measurements.find((m) => m.ok && m.round === round && m.workload === workload && m.target === target);
  const bySize = {};
  for (const size of sizes) {
    const rows = {};
    for (const target of targets) {
      if (skipped[target] !== undefined) {
        rows[target] = { skipped: skipped[target] };
        continue;
      }
      const mine = measurements.filter((m) => m.workload === size && m.target === target);
      const runs = mine.filter((m) => m.ok);
      if (runs.length === 0) {
        rows[target] = { skipped: mine.find((m) => !m.ok)?.error ?? 'not measured' };
        continue;
      }
      const row = { rounds: runs.length, failedRounds: mine.length - runs.length, vsSightline: {} };
      for (const metric of [...RATIO_METRICS, 'upstreamCpuUsPerReq']) row[metric] = median(runs.map((m) => m[metric]));
      for (const metric of RATIO_METRICS) row.vsSightline[metric] = median(runs.map((m) => ratio(m[metric], find(m.round, size, 'sightline')?.[metric])));
      row.non2xx = runs.reduce((s, m) => s + m.non2xx, 0);
      row.socketErrors = runs.reduce((s, m) => s + m.socketErrors, 0);
      row.latency = rates.map((rate) => latencySummary(runs, rate, (m) => find(m.round, size, 'direct'))).filter((l) => l !== null);
      rows[target] = row;
    }
    bySize[size] = rows;
  }
  return bySize;
}
