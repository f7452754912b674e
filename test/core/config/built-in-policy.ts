// The built-in route policy as the documentation states it: the expected value of the config tests.

import type { PolicyConfig } from '../../../src/core/config/policy.ts';

export const BUILT_IN_POLICY: PolicyConfig = {
  timeoutMs: 15_000,
  maxInFlight: 0,
  retry: {
    attempts: 2,
    perTryTimeoutMs: 0,
    retryOn: ['connect-failure', 'reset', 'gateway-error'],
    backoff: { baseMs: 25, maxMs: 250 },
    retryAfterMaxMs: 1000,
    methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
    bufferLimit: 64 * 1024,
    budget: { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 },
    flag: '',
  },
  circuitBreaker: {
    group: '',
    consecutiveFailures: 5,
    failureRate: 0.5,
    minRequests: 20,
    windowMs: 10_000,
    openForMs: 5000,
    maxOpenForMs: 60_000,
    halfOpenRequests: 1,
    failOn: ['connect-failure', 'reset', 'timeout', '5xx'],
  },
  rateLimit: { requestsPerSecond: 0, burst: 0, key: '', maxKeys: 10_000 },
  fault: {
    header: '',
    flag: '',
    delay: { durationMs: [0, 0], ratio: 0 },
    abort: { status: 503, ratio: 0 },
  },
  shadow: { origin: '', ratio: 1, flag: '', timeoutMs: 5000, maxInFlight: 64 },
};
