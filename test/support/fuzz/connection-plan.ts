// What one fuzzing connection sends: a few requests, all valid, some mutated, or garbage; written
// pipelined (all at once) or sequentially (each after the previous answer), whole or in small pieces.
// Every plan is a pure function of (seed, index), so any connection of a run can be regenerated.

import { garbage, mutate } from './mutations.ts';
import { connectionSeed, Rng } from './random.ts';
import { validRequest, type PlannedRequest, type RequestKind } from './request-generator.ts';

export type Pacing = 'whole' | 'split' | 'trickle';

export interface ConnectionPlan {
  readonly seed: number;
  readonly index: number;
  /** 'valid': every request is valid and whole, so each must get its own, matching answer. */
  readonly kind: RequestKind;
  readonly requests: readonly PlannedRequest[];
  readonly mode: 'pipelined' | 'sequential';
  readonly pacing: Pacing;
}

export function planConnection(seed: number, index: number): ConnectionPlan {
  const rng = new Rng(connectionSeed(seed, index));
  const kind = rng.weighted<RequestKind>([[45, 'valid'], [45, 'mutated'], [10, 'garbage']]);
  const count = rng.weighted<() => number>([[30, () => 1], [40, () => rng.int(2, 4)], [30, () => rng.int(5, 8)]])();
  const tag = `c${index}`;
  let requests: PlannedRequest[] = [];
  for (let i = 0; i < count; i++) requests.push(validRequest(rng, { tag, last: i === count - 1 }));
  // An upgrade ends HTTP on the connection: nothing after it is a request any more.
  const upgradeAt = requests.findIndex((r) => r.upgrade);
  if (upgradeAt >= 0) requests = requests.slice(0, upgradeAt + 1);
  const pool = requests.map((r) => r.bytes);

  if (kind === 'mutated') {
    if (rng.chance(0.2) && requests.length > 1) {
      // The whole stream at once: mutations may cross request boundaries.
      const m = mutate(rng, Buffer.concat(pool), pool);
      const first = requests[0] as PlannedRequest;
      requests = [{ ...first, bytes: m.bytes, kind: 'mutated', mutations: [`${requests.length} requests as one stream`, ...m.descriptions] }];
    } else {
      const victims = rng.int(1, Math.min(2, requests.length));
      for (let v = 0; v < victims; v++) {
        const i = rng.int(0, requests.length - 1);
        const r = requests[i] as PlannedRequest;
        const m = mutate(rng, r.bytes, pool);
        requests[i] = { ...r, bytes: m.bytes, kind: 'mutated', mutations: [...r.mutations, ...m.descriptions] };
      }
    }
  } else if (kind === 'garbage') {
    const g = garbage(rng, pool);
    const keep = rng.int(0, Math.min(2, requests.length));
    requests = [
      ...requests.slice(0, keep),
      { bytes: g.bytes, kind: 'garbage', method: '', target: '', expect: { type: 'status-only' }, closes: false, upgrade: false, mutations: [g.description] },
    ];
  }
  // A plan with an oversized head is no longer all-valid.
  const actualKind = kind === 'valid' && requests.some((r) => r.kind !== 'valid') ? 'mutated' : kind;
  const size = requests.reduce((n, r) => n + r.bytes.length, 0);
  const pacing = rng.weighted<Pacing>([[60, 'whole'], [30, 'split'], [10, size < 4096 ? 'trickle' : 'split']]);
  // A WebSocket upgrade goes after the earlier answers are in: pipelined, its 101 overtakes them (see
  // test/hardening/fuzz-findings.test.ts).
  const mode = rng.chance(0.5) && !(upgradeAt > 0 && actualKind === 'valid') ? 'pipelined' : 'sequential';
  return { seed, index, kind: actualKind, requests, mode, pacing };
}
