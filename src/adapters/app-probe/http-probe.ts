// App health by HTTP GET: any 2xx or 3xx within the timeout counts as healthy.

import { request } from 'node:http';
import type { AppProbe, ProbeResult } from '../../ports/app-probe.ts';

export class HttpProbe implements AppProbe {
  readonly #url: URL;

  constructor(origin: string, path: string) {
    this.#url = new URL(path, origin);
  }

  check(timeoutMs: number): Promise<ProbeResult> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (result: ProbeResult) => {
        if (settled) return;
        settled = true;
        req.destroy();
        resolve(result);
      };
      // A fresh connection each time (agent: false): the probe must see what a new client would see.
      const req = request(this.#url, { method: 'GET', agent: false, headers: { 'user-agent': 'sightline-health-check' } }, (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        done({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` });
      });
      req.setTimeout(timeoutMs, () => done({ ok: false, detail: `no answer within ${timeoutMs}ms` }));
      req.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, detail: err.code ?? err.message }));
      req.end();
    });
  }
}
