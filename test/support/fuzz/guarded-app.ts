// The test app (support/apps.ts) trusts its input: its handlers are written for the tests' own requests.
// Behind Sightline the fuzzer's requests reach it too, and some would throw inside it (new URL('//[')
// throws; /status?code=4x4 and HEAD /trailers make writeHead throw later, in an 'end' listener, which would crash the test
// process) or ask it for gigabytes (/download?bytes=100000100000). This guard sits in front of the app's
// handler: it records every request the app receives and answers the ones the app cannot take itself
// with a 400 marked `x-app: guard`, so that an app response is never mistaken for Sightline's.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TestApp } from '../apps.ts';

export interface AppRecord {
  readonly method: string;
  readonly url: string;
  /** The x-fuzz header: the tag of the connection the request was written on. */
  readonly tag: string | undefined;
  /** The whole request reached the app (its body ended). */
  completed: boolean;
}

export interface GuardedApp {
  /** Every request the app received, guarded or not, in order. */
  readonly received: AppRecord[];
  /** Requests the guard answered itself. */
  guarded: number;
}

const MAX_DOWNLOAD = 1_000_000;

/** A 400 from the app side, with the same method and url fields as the app's echo, so answers can still be matched to requests. */
function refuse(req: IncomingMessage, res: ServerResponse, why: string): void {
  const body = JSON.stringify({ guard: why, method: req.method, url: req.url });
  res.writeHead(400, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-app': 'guard' });
  res.end(body);
}

/** Why the app's own handler must not see this request, or undefined when it may. */
function unsafe(req: IncomingMessage): string | undefined {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://x');
  } catch {
    return 'target the app cannot parse';
  }
  const q = url.searchParams;
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/status') {
    const code = Number(q.get('code') ?? 200);
    if (!Number.isInteger(code) || code < 200 || code > 599) return 'status out of range';
  }
  if (path === '/download' || path === '/download-chunked') {
    const bytes = Number(q.get('bytes') ?? 0);
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_DOWNLOAD) return 'download size out of range';
  }
  if (path === '/slow' && !(Number(q.get('ms') ?? 100) <= 2000)) return 'delay out of range';
  // Node refuses a Trailer header on a response without a body: writeHead throws.
  if (path === '/trailers' && req.method === 'HEAD') return 'trailers on a HEAD';
  if (path === '/stall' || path === '/stall-body' || path === '/reset-mid-body') return 'deliberately broken route';
  return undefined;
}

export function guardApp(app: TestApp): GuardedApp {
  const guard: GuardedApp = { received: [], guarded: 0 };
  const handlers = app.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  app.server.removeAllListeners('request');
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const tag = req.headers['x-fuzz'];
    const record: AppRecord = { method: req.method ?? '', url: req.url ?? '', tag: typeof tag === 'string' ? tag : undefined, completed: false };
    guard.received.push(record);
    req.once('end', () => (record.completed = true));
    const why = unsafe(req);
    if (why !== undefined) {
      guard.guarded++;
      // After the body, as the app answers: an answer before it would (rightly) cost the client its connection.
      req.resume();
      req.once('end', () => refuse(req, res, why));
      return;
    }
    for (const handle of handlers) handle(req, res);
  });
  return guard;
}
