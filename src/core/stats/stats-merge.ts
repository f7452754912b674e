// /debug/stats with workers: each worker counts its own requests; the primary adds their snapshots up
// as if one process had counted everything: counts and latency buckets summed second by second (the
// seconds aligned on the wall clock), breakers shown at their worst state with each worker's own, and
// the request lists merged and cut to length.

import type { BreakerState } from '../resilience/circuit-breaker.ts';
import { LATENCY_BUCKETS } from './latency-buckets.ts';
import { BREAKER_SEVERITY, type BreakerRecord, type BreakerTransitionRecord, type RequestSample, type RouteSeries, type StatsSnapshot } from './stats-snapshot.ts';

export interface SnapshotPart {
  /** The worker it came from, written on its breakers' transitions and its listed requests. */
  readonly source: number;
  readonly snapshot: StatsSnapshot;
}

export interface MergeLimits {
  readonly slowest: number;
  readonly failed: number;
  readonly transitions: number;
}

const DEFAULT_LIMITS: MergeLimits = { slowest: 10, failed: 20, transitions: 10 };

type Column = 'requests' | 'errors' | 'retries' | 'retryBudgetDenied' | 'rejected' | 'durationSumMs';
const SUMMED: readonly Column[] = ['requests', 'errors', 'retries', 'retryBudgetDenied', 'rejected', 'durationSumMs'];

interface MutableSeries {
  name: string;
  columns: Record<Column, number[]>;
  maxMs: number[];
  histogram: number[];
}

/** Adds up the snapshots; with none, an empty snapshot ending at `nowMs`. */
export function mergeSnapshots(parts: readonly SnapshotPart[], nowMs: number, limits: MergeLimits = DEFAULT_LIMITS): StatsSnapshot {
  const first = parts[0]?.snapshot;
  const seconds = first?.seconds ?? 300;
  const endSecond = parts.reduce((end, p) => Math.max(end, p.snapshot.endSecond), Math.floor(nowMs / 1000));
  const routes = new Map<string, MutableSeries>();
  for (const { snapshot } of parts) {
    if (first !== undefined && (snapshot.seconds !== seconds || snapshot.boundsMs.join() !== first.boundsMs.join())) {
      throw new Error('stats snapshots of different shapes cannot be merged');
    }
    const shift = endSecond - snapshot.endSecond;
    for (const route of snapshot.routes) addRoute(routes, route, shift, seconds);
  }
  return {
    takenAt: parts.reduce((latest, p) => Math.max(latest, p.snapshot.takenAt), nowMs),
    endSecond,
    seconds,
    boundsMs: first?.boundsMs ?? [],
    processes: parts.reduce((n, p) => n + p.snapshot.processes, 0),
    routes: [...routes.values()].map((r) => ({ name: r.name, ...r.columns, maxMs: r.maxMs, histogram: r.histogram })),
    breakers: mergeBreakers(parts, limits.transitions),
    slowest: parts.flatMap((p) => p.snapshot.slowest.map((s) => tag(s, p.source))).sort((a, b) => b.durationMs - a.durationMs).slice(0, limits.slowest),
    failed: parts.flatMap((p) => p.snapshot.failed.map((s) => tag(s, p.source))).sort((a, b) => b.at - a.at).slice(0, limits.failed),
  };
}

function tag(sample: RequestSample, source: number): RequestSample {
  return { ...sample, worker: source };
}

/** Adds `route` (whose second i is the merged series' second i - shift) into `routes`. */
function addRoute(routes: Map<string, MutableSeries>, route: RouteSeries, shift: number, seconds: number): void {
  let into = routes.get(route.name);
  if (into === undefined) {
    const zeros = (): number[] => new Array<number>(seconds).fill(0);
    into = {
      name: route.name,
      columns: { requests: zeros(), errors: zeros(), retries: zeros(), retryBudgetDenied: zeros(), rejected: zeros(), durationSumMs: zeros() },
      maxMs: zeros(),
      histogram: new Array<number>(seconds * LATENCY_BUCKETS).fill(0),
    };
    routes.set(route.name, into);
  }
  for (let i = shift; i < seconds; i++) {
    const to = i - shift;
    for (const c of SUMMED) into.columns[c][to] = (into.columns[c][to] as number) + ((route[c][i] ?? 0) as number);
    into.maxMs[to] = Math.max(into.maxMs[to] as number, route.maxMs[i] ?? 0);
    for (let k = 0; k < LATENCY_BUCKETS; k++) {
      const at = to * LATENCY_BUCKETS + k;
      into.histogram[at] = (into.histogram[at] as number) + (route.histogram[i * LATENCY_BUCKETS + k] ?? 0);
    }
  }
}

function mergeBreakers(parts: readonly SnapshotPart[], keepTransitions: number): BreakerRecord[] {
  const byName = new Map<string, { routes: Set<string>; workers: { worker: number; state: BreakerState; since: number | null }[]; transitions: BreakerTransitionRecord[] }>();
  for (const { source, snapshot } of parts) {
    for (const b of snapshot.breakers) {
      let merged = byName.get(b.name);
      if (merged === undefined) byName.set(b.name, (merged = { routes: new Set(), workers: [], transitions: [] }));
      for (const r of b.routes) merged.routes.add(r);
      merged.workers.push({ worker: source, state: b.state, since: b.since });
      for (const t of b.transitions) merged.transitions.push({ ...t, worker: source });
    }
  }
  return [...byName].map(([name, m]) => {
    // The worst state of any worker's breaker, since the latest move into it.
    let worst = m.workers[0] as { state: BreakerState; since: number | null };
    for (const w of m.workers) {
      if (BREAKER_SEVERITY[w.state] > BREAKER_SEVERITY[worst.state] || (w.state === worst.state && (w.since ?? 0) > (worst.since ?? 0))) worst = w;
    }
    return {
      name,
      routes: [...m.routes],
      state: worst.state,
      since: worst.since,
      transitions: m.transitions.sort((a, b) => b.at - a.at).slice(0, keepTransitions),
      workers: m.workers.map((w) => ({ worker: w.worker, state: w.state })),
    };
  });
}
