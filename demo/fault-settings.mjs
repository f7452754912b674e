// What the demo app is told to do wrong: how often to fail, how much latency to add, and on which
// endpoint. Changed at runtime by POST /control and by the incident script, so both share these rules.

/** The shop's endpoints, by the name Sightline's demo config gives their routes. */
export const ENDPOINTS = ['products', 'product', 'orders', 'slow'];

/** `all` aims the faults at every endpoint above. */
export const TARGETS = ['all', ...ENDPOINTS];

export const HEALTHY = Object.freeze({ failRate: 0, latencyMs: 0, target: 'all' });

/** The longest latency that can be added: long enough to trip any timeout, short enough not to hang a demo. */
const MAX_LATENCY_MS = 30_000;

/**
 * Reads `failRate`, `latencyMs` and `target` from a query string onto `base`. Returns the new settings,
 * or `{ error }` naming the first bad parameter (nothing is changed then).
 */
export function applyFaultParams(base, params) {
  const next = { ...base };
  if (params.has('failRate')) {
    const rate = Number(params.get('failRate'));
    if (params.get('failRate') === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) return { error: 'failRate must be a number from 0 to 1 (e.g. 0.2 for 20%)' };
    next.failRate = rate;
  }
  if (params.has('latencyMs')) {
    const ms = Number(params.get('latencyMs'));
    if (params.get('latencyMs') === '' || !Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) return { error: `latencyMs must be a whole number from 0 to ${MAX_LATENCY_MS}` };
    next.latencyMs = ms;
  }
  if (params.has('target')) {
    const target = params.get('target');
    if (!TARGETS.includes(target)) return { error: `target must be one of ${TARGETS.join(', ')}` };
    next.target = target;
  }
  return { settings: Object.freeze(next) };
}

/** Whether the settings' faults apply to a request for `endpoint`. */
export function aimsAt(settings, endpoint) {
  return settings.target === 'all' || settings.target === endpoint;
}
