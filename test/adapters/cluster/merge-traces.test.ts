import { describe, expect, it } from 'vitest';
import { mergeRecentTraces } from '../../../src/adapters/cluster/merge-traces.ts';

const at = (id: string, second: number) => ({ traceId: id, startTime: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString() });

describe('mergeRecentTraces', () => {
  it('interleaves the workers\' traces newest first and keeps at most `keep`', () => {
    const one = [at('a5', 5), at('a3', 3), at('a1', 1)];
    const two = [at('b4', 4), at('b2', 2)];
    expect(mergeRecentTraces([one, two], 10).map((t) => t.traceId)).toEqual(['a5', 'b4', 'a3', 'b2', 'a1']);
    expect(mergeRecentTraces([one, two], 3).map((t) => t.traceId)).toEqual(['a5', 'b4', 'a3']);
    expect(mergeRecentTraces([], 3)).toEqual([]);
  });
});
