// When to replace a worker process that died. A worker that ran for a while before dying is replaced at
// once (one crash should cost as little capacity as possible); one that keeps dying soon after it starts
// (a bad deploy, a port it cannot bind, a request that kills every process it reaches) is replaced after
// a growing pause, so a crash loop costs a fork every 30s rather than a CPU spinning on forks and logs.

/** A worker that lived this long is taken to have been healthy: its death starts the count afresh. */
export const STABLE_UPTIME_MS = 10_000;
const FIRST_PAUSE_MS = 1000;
const MAX_PAUSE_MS = 30_000;

export class RestartBackoff {
  /** Deaths in a row, each within STABLE_UPTIME_MS of its start. */
  #quickDeaths = 0;

  /** The pause before replacing a worker that died after running `uptimeMs`: 0, then 1s, 2s, 4s, ... 30s. */
  next(uptimeMs: number): number {
    if (uptimeMs >= STABLE_UPTIME_MS) this.#quickDeaths = 0;
    const pause = this.#quickDeaths === 0 ? 0 : Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (this.#quickDeaths - 1));
    this.#quickDeaths++;
    return pause;
  }
}
