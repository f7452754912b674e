// The demo's settings: friendly fixed ports by default, each overridable by a flag or an environment
// variable (flags win), so it can run beside something already on 8080 and tests can use free ports (0).

import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OPTIONS = [
  { flag: '--app-port', env: 'DEMO_APP_PORT', key: 'appPort', fallback: 8080, parse: port, help: 'the demo shop app (0: any free port)' },
  { flag: '--proxy-port', env: 'DEMO_PROXY_PORT', key: 'proxyPort', fallback: 15001, parse: port, help: "Sightline's proxy port" },
  { flag: '--admin-port', env: 'DEMO_ADMIN_PORT', key: 'adminPort', fallback: 15000, parse: port, help: "Sightline's admin port (dashboard, /metrics, /debug/traces)" },
  { flag: '--duration', env: 'DEMO_DURATION', key: 'durationSeconds', fallback: 0, parse: number(0, 86_400), help: 'stop by itself after this many seconds (0: run until Ctrl-C)' },
  { flag: '--rate', env: 'DEMO_RATE', key: 'rate', fallback: 25, parse: number(1, 500), help: 'requests per second the traffic generator sends' },
  { flag: '--incident-scale', env: 'DEMO_INCIDENT_SCALE', key: 'incidentScale', fallback: 1, parse: number(0.05, 10), help: "multiplies the incident's phase lengths and the breaker's open time (0.2: five times faster)" },
  { flag: '--status-every', env: 'DEMO_STATUS_EVERY', key: 'statusEverySeconds', fallback: 3, parse: number(0.2, 60), help: 'seconds between two live lines' },
  { flag: '--log-file', env: 'DEMO_LOG_FILE', key: 'logFile', fallback: join(tmpdir(), 'sightline-demo.log'), parse: (v) => v, help: "where Sightline's JSON logs (access log included) go" },
];

function port(text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`"${text}" is not a port (0-65535)`);
  return n;
}

function number(min, max) {
  return (text) => {
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || n < min || n > max) throw new Error(`"${text}" is not a number from ${min} to ${max}`);
    return n;
  };
}

export function usage() {
  const lines = OPTIONS.map((o) => `  ${`${o.flag} ${o.key === 'logFile' ? 'FILE' : 'N'}`.padEnd(22)}${o.help} (default ${o.fallback}; env ${o.env})`);
  return ['Usage: npm run demo -- [options]', '', ...lines, '  --help                this text'].join('\n');
}

/** Options from argv and env; throws an Error whose message says what is wrong. `help: true` when asked. */
export function parseDemoOptions(argv, env) {
  const options = { help: false };
  for (const o of OPTIONS) options[o.key] = env[o.env] === undefined || env[o.env] === '' ? o.fallback : parseAs(o, env[o.env], `env ${o.env}`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      options.help = true;
      continue;
    }
    const [flag, inline] = arg.split(/=(.*)/s);
    const option = OPTIONS.find((o) => o.flag === flag);
    if (option === undefined) throw new Error(`unknown option ${arg}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    options[option.key] = parseAs(option, value, flag);
  }
  return options;
}

function parseAs(option, text, where) {
  try {
    return option.parse(text);
  } catch (error) {
    throw new Error(`${where}: ${error.message}`, { cause: error });
  }
}
