// Watches the app through a probe and turns single results into a steady verdict, with thresholds
// so one slow answer does not flap readiness. Until the app has been healthy once, it probes quickly,
// so that readiness follows the app's startup closely instead of waiting a whole interval.

import type { AppProbe, ProbeResult } from '../../ports/app-probe.ts';
import type { TimerHandle, Timers } from '../../ports/clock.ts';

export interface AppHealthSettings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

export interface HealthChange {
  readonly healthy: boolean;
  readonly detail: string;
}

/** The fastest startup probing rate: the app is on loopback, so this costs next to nothing. */
const STARTUP_INTERVAL_MS = 200;

export class AppHealth {
  #healthy = false;
  #everHealthy = false;
  #successes = 0;
  #failures = 0;
  #lastDetail = 'not checked yet';
  #timer: TimerHandle | undefined;
  #running = false;
  /** Bumped by stop(): a probe of an earlier run that comes back late schedules nothing. */
  #generation = 0;
  readonly #probe: AppProbe;
  readonly #timers: Timers;
  readonly #settings: AppHealthSettings;
  readonly #onChange: (change: HealthChange) => void;

  constructor(probe: AppProbe, timers: Timers, settings: AppHealthSettings, onChange: (change: HealthChange) => void) {
    this.#probe = probe;
    this.#timers = timers;
    this.#settings = settings;
    this.#onChange = onChange;
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  get detail(): string {
    return this.#lastDetail;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#tick();
  }

  stop(): void {
    this.#running = false;
    this.#generation++;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Feeds one probe result through the thresholds. Public so the rules can be tested without timers. */
  record(result: ProbeResult): void {
    this.#lastDetail = result.detail;
    if (result.ok) {
      this.#failures = 0;
      this.#successes++;
      if (!this.#healthy && this.#successes >= this.#settings.healthyThreshold) this.#set(true, result.detail);
    } else {
      this.#successes = 0;
      this.#failures++;
      if (this.#healthy && this.#failures >= this.#settings.unhealthyThreshold) this.#set(false, result.detail);
    }
  }

  async #tick(): Promise<void> {
    const generation = this.#generation;
    let result: ProbeResult;
    try {
      result = await this.#probe.check(this.#settings.timeoutMs);
    } catch (err) {
      result = { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
    if (!this.#running || generation !== this.#generation) return;
    this.record(result);
    const wait = this.#everHealthy ? this.#settings.intervalMs : Math.min(this.#settings.intervalMs, STARTUP_INTERVAL_MS);
    this.#timer = this.#timers.setTimeout(() => void this.#tick(), wait);
  }

  #set(healthy: boolean, detail: string): void {
    this.#healthy = healthy;
    if (healthy) this.#everHealthy = true;
    this.#onChange({ healthy, detail });
  }
}
