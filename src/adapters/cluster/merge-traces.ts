// /debug/traces with workers: each worker keeps its own recent traces; the primary shows them as one
// list, as a single process would: newest first, at most tracing.keepTraces.

/** What the merge needs of a trace: when it started (ISO 8601, UTC, as every worker writes it). */
export interface Dated {
  readonly startTime: string;
}

export function mergeRecentTraces<T extends Dated>(perWorker: readonly (readonly T[])[], keep: number): T[] {
  const all = perWorker.flat();
  // ISO timestamps in one format sort as text; newest first. Array.prototype.sort is stable.
  all.sort((a, b) => (a.startTime < b.startTime ? 1 : a.startTime > b.startTime ? -1 : 0));
  return all.slice(0, keep);
}
