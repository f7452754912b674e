import { describe, expect, it } from 'vitest';
import { readiness, type ReadinessInputs } from '../../../src/core/lifecycle/readiness.ts';

const READY: ReadinessInputs = { listening: true, draining: false, appHealthy: true, appDetail: 'connected' };

describe('readiness', () => {
  it('is ready when listening, not draining and the app is healthy', () => {
    expect(readiness(READY)).toEqual({ ready: true });
  });

  it('is app_unhealthy with the probe detail when the app is unhealthy', () => {
    expect(readiness({ ...READY, appHealthy: false, appDetail: 'ECONNREFUSED' })).toEqual({ ready: false, reason: 'app_unhealthy', detail: 'ECONNREFUSED' });
  });

  it('is starting while the listener is not up, before looking at the app', () => {
    expect(readiness({ ...READY, listening: false })).toEqual({ ready: false, reason: 'starting', detail: 'proxy listener not up yet' });
    expect(readiness({ ...READY, listening: false, appHealthy: false })).toMatchObject({ ready: false, reason: 'starting' });
  });

  it('says how far the start has got when told (workers listening)', () => {
    expect(readiness({ ...READY, listening: false, startingDetail: '1 of 2 workers listening' })).toEqual({ ready: false, reason: 'starting', detail: '1 of 2 workers listening' });
  });

  it('is draining whatever else holds', () => {
    const draining = { ready: false, reason: 'draining', detail: 'shutting down: finishing in-flight requests' };
    expect(readiness({ ...READY, draining: true })).toEqual(draining);
    expect(readiness({ ...READY, draining: true, listening: false })).toEqual(draining);
    expect(readiness({ ...READY, draining: true, appHealthy: false })).toEqual(draining);
    expect(readiness({ listening: false, draining: true, appHealthy: false, appDetail: 'x' })).toEqual(draining);
  });
});
