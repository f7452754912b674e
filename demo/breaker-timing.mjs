// --incident-scale shortens the incident; the breaker's open times must shrink with it, or a five-times
// faster incident would be over before the breaker even probes the app. They are read from the demo
// config, so the file stays the one place that says what they are.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 };

/** "5s", "1m30s", "250ms" to milliseconds (the forms the demo config uses). */
export function durationMs(text) {
  let total = 0;
  const rest = String(text).replace(/(\d+(?:\.\d+)?)(ms|s|m)/g, (_, n, unit) => {
    total += Number(n) * UNIT_MS[unit];
    return '';
  });
  if (rest !== '' || total === 0) throw new Error(`cannot read the duration "${text}"`);
  return total;
}

/**
 * `--set` pairs giving the default route's breaker its open times times `scale`; none at scale 1. Routes
 * in the demo config do not set their own, so they all follow.
 */
export function scaledBreakerSettings(configFile, scale) {
  if (scale === 1) return {};
  const breaker = parse(readFileSync(configFile, 'utf8')).defaultRoute.circuitBreaker;
  const settings = {};
  for (const key of ['openFor', 'maxOpenFor']) {
    settings[`defaultRoute.circuitBreaker.${key}`] = `${Math.max(1, Math.round(durationMs(breaker[key]) * scale))}ms`;
  }
  return settings;
}
