// Command-line options of `npm run bench` and the workloads (response sizes) it measures.
// Defaults give a full run (3 interleaved rounds, 10 s windows); --quick is a smoke run of about 2 minutes.

import { parseArgs } from 'node:util';

export const ALL_TARGETS = ['direct', 'sightline', 'sightline-2w', 'undici-minimal', 'http-proxy-3', 'fastify-http-proxy', 'nginx', 'haproxy'];

/** GETs of N bytes, plus a 1 MiB upload (POST). `name` is how the reports label the workload. */
export const WORKLOADS = [
  { name: '0B', method: 'GET', bytes: 0 },
  { name: '1KiB', method: 'GET', bytes: 1024 },
  { name: '64KiB', method: 'GET', bytes: 64 * 1024 },
  { name: '1MiB', method: 'GET', bytes: 1024 * 1024 },
  { name: 'POST-1MiB', method: 'POST', bytes: 1024 * 1024 },
];

/** The workload whose latency is measured at fixed rates, and the one the chart shows. */
export const LATENCY_WORKLOAD = '1KiB';

const USAGE = `usage: npm run bench -- [--quick] [--targets a,b,c] [--rounds N] [--duration S]
                       [--sizes 0B,1KiB,64KiB,1MiB,POST-1MiB] [--rates 500,2000,5000]
  --quick       smoke run: 1 round, 3 s windows, sizes 1KiB and POST-1MiB, short latency phases
  --targets     any of ${ALL_TARGETS.join(', ')} (default: all)
  --rounds      interleaved rounds; the report gives medians across them (default 3)
  --duration    seconds of each saturation window (default 10)
  --sizes       workloads to run (default: all)
  --rates       offered rates of the open-loop latency phases, requests/s (default 500,2000,5000)`;

function list(text, allowed, what) {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = items.filter((s) => !allowed.includes(s));
  if (unknown.length > 0) throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${allowed.join(', ')})`);
  return items;
}

function positive(text, what) {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${what} must be a positive number, got "${text}"`);
  return n;
}

/** Parses argv into the run's options; throws with the usage text on a bad flag. */
export function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        targets: { type: 'string' },
        rounds: { type: 'string' },
        duration: { type: 'string' },
        sizes: { type: 'string' },
        rates: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new Error(`${error.message}\n${USAGE}`, { cause: error });
  }
  if (values.help) return { help: USAGE };
  const quick = values.quick;
  const sizeNames = WORKLOADS.map((w) => w.name);
  const options = {
    quick,
    targets: values.targets === undefined ? ALL_TARGETS : list(values.targets, ALL_TARGETS, 'target'),
    rounds: values.rounds === undefined ? (quick ? 1 : 3) : Math.round(positive(values.rounds, 'rounds')),
    durationS: values.duration === undefined ? (quick ? 3 : 10) : positive(values.duration, 'duration'),
    // Warm-up lets V8 optimise the hot path before the measured window; not counted.
    warmupS: quick ? 1 : 2,
    sizes: values.sizes === undefined ? (quick ? ['1KiB', 'POST-1MiB'] : sizeNames) : list(values.sizes, sizeNames, 'size'),
    rates: values.rates === undefined ? [500, 2000, 5000] : values.rates.split(',').map((r) => Math.round(positive(r, 'rates'))),
    // Each fixed-rate phase: long enough for a stable p99; p99.9 needs ≥ 1000 samples to mean anything.
    rateDurationS: quick ? 1.5 : 5,
    connections: 32,
    openLoopConnections: 64,
  };
  return options;
}
