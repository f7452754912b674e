// values.schema.json (JSON Schema draft-07, which Helm checks on install, upgrade, lint and template):
// the chart's own values pass, and common mistakes are refused with the path of the wrong value.

import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { chartFile, chartYaml, defaultValues, withValues, type Values } from './support/chart.ts';

const schema = JSON.parse(chartFile('values.schema.json')) as { $schema: string; properties: Record<string, unknown> };
// strict: an unknown keyword or a misplaced one in the schema is an error, not silently ignored.
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

function errorsFor(values: Values): ErrorObject[] {
  return validate(values) ? [] : (validate.errors ?? []);
}

describe('values.schema.json', () => {
  it('is draft-07 and accepts values.yaml as it is', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(errorsFor(defaultValues())).toEqual([]);
  });

  it('accepts the example values (examples/values.yaml) over the defaults', () => {
    expect(errorsFor(withValues(chartYaml('examples/values.yaml') as Values))).toEqual([]);
  });

  it('accepts what values.yaml documents as valid alternatives', () => {
    const alternatives: Values[] = [
      { sightline: { mode: 'classic' } },
      { app: { preStopSleepSeconds: 0, healthPath: '/healthz', lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } } } },
      { sightline: { resources: { requests: { cpu: '500m', memory: '160Mi' }, limits: { cpu: 1, memory: '320Mi' } } } },
      { sightline: { config: { workers: 'auto', health: { interval: '5s' }, upstream: { connections: 512 } } } },
      { prometheusRule: { enabled: true, sloRules: 'groups: []\n' }, grafanaDashboard: { enabled: true, labels: { grafana_dashboard: '1' } } },
    ];
    for (const override of alternatives) expect(errorsFor(withValues(override)), JSON.stringify(override)).toEqual([]);
  });

  const mistakes: [string, Values, string, string][] = [
    ['an unknown sidecar mode', { sightline: { mode: 'sidecar' } }, '/sightline/mode', 'enum'],
    ['a negative app port', { app: { port: -1 } }, '/app/port', 'minimum'],
    ['an app port Sightline listens on', { app: { port: 15001 } }, '/app/port', 'not'],
    ['a port written as a string', { service: { port: '80' } }, '/service/port', 'type'],
    ['an unknown Service type', { service: { type: 'Ingress' } }, '/service/type', 'enum'],
    ['a fractional replica count', { replicaCount: 1.5 }, '/replicaCount', 'type'],
    ['a drain delay written as a duration', { sightline: { drain: { delaySeconds: '5s' } } }, '/sightline/drain/delaySeconds', 'type'],
    ['a negative preStop sleep', { app: { preStopSleepSeconds: -1 } }, '/app/preStopSleepSeconds', 'minimum'],
    ['a health path without its slash', { app: { healthPath: 'healthz' } }, '/app/healthPath', 'pattern'],
    ['listen set in sightline.config', { sightline: { config: { listen: '0.0.0.0:9000' } } }, '/sightline/config/listen', 'not'],
    ['upstream.url set in sightline.config', { sightline: { config: { upstream: { url: 'http://127.0.0.1:9000' } } } }, '/sightline/config/upstream/url', 'not'],
    ['drain set in sightline.config', { sightline: { config: { drain: { delay: '10s' } } } }, '/sightline/config/drain', 'not'],
    ['a scrape interval without a unit', { serviceMonitor: { interval: '30' } }, '/serviceMonitor/interval', 'pattern'],
    ['an annotation that is not a string', { podAnnotations: { 'example.com/weight': 3 } }, '/podAnnotations/example.com~1weight', 'type'],
    ['an image pull policy that does not exist', { app: { image: { pullPolicy: 'Sometimes' } } }, '/app/image/pullPolicy', 'enum'],
  ];
  it.each(mistakes)('refuses %s', (_name, override, path, keyword) => {
    const errors = errorsFor(withValues(override));
    expect(errors.map((e) => [e.instancePath, e.keyword])).toContainEqual([path, keyword]);
  });

  const unknownKeys: [string, Values, string, string][] = [
    ['an unknown top-level key', { replicas: 3 }, '', 'replicas'],
    ['a misspelt app key', { app: { healthpath: '/healthz' } }, '/app', 'healthpath'],
    ['a misspelt drain key', { sightline: { drain: { delay: 5 } } }, '/sightline/drain', 'delay'],
    ['a misspelt monitor key', { serviceMonitor: { enable: true } }, '/serviceMonitor', 'enable'],
  ];
  it.each(unknownKeys)('refuses %s, naming it', (_name, override, path, key) => {
    const errors = errorsFor(withValues(override));
    expect(errors).toContainEqual(expect.objectContaining({ instancePath: path, keyword: 'additionalProperties', params: { additionalProperty: key } }));
  });

  it('has a documented default in values.yaml for every setting it knows', () => {
    const values = defaultValues();
    const missing = Object.keys(schema.properties).filter((key) => key !== 'global' && !(key in values));
    expect(missing).toEqual([]);
  });
});
