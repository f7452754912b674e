// The template stripper the chart tests rely on: if it silently dropped or mangled lines, every
// structural check built on it would pass for the wrong reason.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PLACEHOLDER, blockOf, decideFromValues, definesOf, stripTemplate } from './support/go-template.ts';

describe('stripTemplate', () => {
  it('drops lines holding only actions and replaces inline actions with a placeholder', () => {
    const text = [
      '{{- if .Values.enabled }}',
      'kind: Service',
      'metadata:',
      '  name: {{ include "x.fullname" . }}-svc',
      '  {{- with .Values.annotations }}',
      '  annotations:',
      '    {{- toYaml . | nindent 4 }}',
      '  {{- end }}',
      '{{- end }}',
    ].join('\n');
    expect(parse(stripTemplate(text))).toEqual({ kind: 'Service', metadata: { name: `${PLACEHOLDER}-svc`, annotations: null } });
  });

  it('removes comments, including ones over several lines', () => {
    const text = '{{/*\n a comment: with: colons\n*/}}\na: 1\n{{- /* trimmed */}}\nb: 2';
    expect(parse(stripTemplate(text))).toEqual({ a: 1, b: 2 });
  });

  it('expands an include at the nindent it asks for, and a list item built by a helper', () => {
    const defines = definesOf('{{- define "x.labels" -}}\napp: {{ .Release.Name }}\ntier: web\n{{- end }}\n{{- define "x.container" -}}\nname: proxy\nimage: {{ .Values.image }}\n{{- end }}');
    const text = [
      'labels:',
      '  {{- include "x.labels" . | nindent 2 }}',
      'containers:',
      '  - {{- include "x.container" . | nindent 4 }}',
      '    restartPolicy: Always',
    ].join('\n');
    expect(parse(stripTemplate(text, { defines }))).toEqual({
      labels: { app: PLACEHOLDER, tier: 'web' },
      containers: [{ name: 'proxy', image: PLACEHOLDER, restartPolicy: 'Always' }],
    });
  });

  it('renders toYaml of a value, directly or as the dot of a with block', () => {
    const values = { resources: { limits: { memory: '1Gi' } }, env: [{ name: 'A', value: 'b' }] };
    const text = [
      'resources:',
      '  {{- toYaml .Values.resources | nindent 2 }}',
      '{{- with .Values.env }}',
      'env:',
      '  {{- toYaml . | nindent 2 }}',
      '{{- end }}',
    ].join('\n');
    expect(parse(stripTemplate(text, { values, decide: decideFromValues(values) }))).toEqual(values);
  });

  it('keeps every branch it cannot decide, and only the chosen one when it can', () => {
    const text = ['{{- if eq .Values.mode "a" }}', 'a: 1', '{{- else if .Values.other }}', 'b: 2', '{{- else }}', 'c: 3', '{{- end }}'].join('\n');
    expect(parse(stripTemplate(text))).toEqual({ a: 1, b: 2, c: 3 });
    expect(parse(stripTemplate(text, { decide: decideFromValues({ mode: 'a' }) }))).toEqual({ a: 1 });
    expect(parse(stripTemplate(text, { decide: decideFromValues({ mode: 'z', other: true }) }))).toEqual({ b: 2 });
    expect(parse(stripTemplate(text, { decide: decideFromValues({ mode: 'z', other: false }) }))).toEqual({ c: 3 });
  });

  it('refuses what it cannot read faithfully', () => {
    expect(() => stripTemplate('a: {{ .Values.x\n | quote }}')).toThrow(/spans lines/);
    expect(() => stripTemplate('a: {{ if .Values.x }}1{{ end }}')).toThrow(/control action/);
    expect(() => stripTemplate('{{- if .Values.x }}\na: 1')).toThrow(/not closed/);
    expect(() => stripTemplate('{{ include "nope" . | nindent 2 }}', { defines: new Map() })).toThrow(/unknown define "nope"/);
  });
});

describe('blockOf', () => {
  it('returns the text up to the matching end, across nested blocks', () => {
    const text = '{{- if .Values.a }}\nx\n{{- with .Values.b }}\ny\n{{- end }}\nz\n{{- end }}\nafter';
    const block = blockOf(text, 'if .Values.a');
    expect(block).toContain('y');
    expect(block).toContain('z');
    expect(block).not.toContain('after');
  });
});
