// Time, injected: the core never reads the wall clock or arms a timer by itself.

export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
}

export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
