// One measurement: start a target fresh, take its idle memory, saturate it with wrk while reading its
// CPU time, then (for the latency workload) offer fixed rates with the open-loop generator, and stop it.
// A fresh process per measurement keeps the peak RSS (VmHWM) of one workload from leaking into the next.

import { setTimeout as sleep } from 'node:timers/promises';
import { runOpenLoop, runWrk } from './load.mjs';
import { cpuMicros, peakRssBytes, rssBytes, sumOver, totalCpuMicros } from './proc-stats.mjs';
import { httpStatus } from './processes.mjs';

const MB = 1024 * 1024;

/** CPU µs used by `pids` (and by the app) while `work` runs, divided by the requests it completed. */
async function cpuPerRequest(pids, upstreamPid, work) {
  const [proxy0, app0] = [totalCpuMicros(pids), cpuMicros(upstreamPid)];
  const result = await work();
  const [proxy1, app1] = [totalCpuMicros(pids), cpuMicros(upstreamPid)];
  const per = (micros) => (result.requests > 0 ? micros / result.requests : null);
  return { ...result, cpuUsPerReq: pids.length > 0 ? per(proxy1 - proxy0) : null, upstreamCpuUsPerReq: per(app1 - app0) };
}

export async function measure({ targetName, target, context, workload, options, withLatency }) {
  const started = await target.start(context);
  try {
    const pids = started.pids();
    // A few requests first, so idle memory includes loaded code and an open upstream connection.
    for (let i = 0; i < 20; i++) await httpStatus(`${started.url}/?size=1024`);
    await sleep(200);
    const idleRssMB = pids.length > 0 ? sumOver(pids, rssBytes) / MB : null;

    const load = { url: started.url, workload, connections: options.connections };
    await runWrk(context.tools.wrk, { ...load, durationS: options.warmupS });
    const saturation = await cpuPerRequest(pids, context.upstreamPid, () => runWrk(context.tools.wrk, { ...load, durationS: options.durationS }));
    const peakRssMB = pids.length > 0 ? sumOver(pids, peakRssBytes) / MB : null;

    const latency = withLatency
      ? await runOpenLoop({ url: started.url, workload, rates: options.rates, durationS: options.rateDurationS, warmupS: options.warmupS, connections: options.openLoopConnections })
      : null;
    return { target: targetName, workload: workload.name, ok: true, ...saturation, idleRssMB, peakRssMB, latency };
  } finally {
    await started.stop();
  }
}
