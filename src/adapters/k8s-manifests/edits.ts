// The changes inject makes to a document, as operations on its nodes: the planners decide them, the
// text splicer writes them into the source, and the read-back check replays them on plain data.

import type { YAMLMap, YAMLSeq } from 'yaml';
import type { At } from './node-access.ts';

export type Edit =
  /** Adds an item at the end of a list that has items. */
  | { readonly kind: 'append'; readonly seq: At<YAMLSeq>; readonly value: unknown }
  /**
   * Gives keys of a map their values: a key that is there has its (scalar or empty) value replaced, the
   * others are added after the key `after`, or before the key `before` (in a block map), or else last.
   */
  | { readonly kind: 'set'; readonly map: At<YAMLMap>; readonly entries: readonly (readonly [string, unknown])[]; readonly after?: string; readonly before?: string };
