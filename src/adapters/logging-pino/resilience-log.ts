// Resilience events as log lines: what an operator must see (a breaker changing state) at info and
// warn; each retry and denial at debug, where pino's disabled levels cost a no-op call.

import type { Logger } from '../../ports/logger.ts';
import type { ResilienceEvents } from '../../ports/resilience-events.ts';
import { outcomeName } from '../../core/resilience/outcome.ts';

export function resilienceLog(log: Logger): ResilienceEvents {
  return {
    attemptStarted() {},
    attemptEnded() {},
    retryScheduled(route, attempt, outcome, delayMs) {
      log.debug({ route, attempt, outcome: outcomeName(outcome), delayMs }, 'retry scheduled');
    },
    retryDenied(route, attempt, outcome, reason) {
      log.debug({ route, attempt, outcome: outcomeName(outcome), reason }, 'retry denied');
    },
    breakerTransition(breaker, routes, from, to) {
      const fields = { breaker, routes, from, to };
      if (to === 'open') log.warn(fields, 'circuit breaker opened');
      else log.info(fields, to === 'closed' ? 'circuit breaker closed' : 'circuit breaker half-open');
    },
    requestRejected(route, reason) {
      log.debug({ route, reason }, 'request rejected');
    },
    faultInjected(route, kind) {
      log.debug({ route, kind }, 'fault injected');
    },
  };
}
