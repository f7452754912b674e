import { describe, expect, it } from 'vitest';
import { AppHealth, type AppHealthSettings, type HealthChange } from '../../../src/core/health/app-health.ts';
import type { AppProbe, ProbeResult } from '../../../src/ports/app-probe.ts';
import { FakeTimers, settle } from '../support/fake-timers.ts';

const OK: ProbeResult = { ok: true, detail: 'connected' };
const DOWN: ProbeResult = { ok: false, detail: 'ECONNREFUSED' };

/** Answers each check with the next scripted result (a thrown value when it is an Error); then keeps answering the last. */
class ScriptedProbe implements AppProbe {
  readonly timeouts: number[] = [];
  readonly #script: (ProbeResult | Error)[];
  constructor(...script: (ProbeResult | Error)[]) {
    this.#script = script;
  }

  get calls(): number {
    return this.timeouts.length;
  }

  check(timeoutMs: number): Promise<ProbeResult> {
    this.timeouts.push(timeoutMs);
    const next = this.#script.length > 1 ? this.#script.shift() : this.#script[0];
    if (next === undefined) throw new Error('empty script');
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
}

/** A probe whose single check stays open until the test resolves it. */
class PendingProbe implements AppProbe {
  calls = 0;
  resolve: (result: ProbeResult) => void = () => {
    throw new Error('no check in flight');
  };

  check(): Promise<ProbeResult> {
    this.calls++;
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }
}

function settings(overrides: Partial<AppHealthSettings> = {}): AppHealthSettings {
  return { intervalMs: 2000, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 3, ...overrides };
}

function setup(overrides: Partial<AppHealthSettings> = {}, probe: AppProbe = new ScriptedProbe(OK)) {
  const timers = new FakeTimers();
  const changes: HealthChange[] = [];
  const health = new AppHealth(probe, timers, settings(overrides), (c) => changes.push(c));
  return { health, timers, changes };
}

describe('AppHealth thresholds (record)', () => {
  it('starts unhealthy, with nothing checked yet', () => {
    const { health, changes } = setup();
    expect(health.healthy).toBe(false);
    expect(health.detail).toBe('not checked yet');
    expect(changes).toEqual([]);
  });

  it('becomes healthy after healthyThreshold consecutive successes', () => {
    const { health, changes } = setup({ healthyThreshold: 3 });
    health.record(OK);
    health.record(OK);
    expect(health.healthy).toBe(false);
    expect(changes).toEqual([]);
    health.record({ ok: true, detail: 'HTTP 200' });
    expect(health.healthy).toBe(true);
    expect(changes).toEqual([{ healthy: true, detail: 'HTTP 200' }]);
  });

  it('becomes healthy on the first success with the default threshold of 1', () => {
    const { health, changes } = setup();
    health.record(OK);
    expect(health.healthy).toBe(true);
    expect(changes).toEqual([{ healthy: true, detail: 'connected' }]);
  });

  it('needs the successes to be consecutive', () => {
    const { health } = setup({ healthyThreshold: 2 });
    health.record(OK);
    health.record(DOWN);
    health.record(OK);
    expect(health.healthy).toBe(false);
    health.record(OK);
    expect(health.healthy).toBe(true);
  });

  it('becomes unhealthy only after unhealthyThreshold consecutive failures', () => {
    const { health, changes } = setup({ unhealthyThreshold: 3 });
    health.record(OK);
    health.record(DOWN);
    health.record(DOWN);
    expect(health.healthy).toBe(true);
    health.record({ ok: false, detail: 'timed out after 1s' });
    expect(health.healthy).toBe(false);
    expect(changes).toEqual([
      { healthy: true, detail: 'connected' },
      { healthy: false, detail: 'timed out after 1s' },
    ]);
  });

  it('resets the failure count on an interleaved success', () => {
    const { health } = setup({ unhealthyThreshold: 2 });
    health.record(OK);
    health.record(DOWN);
    health.record(OK);
    health.record(DOWN);
    expect(health.healthy).toBe(true);
    health.record(DOWN);
    expect(health.healthy).toBe(false);
  });

  it('calls onChange once per transition, not for every result', () => {
    const { health, changes } = setup({ healthyThreshold: 1, unhealthyThreshold: 1 });
    for (const r of [DOWN, DOWN, OK, OK, OK, DOWN, DOWN, OK]) health.record(r);
    expect(changes.map((c) => c.healthy)).toEqual([true, false, true]);
  });

  it('does not report failures while already unhealthy', () => {
    const { health, changes } = setup({ unhealthyThreshold: 1 });
    health.record(DOWN);
    health.record(DOWN);
    expect(changes).toEqual([]);
  });

  it('needs healthyThreshold successes again to recover', () => {
    const { health } = setup({ healthyThreshold: 2, unhealthyThreshold: 1 });
    health.record(OK);
    health.record(OK);
    health.record(DOWN);
    expect(health.healthy).toBe(false);
    health.record(OK);
    expect(health.healthy).toBe(false);
    health.record(OK);
    expect(health.healthy).toBe(true);
  });

  it('keeps the detail of the latest result', () => {
    const { health } = setup({ unhealthyThreshold: 3 });
    health.record(OK);
    health.record({ ok: false, detail: 'HTTP 503' });
    expect(health.healthy).toBe(true);
    expect(health.detail).toBe('HTTP 503');
  });
});

describe('AppHealth scheduling (start)', () => {
  it('probes at once on start, with the configured timeout', async () => {
    const probe = new ScriptedProbe(OK);
    const { health } = setup({ timeoutMs: 750 }, probe);
    health.start();
    await settle();
    expect(probe.timeouts).toEqual([750]);
    expect(health.healthy).toBe(true);
  });

  it('probes every min(interval, 200ms) until the app is first healthy, then every interval', async () => {
    const probe = new ScriptedProbe(DOWN, DOWN, OK, OK);
    const { health, timers } = setup({ intervalMs: 2000 }, probe);
    health.start();
    await settle();
    expect(timers.pending().map((t) => t.ms)).toEqual([200]);
    timers.fireOnly();
    await settle();
    expect(timers.pending().map((t) => t.ms)).toEqual([200]);
    timers.fireOnly();
    await settle();
    expect(health.healthy).toBe(true);
    expect(timers.pending().map((t) => t.ms)).toEqual([2000]);
    timers.fireOnly();
    await settle();
    expect(probe.calls).toBe(4);
    expect(timers.pending().map((t) => t.ms)).toEqual([2000]);
  });

  it('uses the interval during startup when it is shorter than 200ms', async () => {
    const { health, timers } = setup({ intervalMs: 50 }, new ScriptedProbe(DOWN));
    health.start();
    await settle();
    expect(timers.pending().map((t) => t.ms)).toEqual([50]);
  });

  it('keeps the full interval after the app, once healthy, turns unhealthy', async () => {
    const { health, timers } = setup({ intervalMs: 2000, unhealthyThreshold: 1 }, new ScriptedProbe(OK, DOWN));
    health.start();
    await settle();
    timers.fireOnly();
    await settle();
    expect(health.healthy).toBe(false);
    expect(timers.pending().map((t) => t.ms)).toEqual([2000]);
  });

  it('counts a probe that throws as a failure, with the error message as detail', async () => {
    const { health, timers, changes } = setup({ unhealthyThreshold: 1 }, new ScriptedProbe(OK, new Error('socket hang up')));
    health.start();
    await settle();
    expect(health.healthy).toBe(true);
    timers.fireOnly();
    await settle();
    expect(health.healthy).toBe(false);
    expect(health.detail).toBe('socket hang up');
    expect(changes.at(-1)).toEqual({ healthy: false, detail: 'socket hang up' });
    expect(timers.pending()).toHaveLength(1);
  });

  it('does not start a second probe loop when started twice', async () => {
    const probe = new ScriptedProbe(DOWN);
    const { health, timers } = setup({}, probe);
    health.start();
    health.start();
    await settle();
    expect(probe.calls).toBe(1);
    expect(timers.pending()).toHaveLength(1);
  });

  it('stop() clears the pending timer', async () => {
    const probe = new ScriptedProbe(DOWN);
    const { health, timers } = setup({}, probe);
    health.start();
    await settle();
    const [timer] = timers.pending();
    health.stop();
    expect(timer?.cleared).toBe(true);
    expect(timers.pending()).toEqual([]);
    expect(probe.calls).toBe(1);
  });

  it('stop() during a probe discards its result and schedules nothing', async () => {
    const probe = new PendingProbe();
    const { health, timers, changes } = setup({}, probe);
    health.start();
    await settle();
    health.stop();
    probe.resolve(OK);
    await settle();
    expect(health.healthy).toBe(false);
    expect(changes).toEqual([]);
    expect(timers.scheduled).toEqual([]);
    expect(probe.calls).toBe(1);
  });
});

describe('AppHealth restart', () => {
  it('runs a single probe loop after stop() and start() while a probe is in flight', async () => {
    const probe = new PendingProbe();
    const { health, timers } = setup({}, probe);
    health.start();
    const late = probe.resolve;
    health.stop();
    health.start();
    expect(probe.calls).toBe(2);
    late(OK); // the first run's probe comes back after the restart
    await settle();
    probe.resolve(OK);
    await settle();
    expect(timers.pending()).toHaveLength(1);
  });
});
