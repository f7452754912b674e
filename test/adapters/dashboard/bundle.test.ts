// The one-file bundle (scripts/build.mjs) serves the same dashboard as the sources: its page, script
// and style are string modules built in, not files read at run time.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_HTML } from '../../../src/adapters/dashboard/dashboard-page.ts';
import { DASHBOARD_SCRIPT } from '../../../src/adapters/dashboard/dashboard-script.ts';
import { DASHBOARD_STYLE } from '../../../src/adapters/dashboard/dashboard-style.ts';
import { startApp, type TestApp } from '../../support/apps.ts';
import { send } from '../../support/http-client.ts';
import { startSightline } from '../../support/sightline.ts';

let app: TestApp;
let dir: string;
let bundle: string;

beforeAll(async () => {
  app = await startApp();
  dir = mkdtempSync(join(tmpdir(), 'sightline-dashboard-bundle-'));
  const buildScript: string = new URL('../../../scripts/build.mjs', import.meta.url).href;
  const { buildBundle } = (await import(buildScript)) as { buildBundle: (outfile: string) => Promise<string> };
  bundle = await buildBundle(join(dir, 'sightline.mjs'));
}, 60_000);

afterAll(async () => {
  await app?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard in the bundle', () => {
  it('serves the page, its script and its style, byte for byte as the sources, and its stats', async () => {
    const sightline = await startSightline({ upstream: app.url, bin: bundle });
    try {
      expect((await send(`${sightline.adminUrl}/`)).text()).toBe(DASHBOARD_HTML);
      expect((await send(`${sightline.adminUrl}/dashboard.js`)).text()).toBe(DASHBOARD_SCRIPT);
      expect((await send(`${sightline.adminUrl}/dashboard.css`)).text()).toBe(DASHBOARD_STYLE);
      expect((await send(`${sightline.proxyUrl}/hello`)).status).toBe(200);
      const stats = (await send(`${sightline.adminUrl}/debug/stats`)).json<{ routes: { name: string; totals: { requests: number } }[] }>();
      expect(stats.routes).toEqual([expect.objectContaining({ name: 'default', totals: expect.objectContaining({ requests: 1 }) })]);
    } finally {
      await sightline.stop();
    }
  });
});
