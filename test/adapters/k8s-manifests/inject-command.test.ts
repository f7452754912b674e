// The real `sightline inject` binary: files and stdin in, the result on stdout, problems on stderr,
// and the exit code.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSightline } from '../../support/sightline.ts';
import { documents, fixture, fixturePath, injected, podTemplates, sidecarOf, type Data } from './inject-fixtures.ts';

const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('sightline inject FILE', () => {
  it('writes the injected manifests to stdout, with the image of its own version, and nothing to stderr', async () => {
    const { code, stdout, stderr } = await runSightline(['inject', fixturePath('stream.yaml'), '--take-port', '8080']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const template = podTemplates(documents(stdout))[0] as Data;
    expect(sidecarOf(template)).toMatchObject({ list: 'initContainers', container: { image: `ghcr.io/sightline/sightline:${packageVersion}` } });
    expect(stdout).toBe(injected(fixture('stream.yaml'), { takePort: 8080, version: packageVersion, image: `ghcr.io/sightline/sightline:${packageVersion}` }));
  });

  it('reads stdin for -, and warns on stderr while the result still goes to stdout', async () => {
    const { code, stdout, stderr } = await runSightline(['inject', '-', '--classic'], {}, 15_000, fixture('job.yaml'));
    expect(code).toBe(0);
    expect(sidecarOf(podTemplates(documents(stdout))[0] as Data)?.list).toBe('containers');
    expect(stderr).toMatch(/^sightline inject: warning: <stdin>:12:9: document 1 \(Job reindex-search\): spec\.template\.spec\.containers: with --classic the sidecar keeps running/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('writes nothing to stdout and exits 1 when a document cannot be injected', async () => {
    const { code, stdout, stderr } = await runSightline(['inject', fixturePath('bad-containers.yaml')]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`sightline inject: ${fixturePath('bad-containers.yaml')}:22:9: document 2 (Deployment web): spec.template.spec.containers: must be a list\n`);
  });

  it('gives the line of a YAML syntax error', async () => {
    const { code, stdout, stderr } = await runSightline(['inject', '-'], {}, 15_000, fixture('syntax-error.yaml'));
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toMatch(/^sightline inject: <stdin>:12:1: document 1: YAML syntax error: /);
  });

  it('exits 1 with a clear message for a file it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-inject-'));
    const missing = await runSightline(['inject', join(dir, 'nope.yaml')]);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([1, '', `sightline inject: cannot read ${join(dir, 'nope.yaml')}: no such file\n`]);
    const directory = await runSightline(['inject', dir]);
    expect([directory.code, directory.stderr]).toEqual([1, `sightline inject: cannot read ${dir}: is a directory\n`]);
  });

  it('passes documents without pods through, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-inject-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
    const { code, stdout, stderr } = await runSightline(['inject', file]);
    expect([code, stdout]).toEqual([0, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n']);
    expect(stderr).toContain('warning: ');
    expect(stderr).toContain('found no pod template to inject into');
  });
});

describe('sightline inject usage', () => {
  it('exits 2 with the usage for a missing FILE or an unknown option', async () => {
    for (const [args, message] of [[['inject'], 'needs a FILE (or - for stdin)'], [['inject', 'x.yaml', '--sidecar'], 'unknown option "--sidecar"']] as const) {
      const { code, stdout, stderr } = await runSightline(args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(`sightline inject: ${message}\n\nUsage: sightline inject FILE|-`);
    }
  });

  it('prints its usage for --help', async () => {
    const { code, stdout } = await runSightline(['inject', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--take-port PORT');
  });
});
