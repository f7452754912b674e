// Logs as JSON lines on stdout, through pino: the operational log (levels) and the access log share
// one asynchronous destination, so lines never interleave and the hot path never waits on a write.

import pino from 'pino';
import type { LogLevel } from '../../core/config/model.ts';
import type { LogFields, Logger } from '../../ports/logger.ts';

/** Longest a log line waits in the buffer. */
const FLUSH_EVERY_MS = 100;

/**
 * With workers, several processes write to one stdout. A write of at most PIPE_BUF (4096 bytes on Linux)
 * to a pipe is atomic: it never mixes with another process's. SonicBoom gathers lines into chunks of at
 * most `maxWrite` bytes, starting a new chunk whenever the next line would not fit, and writes one chunk
 * per write(2): so with maxWrite at PIPE_BUF every write is whole lines, and lands whole. (A single line
 * longer than that still goes out alone in one larger, non-atomic write.)
 */
const PIPE_BUF = 4096;

export interface Logging {
  readonly log: Logger;
  /** Where access-log lines go: the same stream as the operational log. */
  readonly destination: { write(line: string): unknown };
  /** Writes out whatever is buffered, synchronously: call before the process exits. */
  flushSync(): void;
  /** A config reload's log level. */
  setLevel(level: LogLevel): void;
}

export interface LoggingOptions {
  /** Other processes (the primary and its workers) write to the same stdout. */
  readonly sharedStdout?: boolean;
  /** The cluster id of this worker, added to every operational log line. */
  readonly worker?: number;
}

export function createLogging(level: LogLevel, version: string, options: LoggingOptions = {}): Logging {
  // Lines gather up to 12 KiB before a write: each write costs the event loop a few microseconds
  // however small (in a profile, 4 KiB writes took 6% of the main thread, 12 KiB ones 2.6%); the
  // timer bounds how long a line waits when traffic is light. (SonicBoom needs minLength < its 16 KiB maxWrite.)
  // On a shared stdout, writes are capped at PIPE_BUF (see above): 3 KiB gathered, at most 4 KiB written.
  const destination = options.sharedStdout === true
    ? pino.destination({ fd: 1, sync: false, minLength: 3072, maxWrite: PIPE_BUF })
    : pino.destination({ fd: 1, sync: false, minLength: 12288 });
  setInterval(() => destination.flush(), FLUSH_EVERY_MS).unref();
  const base = options.worker === undefined ? { service: 'sightline', version } : { service: 'sightline', version, worker: options.worker };
  const log = pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  return {
    log: {
      debug: (fields: LogFields, message: string) => log.debug(fields, message),
      info: (fields: LogFields, message: string) => log.info(fields, message),
      warn: (fields: LogFields, message: string) => log.warn(fields, message),
      error: (fields: LogFields, message: string) => log.error(fields, message),
    },
    destination,
    setLevel: (next: LogLevel) => {
      log.level = next;
    },
    flushSync: () => {
      try {
        destination.flushSync();
      } catch {
        // Nothing buffered, or stdout already gone: nothing more can be written.
      }
    },
  };
}
