// Config reloads as series, named after Prometheus's own (prometheus_config_last_reload_successful): an
// alert on `sightline_config_last_reload_successful == 0` catches a ConfigMap edit that was refused.

import { Counter, Gauge, type Registry } from 'prom-client';

export interface ReloadMetrics {
  reloaded(ok: boolean, nowSeconds: number): void;
}

export function reloadMetrics(registry: Registry): ReloadMetrics {
  const registers = [registry];
  const reloads = new Counter({ name: 'sightline_config_reloads_total', help: 'Config reloads asked for (SIGHUP, POST /reload, a changed file), by result: success or failure (refused, the old config kept).', labelNames: ['result'], registers });
  const lastSuccessful = new Gauge({ name: 'sightline_config_last_reload_successful', help: 'Whether the last config reload was applied: 1 yes (or none yet), 0 refused.', registers });
  const lastSuccess = new Gauge({ name: 'sightline_config_last_reload_success_timestamp_seconds', help: 'When the config in use was loaded (at start, or by the last reload applied), in Unix seconds.', registers });
  reloads.labels('success');
  reloads.labels('failure');
  lastSuccessful.set(1);
  lastSuccess.set(Date.now() / 1000); // created as the config in use is loaded
  return {
    reloaded(ok, nowSeconds) {
      reloads.labels(ok ? 'success' : 'failure').inc();
      lastSuccessful.set(ok ? 1 : 0);
      if (ok) lastSuccess.set(nowSeconds);
    },
  };
}
