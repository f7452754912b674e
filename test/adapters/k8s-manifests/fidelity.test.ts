// The output is the input with lines added: comments, quoting, key order, blank lines, markers and
// untouched documents keep their bytes, and injecting twice gives what injecting once gives.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { InjectOptions } from '../../../src/adapters/k8s-manifests/inject-options.ts';
import { ALL_FIXTURES, documentTexts, documents, fixture, injectOk, injected, linesNotKept, podTemplates, sidecarOf, type Data } from './inject-fixtures.ts';

const VARIANTS: readonly [string, Partial<InjectOptions>][] = [
  ['native', {}],
  ['classic', { native: false }],
  ['native, --upstream-port 8080', { upstreamPort: 8080 }],
];

describe('every input line is kept, in order', () => {
  for (const file of ALL_FIXTURES) {
    it.each(VARIANTS)(`${file} (%s)`, (_name, options) => {
      const input = fixture(file);
      const output = injected(input, options);
      expect(linesNotKept(input, output)).toEqual([]);
      expect(output === input).toBe(file === 'already-injected.yaml');
    });
  }

  it('except the targetPort lines --take-port changes deliberately', () => {
    expect(linesNotKept(fixture('stream.yaml'), injected(fixture('stream.yaml'), { takePort: 8080 }))).toEqual(['      targetPort: 8080']);
    expect(linesNotKept(fixture('list.yaml'), injected(fixture('list.yaml'), { takePort: 'web' }))).toEqual(['      targetPort: web']);
    expect(linesNotKept(fixture('statefulset.yaml'), injected(fixture('statefulset.yaml'), { takePort: 8080 }))).toEqual([]);
  });
});

describe('untouched documents', () => {
  it('are written exactly as their source text, markers and comments included', () => {
    const input = fixture('stream.yaml');
    const output = injected(input);
    const [before, after] = [documentTexts(input), documentTexts(output)];
    expect(after).toHaveLength(4);
    for (const i of [0, 2, 3]) expect(after[i]).toBe(before[i]);
    expect(after[1]).not.toBe(before[1]);
    expect(output.startsWith('# Checkout service: configuration, workload and Service in one file.\n---\n')).toBe(true);
    expect(output).toContain("  GREETING: 'it''s \"fine\"'\n...\n---\n");
  });

  it('a pod that already has a sightline container or init container is left byte for byte', () => {
    const result = injectOk(fixture('already-injected.yaml'), { takePort: 8080 });
    expect(result.text).toBe(fixture('already-injected.yaml'));
    expect(result.injected).toBe(0);
    const nativeAlready = injected(fixture('job.yaml'));
    expect(injected(nativeAlready, { native: false })).toBe(nativeAlready);
  });
});

describe('idempotence', () => {
  const variants: readonly [string, Partial<InjectOptions>][] = [...VARIANTS, ['native, --take-port 8080', { takePort: 8080 }]];
  for (const file of ALL_FIXTURES) {
    it.each(variants)(`injecting ${file} twice gives what injecting once gives (%s)`, (_name, options) => {
      const once = injected(fixture(file), options);
      expect(injected(once, options)).toBe(once);
    });
  }
});

function sidecarLines(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => /^\s*-\s+name: sightline$/.test(line));
  return lines.slice(start, start + 5);
}

describe('inserted lines look like their neighbours', () => {
  it('four-space indentation', () => {
    const output = injected(fixture('pod.yaml'), { native: false });
    expect(output).toContain('\n    annotations:\n        prometheus.io/scrape: "true"\n');
    expect(sidecarLines(output)).toEqual(['        -   name: sightline', '            image: ghcr.io/sightline/sightline:0.1.0', '            args:', '                - run', '                - --upstream']);
  });

  it('lists not indented under their key, as kubectl writes them', () => {
    const classic = injected(fixture('daemonset.yaml'), { native: false });
    expect(sidecarLines(classic)).toEqual(['      - name: sightline', '        image: ghcr.io/sightline/sightline:0.1.0', '        args:', '        - run', '        - --upstream']);
    expect(injected(fixture('daemonset.yaml'))).toContain('\n      initContainers:\n      - name: sightline\n');
  });

  it('lists indented under their key, with the new list right after containers', () => {
    const output = injected(fixture('statefulset.yaml'));
    expect(output).toContain('              mountPath: /var/lib/ledger\n      initContainers:\n        - name: sightline\n          image: ghcr.io/sightline/sightline:0.1.0\n          restartPolicy: Always\n          args:\n            - run\n');
  });

  it('JSON stays JSON, laid out like the rest of the file', () => {
    const output = injected(fixture('deployment.json'));
    const parsed = JSON.parse(output) as Data;
    expect(parsed.spec.template.spec.initContainers[0].name).toBe('sightline');
    expect(output).toContain('\n        ],\n        "initContainers": [\n          {\n            "name": "sightline",\n');
    expect(linesNotKept(fixture('deployment.json'), output)).toEqual([]);
  });

  it('long strings are never folded', () => {
    const image = `registry.example.com/${'very-long-path/'.repeat(12)}sightline:0.1.0`;
    expect(injected(fixture('job.yaml'), { image })).toContain(`          image: ${image}\n`);
  });

  it('CRLF line endings', () => {
    const input = fixture('statefulset.yaml').replaceAll('\n', '\r\n');
    const output = injected(input);
    expect(output).not.toMatch(/[^\r]\n/);
    expect(linesNotKept(input, output)).toEqual([]);
    expect(sidecarOf(podTemplates(documents(output))[0] as Data)?.list).toBe('initContainers');
  });

  it('no line break at the end of the file', () => {
    const input = fixture('job.yaml').trimEnd();
    const output = injected(input, { native: false });
    expect(output.endsWith('\n')).toBe(false);
    expect(linesNotKept(input, output)).toEqual([]);
    expect(sidecarOf(podTemplates(documents(output))[0] as Data)).toMatchObject({ list: 'containers', index: 1 });
  });

  it('a last container ending in a block scalar, and comments after it', () => {
    const input = [
      'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: script', 'spec:', '  containers:', '    - name: app',
      '      ports: [{containerPort: 8080}]', '      command:', '        - sh', '        - -c', '        - |+', '          exec ./serve', '', '',
      '    # the volumes below are shared', '  volumes: []', '',
    ].join('\n');
    const output = injected(input, { native: false });
    const [pod] = documents(output) as [Data];
    expect(pod.spec.containers[0].command[2]).toBe('exec ./serve\n\n\n');
    expect(pod.spec.containers[1].name).toBe('sightline');
    expect(linesNotKept(input, output)).toEqual([]);

    const clipped = input.replace('        - |+\n          exec ./serve\n\n\n    # the volumes below are shared\n', '        - |\n          exec ./serve\n');
    const [clippedPod] = documents(injected(clipped, { native: false })) as [Data];
    expect(clippedPod.spec.containers.map((c: Data) => c.name)).toEqual(['app', 'sightline']);
    expect(clippedPod.spec.containers[0].command[2]).toBe('exec ./serve\n');
    expect(clippedPod.spec.volumes).toEqual([]);
  });

  it('empty values, with comments after them, are replaced and the comments kept', () => {
    const input = [
      '%YAML 1.2', '---', 'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: empty', '  annotations:   # none', '  labels: &labels {app: empty}',
      'spec:', '  initContainers: []  # none yet', '  containers:', '    - name: app', '      ports:', '        - containerPort: 80', '...', '---',
      'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: nothing', '  annotations: {}', 'spec:', '  initContainers: null', '  containers:', '    - name: app',
      '      ports: [{containerPort: 80}]', '',
    ].join('\n');
    const output = injected(input);
    expect(output).toContain('\n  annotations:   # none\n    prometheus.io/scrape: "true"\n');
    expect(output).toContain('\n  initContainers:   # none yet\n    - name: sightline\n');
    expect(output).toContain('\n  annotations:\n    prometheus.io/scrape: "true"\n');
    expect(output).toContain('\n  initContainers:\n    - name: sightline\n');
    expect(linesNotKept(input, output)).toEqual(['  initContainers: []  # none yet', '  annotations: {}', '  initContainers: null']);
    for (const pod of documents(output)) expect(sidecarOf(pod)?.list).toBe('initContainers');
  });

  it('empty values in JSON', () => {
    const input = fixture('deployment.json').replace('"labels": {\n          "app": "inventory"\n        }', '"labels": {\n          "app": "inventory"\n        },\n        "annotations": {}').replace('"containers": [', '"initContainers": [],\n        "containers": [');
    const output = injected(input);
    const parsed = JSON.parse(output) as Data;
    expect(parsed.spec.template.metadata.annotations['sightline.dev/injected']).toBe('0.1.0');
    expect(parsed.spec.template.spec.initContainers[0].name).toBe('sightline');
    expect(output).toContain('\n        "initContainers": [\n          {\n            "name": "sightline",\n');
  });

  it('a pod spec written in flow style', () => {
    const input = 'apiVersion: v1\nkind: Pod\nmetadata: {name: tiny, labels: {app: tiny}}\nspec: {containers: [{name: app, image: "app:1", ports: [{containerPort: 8080}]}]}\n';
    for (const native of [true, false]) {
      const [pod] = documents(injected(input, { native })) as [Data];
      expect(sidecarOf(pod)?.list).toBe(native ? 'initContainers' : 'containers');
      expect(pod.metadata).toMatchObject({ name: 'tiny', labels: { app: 'tiny' }, annotations: { 'prometheus.io/port': '15000' } });
    }
  });

  it('a comment above the key the template\'s new metadata goes before stays with that key', () => {
    const input = fixture('job.yaml').replace('  template:\n    spec:\n', '  template:\n    # pods of the job\n    spec:\n');
    expect(injected(input)).toContain('  template:\n    metadata:\n      annotations:\n');
    expect(injected(input)).toContain('        sightline.dev/injected: 0.1.0\n    # pods of the job\n    spec:\n');
  });
});

describe('any layout the yaml library can write', () => {
  const layouts = [2, 3, 4].flatMap((indent) => [true, false].map((indentSeq) => ({ indent, indentSeq })));
  const yamlFixtures = ALL_FIXTURES.filter((file) => file.endsWith('.yaml'));
  it.each(layouts)('indent $indent, indentSeq $indentSeq: every fixture, native and classic, only gains lines', ({ indent, indentSeq }) => {
    for (const file of yamlFixtures) {
      const input = parseAllDocuments(fixture(file)).map((doc) => doc.toString({ indent, indentSeq, lineWidth: 0 })).join('---\n');
      for (const native of [true, false]) {
        const output = injected(input, { native });
        expect(linesNotKept(input, output), `${file} native=${native}`).toEqual([]);
        const placed = file === 'already-injected.yaml' ? 'containers' : native ? 'initContainers' : 'containers';
        for (const template of podTemplates(documents(output))) expect(sidecarOf(template)?.list, file).toBe(placed);
        expect(injected(output, { native })).toBe(output);
      }
    }
  });
});
