// Operational logs as JSON lines on stdout, through pino.

import pino from 'pino';
import type { LogLevel } from '../../core/config/model.ts';
import type { LogFields, Logger } from '../../ports/logger.ts';

export function createPinoLogger(level: LogLevel, version: string): Logger & { flush(): void } {
  // Synchronous writes: operational lines are rare, and a line written just before exit must not be lost.
  const log = pino({ level, base: { service: 'sightline', version }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 1, sync: true }));
  return {
    debug: (fields: LogFields, message: string) => log.debug(fields, message),
    info: (fields: LogFields, message: string) => log.info(fields, message),
    warn: (fields: LogFields, message: string) => log.warn(fields, message),
    error: (fields: LogFields, message: string) => log.error(fields, message),
    flush: () => log.flush(),
  };
}
