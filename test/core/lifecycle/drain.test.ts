import { describe, expect, it } from 'vitest';
import { DrainSequence, type DrainOutcome, type DrainSettings, type DrainTarget } from '../../../src/core/lifecycle/drain.ts';
import { FakeTimers } from '../support/fake-timers.ts';

class FakeTarget implements DrainTarget {
  inFlightCount = 0;
  beginDrainingCalls = 0;
  readonly calls: string[] = [];

  beginDraining(): void {
    this.beginDrainingCalls++;
  }

  stopAccepting(): void {
    this.calls.push('stopAccepting');
  }

  inFlight(): number {
    return this.inFlightCount;
  }

  forceClose(): void {
    this.calls.push('forceClose');
  }
}

function setup(inFlight = 0, settings: DrainSettings = { delayMs: 5000, timeoutMs: 20_000 }) {
  const target = new FakeTarget();
  target.inFlightCount = inFlight;
  const timers = new FakeTimers();
  const outcomes: DrainOutcome[] = [];
  const drain = new DrainSequence(target, timers, settings, (o) => outcomes.push(o));
  return { drain, target, timers, outcomes };
}

describe('DrainSequence: begin', () => {
  it('tells the target once that draining has begun, before any delay passes', () => {
    const { drain, target } = setup(1);
    drain.begin();
    drain.begin();
    expect(target.beginDrainingCalls).toBe(1);
    expect(target.calls).toEqual([]);
  });

  it('is serving and not draining before begin', () => {
    const { drain, timers } = setup();
    expect(drain.phase).toBe('serving');
    expect(drain.draining).toBe(false);
    expect(timers.scheduled).toEqual([]);
  });

  it('returns true the first time and false after', () => {
    const { drain, timers } = setup();
    expect(drain.begin()).toBe(true);
    expect(drain.begin()).toBe(false);
    expect(timers.scheduled).toHaveLength(1);
  });

  it('is draining from begin on, in the delaying phase', () => {
    const { drain } = setup();
    drain.begin();
    expect(drain.draining).toBe(true);
    expect(drain.phase).toBe('delaying');
  });

  it('returns false once done', () => {
    const { drain, timers } = setup();
    drain.begin();
    timers.fireOnly();
    expect(drain.phase).toBe('done');
    expect(drain.begin()).toBe(false);
    expect(drain.draining).toBe(true);
  });
});

describe('DrainSequence: delay', () => {
  it('keeps accepting until the delay has elapsed, then stops accepting', () => {
    const { drain, target, timers } = setup(1, { delayMs: 5000, timeoutMs: 20_000 });
    drain.begin();
    expect(target.calls).toEqual([]);
    expect(timers.pending().map((t) => t.ms)).toEqual([5000]);
    timers.fireOnly();
    expect(target.calls).toEqual(['stopAccepting']);
    expect(drain.phase).toBe('closing');
  });

  it('does not finish on notifyIdle during the delay', () => {
    const { drain, target, outcomes } = setup(0);
    drain.begin();
    drain.notifyIdle();
    expect(outcomes).toEqual([]);
    expect(drain.phase).toBe('delaying');
    expect(target.calls).toEqual([]);
  });

  it('ignores notifyIdle before begin', () => {
    const { drain, outcomes } = setup(0);
    drain.notifyIdle();
    expect(outcomes).toEqual([]);
    expect(drain.phase).toBe('serving');
  });
});

describe('DrainSequence: closing', () => {
  it('finishes drained at once when nothing is in flight at close', () => {
    const { drain, target, timers, outcomes } = setup(0);
    drain.begin();
    timers.fireOnly();
    expect(outcomes).toEqual(['drained']);
    expect(drain.phase).toBe('done');
    expect(target.calls).toEqual(['stopAccepting']);
    expect(timers.pending()).toEqual([]);
  });

  it('waits for in-flight requests, finishing drained when notifyIdle sees none left', () => {
    const { drain, target, timers, outcomes } = setup(2);
    drain.begin();
    timers.fireOnly();
    expect(outcomes).toEqual([]);
    expect(timers.pending().map((t) => t.ms)).toEqual([20_000]);

    target.inFlightCount = 1;
    drain.notifyIdle();
    expect(outcomes).toEqual([]);

    target.inFlightCount = 0;
    drain.notifyIdle();
    expect(outcomes).toEqual(['drained']);
    expect(target.calls).toEqual(['stopAccepting']);
    expect(timers.pending()).toEqual([]);
  });

  it('force-closes and finishes timed_out when requests outlast the timeout', () => {
    const { drain, target, timers, outcomes } = setup(1);
    drain.begin();
    timers.fireOnly();
    timers.fireOnly();
    expect(target.calls).toEqual(['stopAccepting', 'forceClose']);
    expect(outcomes).toEqual(['timed_out']);
    expect(drain.phase).toBe('done');
  });

  it('reports only once when notifyIdle comes after the timeout', () => {
    const { drain, target, timers, outcomes } = setup(1);
    drain.begin();
    timers.fireOnly();
    timers.fireOnly();
    target.inFlightCount = 0;
    drain.notifyIdle();
    expect(outcomes).toEqual(['timed_out']);
  });
});

describe('DrainSequence: expedite', () => {
  it('force-closes and finishes expedited while waiting for in-flight requests', () => {
    const { drain, target, timers, outcomes } = setup(3);
    drain.begin();
    timers.fireOnly();
    drain.expedite();
    expect(target.calls).toEqual(['stopAccepting', 'forceClose']);
    expect(outcomes).toEqual(['expedited']);
    expect(timers.pending()).toEqual([]);
  });

  it('skips the rest of the delay', () => {
    const { drain, target, timers, outcomes } = setup(0);
    drain.begin();
    drain.expedite();
    expect(target.calls).toEqual(['forceClose']);
    expect(outcomes).toEqual(['expedited']);
    expect(drain.phase).toBe('done');
    expect(timers.pending()).toEqual([]);
  });

  it('calls onDone only once, whatever follows', () => {
    const { drain, target, timers, outcomes } = setup(1);
    drain.begin();
    drain.expedite();
    drain.expedite();
    target.inFlightCount = 0;
    drain.notifyIdle();
    expect(outcomes).toEqual(['expedited']);
    expect(target.calls).toEqual(['forceClose']);
    expect(timers.pending()).toEqual([]);
  });

  it('does nothing once drained', () => {
    const { drain, target, timers, outcomes } = setup(0);
    drain.begin();
    timers.fireOnly();
    drain.expedite();
    expect(outcomes).toEqual(['drained']);
    expect(target.calls).toEqual(['stopAccepting']);
  });
});
