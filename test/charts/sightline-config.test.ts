// The config file the chart mounts is one Sightline accepts: the keys the chart writes itself (from
// _config.tpl, mirrored here for the values given), over the example's sightline.config, go through the
// real `sightline check-config`.

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runSightline } from '../support/sightline.ts';
import { chartYaml, defaultValues, template, withValues, type Values } from './support/chart.ts';
import { tempYaml } from './support/promtool.ts';

interface ChartValues {
  app: { port: number; healthPath: string };
  sightline: { drain: { delaySeconds: number; timeoutSeconds: number }; config: Values };
}

/** What the sightline.config helper writes: the user's config with the chart-owned keys merged over it. */
function renderedConfig(values: Values): Values {
  const { app, sightline } = values as unknown as ChartValues;
  const owned: Values = {
    listen: '0.0.0.0:15001',
    admin: '0.0.0.0:15000',
    upstream: { url: `http://127.0.0.1:${app.port}` },
    health: app.healthPath === '' ? { type: 'tcp' } : { type: 'http', path: app.healthPath },
    drain: { delay: `${sightline.drain.delaySeconds}s`, timeout: `${sightline.drain.timeoutSeconds}s` },
  };
  return withValues(owned, sightline.config);
}

describe('the Sightline config the chart renders', () => {
  it('mirrors the helper (the keys and formats tested here are the ones _config.tpl writes)', () => {
    const helper = template('_config.tpl');
    for (const fragment of ['"listen" "0.0.0.0:15001"', '"admin" "0.0.0.0:15000"', 'printf "http://127.0.0.1:%d"', 'dict "type" "tcp"', 'dict "type" "http" "path" .', 'printf "%ds"']) {
      expect(helper).toContain(fragment);
    }
  });

  const cases: [string, Values][] = [
    ['with the default values', defaultValues()],
    ['with the example values (routes, tracing, a health path)', withValues(chartYaml('examples/values.yaml') as Values)],
    ['with drain disabled and a tuned health check', withValues({ app: { port: 3000 }, sightline: { drain: { delaySeconds: 0, timeoutSeconds: 0 }, config: { health: { interval: '5s', timeout: '2s' } } } })],
  ];
  it.each(cases)('passes sightline check-config %s', async (name, values) => {
    const file = tempYaml(`sightline-${name.replaceAll(/\W+/g, '-')}.yaml`, stringify(renderedConfig(values)));
    const { code, stdout, stderr } = await runSightline(['check-config', file]);
    expect(stderr).toBe('');
    expect(stdout).toContain(': OK');
    expect(code).toBe(0);
  });

  it('would fail on a config mistake (the check above can fail)', async () => {
    const values = withValues({ sightline: { config: { routes: [{ name: 'x', match: { path: '/x' }, retry: { attempts: 'three' } }] } } });
    const { code, stderr } = await runSightline(['check-config', tempYaml('sightline-broken.yaml', stringify(renderedConfig(values)))]);
    expect(code).toBe(1);
    expect(stderr).toContain('retry.attempts');
  });
});
