// `npm run bench`: Sightline and its peers, side by side, measured in the same run.
// For each round, for each workload, for each target: start the target fresh in front of the one
// upstream app, measure it (bench/measure.mjs), stop it. Interleaving rounds spreads slow drifts of the
// machine over all targets alike; the report gives medians across rounds and ratios to Sightline.
// Progress goes to stderr; the Markdown table goes to stdout at the end.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure } from './measure.mjs';
import { describeMachine } from './machine.mjs';
import { LATENCY_WORKLOAD, parseOptions, WORKLOADS } from './options.mjs';
import { freePort, killAll, start, stopAll, waitFor200 } from './processes.mjs';
import { markdownReport } from './report-md.mjs';
import { svgReport } from './report-svg.mjs';
import { summarise } from './summary.mjs';
import { startOtlpSink } from './otlp-sink.mjs';
import { ensureCommands } from './system-tools.mjs';
import { buildBundle } from '../scripts/build.mjs';
import { PROJECT_ROOT, TARGETS } from './targets.mjs';

const log = (text) => process.stderr.write(`${text}\n`);
const RESULTS = join(PROJECT_ROOT, 'bench', 'results');

let tmpDir;
const cleanUp = () => {
  killAll();
  if (tmpDir !== undefined) rmSync(tmpDir, { recursive: true, force: true });
};
// Ctrl-C or a kill of the harness still ends every proxy, app and load generator it started.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`\n${signal}: stopping every process the bench started`);
    cleanUp();
    process.exit(130);
  });
}
process.on('exit', cleanUp);

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    log(error.message);
    process.exit(2);
  }
  if (options.help !== undefined) {
    log(options.help);
    return;
  }

  // wrk is required; nginx and haproxy only for their own targets.
  const needed = [...new Set(['wrk', ...options.targets.flatMap((t) => TARGETS[t].tools)])];
  const found = ensureCommands(needed);
  if (found.wrk.path === undefined) throw new Error(`cannot run without wrk: ${found.wrk.error}`);
  const tools = Object.fromEntries(Object.entries(found).filter(([, f]) => f.path !== undefined).map(([c, f]) => [c, f.path]));
  const skipped = {};
  for (const t of options.targets) {
    const missing = TARGETS[t].tools.find((tool) => tools[tool] === undefined);
    if (missing !== undefined) skipped[t] = found[missing].error;
  }

  // Sightline runs as it ships: the bundle the container image holds, built from the current sources.
  if (options.targets.some((t) => t.startsWith('sightline'))) await buildBundle();

  tmpDir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));
  const machine = await describeMachine(PROJECT_ROOT, found);
  const sink = await startOtlpSink();
  const upstreamPort = await freePort();
  const upstream = start(process.execPath, [join(PROJECT_ROOT, 'bench', 'upstream.mjs'), String(upstreamPort)], { logFile: join(tmpDir, 'upstream.log') });
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  await waitFor200(upstream, `${upstreamUrl}/?size=0`);

  const workloads = WORKLOADS.filter((w) => options.sizes.includes(w.name));
  const measurements = [];
  const began = Date.now();
  for (let round = 1; round <= options.rounds; round++) {
    for (const workload of workloads) {
      for (const targetName of options.targets) {
        if (skipped[targetName] !== undefined) continue;
        const context = { upstreamUrl, upstreamPort, upstreamPid: upstream.pid, sinkUrl: sink.url, tmpDir, tools, logFile: join(tmpDir, `${targetName}.log`) };
        const label = `round ${round}/${options.rounds} ${workload.name.padEnd(9)} ${targetName.padEnd(18)}`;
        try {
          const m = await measure({ targetName, target: TARGETS[targetName], context, workload, options, withLatency: workload.name === LATENCY_WORKLOAD });
          measurements.push({ round, ...m });
          const p99 = m.latency?.map((l) => `${l.rate}/s p99 ${l.p99?.toFixed(2)}ms`).join(', ') ?? '';
          log(`${label} ${Math.round(m.rps)} req/s  ${m.cpuUsPerReq?.toFixed(1) ?? '—'} µs/req  ${p99}`);
        } catch (error) {
          measurements.push({ round, target: targetName, workload: workload.name, ok: false, error: error.message });
          log(`${label} FAILED: ${error.message}`);
        }
      }
    }
  }

  const result = {
    date: new Date().toISOString(),
    elapsedS: Math.round((Date.now() - began) / 1000),
    options,
    machine,
    skipped,
    otlpSink: { exports: sink.exports, bytes: sink.bytes },
    measurements,
  };
  result.summary = summarise(measurements, { targets: options.targets, sizes: workloads.map((w) => w.name), rates: options.rates }, skipped);
  await stopAll();
  await sink.close();

  mkdirSync(RESULTS, { recursive: true });
  const markdown = markdownReport(result);
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'latest.md'), markdown);
  const chartWorkload = options.sizes.includes(LATENCY_WORKLOAD) ? LATENCY_WORKLOAD : workloads[0].name;
  writeFileSync(join(RESULTS, 'latest.svg'), svgReport(result, { workload: chartWorkload }));
  log(`\nwrote bench/results/latest.{json,md,svg} in ${result.elapsedS} s\n`);
  process.stdout.write(markdown);
}

main().catch((error) => {
  log(`bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
}).finally(cleanUp);
