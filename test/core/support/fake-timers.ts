// A hand-driven Timers port: records what the code under test schedules and runs it only when told.

import type { TimerHandle, Timers } from '../../../src/ports/clock.ts';

export interface ScheduledTimer {
  readonly callback: () => void;
  readonly ms: number;
  cleared: boolean;
  fired: boolean;
}

export class FakeTimers implements Timers {
  /** Every timer ever scheduled, in order. */
  readonly scheduled: ScheduledTimer[] = [];

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: ScheduledTimer = { callback, ms, cleared: false, fired: false };
    this.scheduled.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as ScheduledTimer).cleared = true;
  }

  /** Timers neither fired nor cleared. */
  pending(): ScheduledTimer[] {
    return this.scheduled.filter((t) => !t.cleared && !t.fired);
  }

  /** Fires the only pending timer; fails if there is not exactly one. Returns its delay. */
  fireOnly(): number {
    const pending = this.pending();
    if (pending.length !== 1) throw new Error(`expected exactly one pending timer, found ${pending.length}`);
    const timer = pending[0] as ScheduledTimer;
    timer.fired = true;
    timer.callback();
    return timer.ms;
  }
}

/** Lets every queued promise callback run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
