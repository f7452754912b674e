// The scripted incident the demo app plays on a loop, so a newcomer sees every policy act without
// touching anything: healthy, then one endpoint failing hard (retries, then the breaker opens), then
// recovering (the breaker half-opens and closes), then flaky (retries hide most failures).

import { clearTimeout, setTimeout } from 'node:timers';

/**
 * Durations are for --incident-scale 1. Failing lasts longer than the breaker's first open time plus its
 * doubled one (5s + 8s in demo/sightline-demo.yaml), so a probe is seen failing before one succeeds.
 */
export const INCIDENT_PHASES = Object.freeze([
  {
    name: 'healthy',
    seconds: 20,
    faults: { failRate: 0, latencyMs: 0, target: 'all' },
    story: 'every endpoint answers; Sightline just counts and traces',
  },
  {
    name: 'failing',
    seconds: 15,
    faults: { failRate: 1, latencyMs: 0, target: 'products' },
    story: 'GET /products answers 503 every time: Sightline retries, then the products breaker opens and answers 503 circuit_open at once',
  },
  {
    name: 'recovering',
    seconds: 10,
    faults: { failRate: 0, latencyMs: 150, target: 'products' },
    story: '/products is back, slowly: the breaker half-opens, a probe succeeds, it closes',
  },
  {
    name: 'flaky',
    seconds: 20,
    faults: { failRate: 0.2, latencyMs: 0, target: 'all' },
    story: '20% of requests fail: GETs are retried so clients rarely notice; POST /orders is not retried (not idempotent)',
  },
]);

/**
 * Plays the phases in a loop, `scale` times their length, calling `apply(phase)` at the start of each.
 * start() begins at the first phase (again); stop() halts it.
 */
export function createIncidentScript({ scale = 1, apply }) {
  let timer;
  let current;
  let phaseEndsAt = 0;

  const enter = (index) => {
    const phase = INCIDENT_PHASES[index % INCIDENT_PHASES.length];
    const ms = Math.round(phase.seconds * 1000 * scale);
    current = { ...phase, index: index % INCIDENT_PHASES.length, ms };
    phaseEndsAt = Date.now() + ms;
    apply(current);
    timer = setTimeout(() => enter(index + 1), ms);
    // The script is background scenery: it must never be what keeps the process alive.
    timer.unref();
  };

  return {
    start() {
      clearTimeout(timer);
      enter(0);
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
      current = undefined;
    },
    /** The phase playing now, or undefined when stopped. */
    current: () => (current === undefined ? undefined : { name: current.name, story: current.story, endsInMs: Math.max(0, phaseEndsAt - Date.now()) }),
  };
}
