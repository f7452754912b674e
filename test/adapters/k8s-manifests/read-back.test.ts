// The safety net: output that does not read back as the planned edits say is caught.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments, type YAMLSeq } from 'yaml';
import { expectedData, firstMismatch } from '../../../src/adapters/k8s-manifests/read-back.ts';

describe('read-back check', () => {
  const source = 'a: [1, 2]\n---\nb: {c: 3}\n';
  const docs = parseAllDocuments(source);
  const seq = docs[0]?.get('a', true) as YAMLSeq;
  const expected = [expectedData(docs[0]!, [{ kind: 'append', seq: { node: seq, path: ['a'] }, value: { d: 4 } }]), expectedData(docs[1]!, [])];

  it('accepts text that holds exactly the planned data', () => {
    expect(expected).toEqual([{ a: [1, 2, { d: 4 }] }, { b: { c: 3 } }]);
    expect(firstMismatch('a: [1, 2, {d: 4}]\n---\nb: {c: 3}\n', expected)).toBeUndefined();
  });

  it('finds the first document that differs, is missing, or does not parse', () => {
    expect(firstMismatch('a: [1, 2]\n---\nb: {c: 3}\n', expected)).toBe(0);
    expect(firstMismatch('a: [1, 2, {d: 4}]\n---\nb: {c: 4}\n', expected)).toBe(1);
    expect(firstMismatch('a: [1, 2, {d: 4}]\n', expected)).toBe(1);
    expect(firstMismatch('a: [1, 2, {d: 4}]\n---\nb: {c: 3\n', expected)).toBe(1);
  });
});
