// The primary's own series about its workers (workers > 1 only).

import { Counter, Gauge, type Registry } from 'prom-client';

export interface ClusterMetrics {
  workerRestarted(): void;
  setWorkersListening(count: number): void;
}

export function clusterMetrics(registry: Registry): ClusterMetrics {
  const registers = [registry];
  const restarts = new Counter({ name: 'sightline_worker_restarts_total', help: 'Worker processes forked to replace one that died.', registers });
  const listening = new Gauge({ name: 'sightline_workers_listening', help: 'Worker processes accepting connections on the proxy port.', registers });
  listening.set(0);
  return {
    workerRestarted: () => restarts.inc(),
    setWorkersListening: (count) => listening.set(count),
  };
}
