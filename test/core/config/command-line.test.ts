import { describe, expect, it } from 'vitest';
import { environmentLayer, parseCommandLine, USAGE, type Command } from '../../../src/core/config/command-line.ts';
import type { RawLayer } from '../../../src/core/config/layers.ts';

/** The flags layer of a `run` command, failing the test for any other kind. */
function runFlags(args: readonly string[]): { configFile: string | undefined; flags: RawLayer } {
  const command = parseCommandLine(args);
  if (command.kind !== 'run') throw new Error(`expected a run command, got ${JSON.stringify(command)}`);
  return { configFile: command.configFile, flags: command.flags };
}

function origins(layer: RawLayer): Record<string, string> {
  return Object.fromEntries(layer.origins);
}

describe('parseCommandLine: run', () => {
  it.each([[[]], [['run']]])('treats %j as run with no config file and no flags', (args) => {
    const { configFile, flags } = runFlags(args);
    expect(configFile).toBeUndefined();
    expect(flags.values).toEqual({});
    expect(flags.origins.size).toBe(0);
  });

  it.each([
    [['--config', 'f.yaml']],
    [['--config=f.yaml']],
    [['run', '--config', 'f.yaml']],
  ])('reads the config file from %j', (args) => {
    const { configFile, flags } = runFlags(args);
    expect(configFile).toBe('f.yaml');
    expect(flags.values).toEqual({});
  });

  it('keeps an = inside the --config=FILE value', () => {
    expect(runFlags(['--config=dir/a=b.yaml']).configFile).toBe('dir/a=b.yaml');
  });

  it('lets the last --config win', () => {
    expect(runFlags(['--config', 'a.yaml', '--config', 'b.yaml']).configFile).toBe('b.yaml');
  });

  it.each([
    ['--upstream', 'upstream.url', 'http://127.0.0.1:3000', { upstream: { url: 'http://127.0.0.1:3000' } }],
    ['--listen', 'listen', ':9001', { listen: ':9001' }],
    ['--admin', 'admin', ':9000', { admin: ':9000' }],
  ])('puts %s at %s with its flag as origin', (flag, key, value, values) => {
    for (const args of [[flag, value], [`${flag}=${value}`]]) {
      const { flags } = runFlags(args);
      expect(flags.values).toEqual(values);
      expect(origins(flags)).toEqual({ [key]: `flag ${flag}` });
    }
  });

  it('sets any key with --set KEY=VALUE, keeping = in the value', () => {
    const { flags } = runFlags(['--set', 'drain.delay=3s', '--set=health.path=/ready?x=1', '--set', 'log.level=']);
    expect(flags.values).toEqual({ drain: { delay: '3s' }, health: { path: '/ready?x=1' }, log: { level: '' } });
    expect(origins(flags)).toEqual({
      drain: 'flag --set drain.delay',
      'drain.delay': 'flag --set drain.delay',
      health: 'flag --set health.path',
      'health.path': 'flag --set health.path',
      log: 'flag --set log.level',
      'log.level': 'flag --set log.level',
    });
  });

  it('combines flags into one layer, a later flag for the same key winning', () => {
    const { configFile, flags } = runFlags([
      'run', '--config', 'c.yaml', '--upstream', 'http://a:1', '--set', 'upstream.timeout=5s', '--listen', ':1', '--listen', ':2',
    ]);
    expect(configFile).toBe('c.yaml');
    expect(flags.values).toEqual({ upstream: { url: 'http://a:1', timeout: '5s' }, listen: ':2' });
    expect(origins(flags)).toEqual({
      upstream: 'flag --set upstream.timeout',
      'upstream.url': 'flag --upstream',
      'upstream.timeout': 'flag --set upstream.timeout',
      listen: 'flag --listen',
    });
  });
});

describe('parseCommandLine: other commands', () => {
  it.each([[['--version']], [['-v']], [['version']], [['run', '--version']], [['--listen', ':1', '--version']]])('%j asks for the version', (args) => {
    expect(parseCommandLine(args)).toEqual({ kind: 'version' });
  });

  it.each([[['--help']], [['-h']], [['help']], [['run', '-h']], [['--config', 'f', '--help']]])('%j asks for help', (args) => {
    expect(parseCommandLine(args)).toEqual({ kind: 'help' });
  });

  it('reads check-config FILE', () => {
    expect(parseCommandLine(['check-config', 'config/sightline.yaml'])).toEqual({ kind: 'check-config', configFile: 'config/sightline.yaml' });
  });
});

describe('parseCommandLine: usage errors', () => {
  it.each<[string[], string]>([
    [['--bogus'], 'unknown argument "--bogus"'],
    [['--bogus=1'], 'unknown argument "--bogus=1"'],
    [['serve'], 'unknown argument "serve"'],
    [['run', 'extra'], 'unknown argument "extra"'],
    [['--config'], '--config needs a value'],
    [['--listen', ':1', '--upstream'], '--upstream needs a value'],
    [['--set'], '--set needs a value'],
    [['--set', 'drain.delay'], '--set needs KEY=VALUE, got "drain.delay"'],
    [['--set', '=3s'], '--set needs KEY=VALUE, got "=3s"'],
    [['check-config'], 'check-config takes exactly one FILE'],
    [['check-config', 'a.yaml', 'b.yaml'], 'check-config takes exactly one FILE'],
    [['check-config', '--config'], 'check-config takes exactly one FILE'],
  ])('%j → %s', (args, message) => {
    expect(parseCommandLine(args)).toEqual<Command>({ kind: 'usage-error', message });
  });
});

describe('USAGE', () => {
  it('mentions every flag the parser accepts', () => {
    for (const flag of ['--config', '--upstream', '--listen', '--admin', '--set', '--version', '--help', 'check-config']) {
      expect(USAGE).toContain(flag);
    }
  });
});

describe('environmentLayer', () => {
  it('maps SIGHTLINE_UPSTREAM, SIGHTLINE_LISTEN and SIGHTLINE_ADMIN to their keys with env origins', () => {
    const layer = environmentLayer({
      SIGHTLINE_UPSTREAM: 'http://127.0.0.1:3000',
      SIGHTLINE_LISTEN: ':9001',
      SIGHTLINE_ADMIN: ':9000',
    });
    expect(layer.values).toEqual({ upstream: { url: 'http://127.0.0.1:3000' }, listen: ':9001', admin: ':9000' });
    expect(origins(layer)).toEqual({
      'upstream.url': 'env SIGHTLINE_UPSTREAM',
      listen: 'env SIGHTLINE_LISTEN',
      admin: 'env SIGHTLINE_ADMIN',
    });
  });

  it('ignores empty and unset variables', () => {
    const layer = environmentLayer({ SIGHTLINE_UPSTREAM: '', SIGHTLINE_LISTEN: undefined, SIGHTLINE_ADMIN: ':9000' });
    expect(layer.values).toEqual({ admin: ':9000' });
    expect(origins(layer)).toEqual({ admin: 'env SIGHTLINE_ADMIN' });
  });

  it('ignores unrelated variables, SIGHTLINE_CONFIG included', () => {
    const layer = environmentLayer({ PATH: '/bin', HOME: '/root', SIGHTLINE_CONFIG: 'x.yaml', SIGHTLINE_DRAIN_DELAY: '3s', sightline_listen: ':1' });
    expect(layer.values).toEqual({});
    expect(layer.origins.size).toBe(0);
  });

  it('maps the standard OTEL_* variables: the general endpoint gets /v1/traces, the traces endpoint wins as is', () => {
    const general = environmentLayer({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_SERVICE_NAME: 'shop', OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=web-1' });
    expect(general.values).toEqual({ tracing: { endpoint: 'http://collector:4318/v1/traces', serviceName: 'shop', resourceAttributes: 'k8s.pod.name=web-1' } });
    expect(origins(general)).toMatchObject({ 'tracing.endpoint': 'env OTEL_EXPORTER_OTLP_ENDPOINT', 'tracing.resourceAttributes': 'env OTEL_RESOURCE_ATTRIBUTES' });
    const both = environmentLayer({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' });
    expect(both.values).toEqual({ tracing: { endpoint: 'http://b:4318/custom' } });
    expect(origins(both)).toEqual({ 'tracing.endpoint': 'env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' });
  });

  it('turns tracing off only for OTEL_SDK_DISABLED=true, and reads OTEL_BSP_* milliseconds as durations', () => {
    expect(environmentLayer({ OTEL_SDK_DISABLED: 'TRUE' }).values).toEqual({ tracing: { enabled: 'false' } });
    expect(environmentLayer({ OTEL_SDK_DISABLED: 'false' }).values).toEqual({});
    expect(environmentLayer({ OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_MAX_QUEUE_SIZE: '100' }).values).toEqual({ tracing: { exportDelay: '200ms', queueSize: '100' } });
  });
});
