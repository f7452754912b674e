// The demo's options: friendly defaults, env overridden by flags, clear errors; and the breaker's open
// times scaled with the incident, read from the demo config.

import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';

interface DemoOptions {
  readonly appPort: number;
  readonly proxyPort: number;
  readonly adminPort: number;
  readonly durationSeconds: number;
  readonly incidentScale: number;
  readonly rate: number;
  readonly help: boolean;
}
const optionsModule: string = new URL('../../demo/demo-options.mjs', import.meta.url).href;
const timingModule: string = new URL('../../demo/breaker-timing.mjs', import.meta.url).href;
const { parseDemoOptions } = (await import(optionsModule)) as { parseDemoOptions(argv: string[], env: Record<string, string>): DemoOptions };
const { scaledBreakerSettings } = (await import(timingModule)) as { scaledBreakerSettings(file: string, scale: number): Record<string, string> };
const DEMO_CONFIG = fileURLToPath(new URL('../../demo/sightline-demo.yaml', import.meta.url));

describe('demo options', () => {
  it('defaults to fixed, friendly ports and runs until stopped', () => {
    expect(parseDemoOptions([], {})).toMatchObject({ appPort: 8080, proxyPort: 15001, adminPort: 15000, durationSeconds: 0, incidentScale: 1, rate: 25, help: false });
  });

  it('takes env, and flags over env, in both --flag value and --flag=value forms', () => {
    const options = parseDemoOptions(['--proxy-port', '0', '--duration=30'], { DEMO_PROXY_PORT: '9001', DEMO_ADMIN_PORT: '9000', DEMO_INCIDENT_SCALE: '0.5' });
    expect(options).toMatchObject({ proxyPort: 0, adminPort: 9000, durationSeconds: 30, incidentScale: 0.5 });
  });

  it('names the option and the problem', () => {
    expect(() => parseDemoOptions(['--proxy-port', '70000'], {})).toThrow('--proxy-port: "70000" is not a port (0-65535)');
    expect(() => parseDemoOptions([], { DEMO_RATE: 'fast' })).toThrow('env DEMO_RATE: "fast" is not a number from 1 to 500');
    expect(() => parseDemoOptions(['--duration'], {})).toThrow('--duration needs a value');
    expect(() => parseDemoOptions(['--proxy', '1'], {})).toThrow('unknown option --proxy');
  });

  it("scales the breaker's open times from the demo config with the incident, and leaves them alone at scale 1", () => {
    expect(scaledBreakerSettings(DEMO_CONFIG, 1)).toEqual({});
    expect(scaledBreakerSettings(DEMO_CONFIG, 0.2)).toEqual({
      'defaultRoute.circuitBreaker.openFor': '1000ms',
      'defaultRoute.circuitBreaker.maxOpenFor': '1600ms',
    });
  });
});
