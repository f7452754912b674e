import { describe, expect, it } from 'vitest';
import { HEAP_FLAGS, missingHeapFlags } from '../../../src/core/lifecycle/heap-flags.ts';

describe('missingHeapFlags', () => {
  it('asks for the heap flags when none is given, whatever else is', () => {
    expect(missingHeapFlags([], '')).toEqual([...HEAP_FLAGS]);
    expect(missingHeapFlags(['--enable-source-maps'], '--max-old-space-size=512')).toEqual([...HEAP_FLAGS]);
  });

  it('asks for nothing once the flags are on the command line (after the re-exec)', () => {
    expect(missingHeapFlags([...HEAP_FLAGS, '--enable-source-maps'], '')).toEqual([]);
  });

  it('leaves a size the operator set, in NODE_OPTIONS or with underscores, to the operator', () => {
    expect(missingHeapFlags([], '  --max-semi-space-size=8 ')).toEqual([]);
    expect(missingHeapFlags(['--max_semi_space_size=1'], '')).toEqual([]);
  });
});
