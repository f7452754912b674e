import { describe, expect, it } from 'vitest';
import { connectionLog } from '../../../src/adapters/logging-pino/connection-log.ts';
import type { LogFields, Logger } from '../../../src/ports/logger.ts';

function recorder(): { log: Logger; lines: [string, string, LogFields][] } {
  const lines: [string, string, LogFields][] = [];
  const at = (level: string) => (fields: LogFields, message: string): void => {
    lines.push([level, message, fields]);
  };
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

describe('connectionLog', () => {
  it('logs a dropped connection at most once a minute, with how many were left out', () => {
    const { log, lines } = recorder();
    let now = 0;
    const events = connectionLog(log, { maxConnections: 20, now: () => now });
    for (let i = 0; i < 500; i++) events.connectionDropped();
    now = 59_999;
    events.connectionDropped();
    expect(lines).toEqual([['warn', expect.stringContaining('connection limit reached'), { maxConnections: 20, notLogged: 0 }]]);
    now = 60_000;
    events.connectionDropped();
    expect(lines[1]).toEqual(['warn', expect.stringContaining('connection limit reached'), { maxConnections: 20, notLogged: 500 }]);
  });

  it('throttles client errors on their own, naming the reason, the parser\'s code and the client', () => {
    const { log, lines } = recorder();
    let now = 1000;
    const events = connectionLog(log, { maxConnections: 20, now: () => now });
    events.connectionDropped();
    events.clientError('bad_request', 'HPE_INVALID_METHOD', '10.0.0.7');
    events.clientError('request_timeout', 'ERR_HTTP_REQUEST_TIMEOUT', '10.0.0.8');
    now += 60_000;
    events.clientError('request_header_too_large', 'HPE_HEADER_OVERFLOW', '10.0.0.9');
    expect(lines.filter(([level]) => level === 'info').map(([, , fields]) => fields)).toEqual([
      { reason: 'bad_request', code: 'HPE_INVALID_METHOD', 'client.address': '10.0.0.7', notLogged: 0 },
      { reason: 'request_header_too_large', code: 'HPE_HEADER_OVERFLOW', 'client.address': '10.0.0.9', notLogged: 1 },
    ]);
  });
});
