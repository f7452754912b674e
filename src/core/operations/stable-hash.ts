// A stable 32-bit hash of a string, so that a feature flag keeps one user on one side across requests,
// processes and restarts: FNV-1a over the UTF-16 code units, then murmur3's finaliser, because FNV alone
// leaves strings that differ only in their last characters (user-1, user-2) too close together for a
// threshold on the whole value to split them fairly.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a of `text`, continuing from `seed` (another hash, to give each flag its own split). */
export function fnv1a(text: string, seed: number = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** murmur3's fmix32: every input bit reaches every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Where `text` falls in [0, 1), the same every time; `seed` (e.g. fnv1a of a flag's name) varies the split. */
export function stableFraction(text: string, seed?: number): number {
  return mix(fnv1a(text, seed)) / 0x1_0000_0000;
}
