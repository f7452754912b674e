// `workers`: a positive whole number or `auto`, from any layer, with errors that name the key and where it was written.

import { describe, expect, it } from 'vitest';
import { environmentLayer, parseCommandLine } from '../../../src/core/config/command-line.ts';
import { mergeLayers, type RawTree } from '../../../src/core/config/layers.ts';
import { readConfig, resolveWorkerCount } from '../../../src/core/config/model.ts';

function read(values: RawTree, origins: Record<string, string> = {}) {
  return readConfig(mergeLayers([{ values, origins: new Map(Object.entries(origins)) }]));
}

describe('workers', () => {
  it('is 1 by default', () => {
    expect(read({}).config.workers).toBe(1);
  });

  it('takes a whole number, from YAML (a number) or a flag or env (text)', () => {
    expect(read({ workers: 4 }).config.workers).toBe(4);
    expect(read({ workers: '2' }).config.workers).toBe(2);
    expect(read({ workers: ' 3 ' }).config.workers).toBe(3);
  });

  it('takes auto, resolved to the CPUs available, at least one', () => {
    const { config, issues } = read({ workers: 'auto' });
    expect(issues).toEqual([]);
    expect(config.workers).toBe('auto');
    expect(resolveWorkerCount('auto', 8)).toBe(8);
    expect(resolveWorkerCount('auto', 0)).toBe(1);
    expect(resolveWorkerCount(3, 8)).toBe(3);
  });

  it.each([
    [0, 'must be at least 1 (or auto: one per CPU)'],
    [-1, 'must be at least 1 (or auto: one per CPU)'],
    ['0', 'must be at least 1 (or auto: one per CPU)'],
    ['many', '"many" is not a whole number or auto'],
    [1.5, '"1.5" is not a whole number or auto'],
    ['AUTO', '"AUTO" is not a whole number or auto'],
    [257, 'must be at most 256'],
  ])('refuses %j, naming the key', (value, message) => {
    const { config, issues } = read({ workers: value }, { workers: 'sightline.yaml:1:1' });
    expect(issues).toEqual([{ path: 'workers', message, origin: 'sightline.yaml:1:1' }]);
    expect(config.workers).toBe(1);
  });

  it('comes from --workers, --set workers=... and SIGHTLINE_WORKERS, flags first', () => {
    const flag = parseCommandLine(['run', '--workers', '3']);
    const set = parseCommandLine(['run', '--set', 'workers=auto']);
    if (flag.kind !== 'run' || set.kind !== 'run') throw new Error('not a run command');
    const env = environmentLayer({ SIGHTLINE_WORKERS: '2' });
    expect(readConfig(mergeLayers([env, flag.flags])).config.workers).toBe(3);
    expect(readConfig(mergeLayers([env, set.flags])).config.workers).toBe('auto');
    expect(readConfig(env).config.workers).toBe(2);
    const bad = readConfig(mergeLayers([environmentLayer({ SIGHTLINE_WORKERS: 'many' })]));
    expect(bad.issues).toEqual([{ path: 'workers', message: '"many" is not a whole number or auto', origin: 'env SIGHTLINE_WORKERS' }]);
  });
});
