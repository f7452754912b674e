// The demo shop app's control surface: GET/POST /control change its faults at runtime, refuse bad
// values without changing anything, pause and resume the incident script, and count what Sightline sent.

import { afterEach, describe, expect, it } from 'vitest';
import { send } from '../support/http-client.ts';

interface Faults {
  readonly failRate: number;
  readonly latencyMs: number;
  readonly target: string;
}
interface ControlState {
  readonly faults: Faults;
  readonly incident: { readonly enabled: boolean; readonly name?: string };
  readonly seen: { readonly requests: number; readonly viaSightline: number; readonly retries: number; readonly injectedFailures: number };
}
interface Phase {
  readonly name: string;
  readonly faults: Faults;
}
interface ShopApp {
  readonly url: string;
  startIncident(): void;
  close(): Promise<void>;
}
interface ShopAppModule {
  startShopApp(options: { port: number; incidentScale?: number; onPhase?: (phase: Phase) => void }): Promise<ShopApp>;
}

// Plain JavaScript like the rest of demo/, loaded by URL (as the build script's tests load theirs).
const moduleUrl: string = new URL('../../demo/shop-app.mjs', import.meta.url).href;
const { startShopApp } = (await import(moduleUrl)) as ShopAppModule;

const apps: ShopApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function shop(options: { incidentScale?: number; onPhase?: (phase: Phase) => void } = {}): Promise<ShopApp> {
  const app = await startShopApp({ port: 0, ...options });
  apps.push(app);
  return app;
}

async function control(app: ShopApp, query = '', method = 'GET'): Promise<{ status: number; state: ControlState }> {
  const reply = await send(`${app.url}/control${query}`, { method });
  return { status: reply.status, state: reply.json<ControlState>() };
}

describe('demo shop app: /control', () => {
  it('starts healthy with the incident script not yet running, and nothing seen', async () => {
    const app = await shop();
    const { status, state } = await control(app);
    expect(status).toBe(200);
    expect(state).toEqual({
      faults: { failRate: 0, latencyMs: 0, target: 'all' },
      incident: { enabled: false },
      seen: { requests: 0, viaSightline: 0, retries: 0, injectedFailures: 0 },
    });
    expect((await send(`${app.url}/products`)).status).toBe(200);
    expect((await send(`${app.url}/products/3`)).json()).toMatchObject({ id: 3, name: 'Rain shell' });
    expect((await send(`${app.url}/products/99`)).status).toBe(404);
    expect((await send(`${app.url}/orders`, { method: 'POST', body: '{"productId":1}' })).status).toBe(201);
  });

  it('fails the targeted endpoint only, adds latency, and keeps /healthz answering', async () => {
    const app = await shop();
    const set = await control(app, '?failRate=1&latencyMs=120&target=products', 'POST');
    expect(set.status).toBe(200);
    expect(set.state.faults).toEqual({ failRate: 1, latencyMs: 120, target: 'products' });

    const started = Date.now();
    const failed = await send(`${app.url}/products`);
    expect(failed.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    expect(failed.json()).toMatchObject({ error: 'unavailable' });
    expect((await send(`${app.url}/products/1`)).status).toBe(200);
    expect((await send(`${app.url}/healthz`)).status).toBe(200);

    // Changes made while the script is paused add up: failRate 0 keeps the latency and the target.
    const healed = await control(app, '?failRate=0', 'POST');
    expect(healed.state.faults).toEqual({ failRate: 0, latencyMs: 120, target: 'products' });
    expect((await send(`${app.url}/products`)).status).toBe(200);
    expect((await control(app)).state.seen.injectedFailures).toBe(1);
  });

  it('refuses bad values and unknown parameters with 400, changing nothing', async () => {
    const app = await shop();
    await control(app, '?failRate=0.5', 'POST');
    for (const query of ['?failRate=2', '?failRate=', '?failRate=abc', '?latencyMs=-1', '?latencyMs=1.5', '?target=checkout', '?incident=maybe', '?failrate=1']) {
      const reply = await send(`${app.url}/control${query}`, { method: 'POST' });
      expect(reply.status, query).toBe(400);
      expect(reply.json<{ message: string }>().message, query).toMatch(/failRate|latencyMs|target|incident/);
    }
    expect((await control(app)).state.faults).toEqual({ failRate: 0.5, latencyMs: 0, target: 'all' });
    expect((await send(`${app.url}/control`, { method: 'PUT' })).status).toBe(405);
  });

  it('counts requests carrying x-sightline-attempt, retries among them, and echoes the attempt', async () => {
    const app = await shop();
    await send(`${app.url}/products`);
    const first = await send(`${app.url}/products`, { headers: { 'x-sightline-attempt': '1' } });
    const retry = await send(`${app.url}/products/2`, { headers: { 'x-sightline-attempt': '2' } });
    expect(first.headers['x-shop-attempt']).toBe('1');
    expect(retry.headers['x-shop-attempt']).toBe('2');
    expect((await control(app)).state.seen).toEqual({ requests: 3, viaSightline: 2, retries: 1, injectedFailures: 0 });
  });

  it('plays the incident in order; faults set by hand pause it from a healthy app, incident=on resumes it', async () => {
    const phases: Phase[] = [];
    // Scale 0.05: healthy 1s, failing 750ms, recovering 500ms, flaky 1s.
    const app = await shop({ incidentScale: 0.05, onPhase: (phase) => phases.push(phase) });
    app.startIncident();
    expect((await control(app)).state.incident).toMatchObject({ enabled: true, name: 'healthy' });

    await until(() => phases.length === 2);
    const failing = await control(app);
    expect(failing.state.incident.name).toBe('failing');
    expect(failing.state.faults).toEqual({ failRate: 1, latencyMs: 0, target: 'products' });
    expect((await send(`${app.url}/products`)).status).toBe(503);

    // Taking control mid-incident starts from healthy: only the latency asked for, not the script's failures.
    const manual = await control(app, '?latencyMs=10', 'POST');
    expect(manual.state.incident.enabled).toBe(false);
    expect(manual.state.faults).toEqual({ failRate: 0, latencyMs: 10, target: 'all' });
    // Longer than what was left of the failing phase: a running script would have moved on by now.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await control(app)).state.faults).toEqual({ failRate: 0, latencyMs: 10, target: 'all' });
    expect(phases.map((p) => p.name)).toEqual(['healthy', 'failing']);

    const resumed = await control(app, '?incident=on', 'POST');
    expect(resumed.state.incident).toMatchObject({ enabled: true, name: 'healthy' });
    expect(resumed.state.faults).toEqual({ failRate: 0, latencyMs: 0, target: 'all' });
    await until(() => phases.length === 7);
    expect(phases.map((p) => p.name)).toEqual(['healthy', 'failing', 'healthy', 'failing', 'recovering', 'flaky', 'healthy']);
    expect(phases[5]?.faults).toEqual({ failRate: 0.2, latencyMs: 0, target: 'all' });

    const off = await control(app, '?incident=off', 'POST');
    expect(off.state.incident.enabled).toBe(false);
    expect(off.state.faults).toEqual({ failRate: 0, latencyMs: 0, target: 'all' });
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition(); ) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
