import { describe, expect, it } from 'vitest';
import { HEAP_FLAGS, missingHeapFlags } from '../../../src/core/lifecycle/heap-flags.ts';

describe('missingHeapFlags', () => {
  it('asks for every heap flag when none is given', () => {
    expect(missingHeapFlags([], '')).toEqual([...HEAP_FLAGS]);
  });

  it('asks for nothing once the flags are on the command line (after the re-exec)', () => {
    expect(missingHeapFlags([...HEAP_FLAGS, '--enable-source-maps'], '')).toEqual([]);
  });

  it('leaves a size the operator set, in NODE_OPTIONS or with underscores, to the operator', () => {
    expect(missingHeapFlags([], '--max-old-space-size=512')).toEqual(['--max-semi-space-size=2']);
    expect(missingHeapFlags(['--max_semi_space_size=4'], '  --max-old-space-size=256 ')).toEqual([]);
  });
});
