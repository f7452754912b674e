// The soak's clients: node:http requests of several kinds (keep-alive and new connections, GETs and
// POSTs with bodies, slow uploads, slow readers, clients that leave early), each with its own
// x-request-id, and what became of each one. The outcome of a request, as the client sees it:
//
//   answered        a whole response (Node's client checked its framing; POST answers also echo the body size)
//   cut-by-app      a response whose body stopped short because the app failed: its head said
//                   x-app-fault: reset-mid-body, or the app instance that sent it (x-app-instance) was
//                   killed while it was in flight. Sightline destroys the client's connection then, as
//                   it documents, rather than end a truncated body as if it were complete.
//   refused         the connection was refused (ECONNREFUSED): nothing was sent
//   closed-early    the connection closed before any response byte (ECONNRESET, EPIPE). Whether Sightline
//                   had taken the request is settled afterwards from its access log (every request it
//                   takes gets a line, by x-request-id): not there, the request never entered Sightline
//                   (safe to retry: a clean close); there, it was taken and its answer lost: lost.
//   truncated       a response cut short with no failure of the app to explain it: lost
//   timeout         no response within 30 s: lost
//   gave-up         the client left on purpose before its response (the early-disconnect kind)

import { Buffer } from 'node:buffer';
import { Agent, request } from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';

const RESPONSE_TIMEOUT_MS = 30_000;

/** Kinds of client, by weight. */
const KINDS = [
  [40, 'keepalive-get'],
  [15, 'keepalive-post'],
  [10, 'fresh-get'],
  [10, 'fresh-post'],
  [5, 'keepalive-big'],
  [5, 'slow-upload'],
  [5, 'slow-reader'],
  [10, 'early-disconnect'],
];

function pickKind() {
  const total = KINDS.reduce((n, [w]) => n + w, 0);
  let r = Math.random() * total;
  for (const [w, kind] of KINDS) {
    r -= w;
    if (r < 0) return kind;
  }
  return 'keepalive-get';
}

function bodySize() {
  return Math.random() < 0.1 ? 100_000 + Math.floor(Math.random() * 200_000) : 100 + Math.floor(Math.random() * 64_000);
}

/**
 * Traffic against `proxyUrl`. `killedAt(pid)` says when an app instance was killed (undefined while it
 * lives), to recognise responses cut by an app restart.
 */
export function createClients({ proxyUrl, runId, killedAt }) {
  const url = new URL(proxyUrl);
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });
  const records = [];
  let next = 0;
  let inFlight = 0;

  function send(kind, onDone) {
    const id = `soak-${runId}-${next++}`;
    const record = { id, kind, startedAt: Date.now(), endedAt: 0, status: 0, fault: undefined, reason: undefined, instance: undefined, outcome: 'pending', error: undefined, bodyMismatch: false };
    records.push(record);
    inFlight++;
    const post = kind === 'keepalive-post' || kind === 'fresh-post' || kind === 'slow-upload';
    const path = post ? '/api/orders' : kind === 'keepalive-big' || kind === 'slow-reader' || (kind === 'early-disconnect' && Math.random() < 0.5) ? '/api/big' : `/api/items/${Math.floor(Math.random() * 1000)}`;
    const body = post ? Buffer.alloc(kind === 'slow-upload' ? 20_000 : bodySize(), 'b') : undefined;
    const fresh = kind === 'fresh-get' || kind === 'fresh-post' || kind === 'slow-upload' || kind === 'early-disconnect';
    const headers = { 'x-request-id': id };
    if (body !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = String(body.length);
    }
    let settled = false;
    let responded = false;
    let complete = false;
    const finish = (outcome, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlight--;
      record.endedAt = Date.now();
      record.error = error;
      if (outcome === 'truncated') {
        const killed = record.instance === undefined ? undefined : killedAt(Number(record.instance));
        if (record.fault === 'reset-mid-body' || (killed !== undefined && killed >= record.startedAt - 100)) outcome = 'cut-by-app';
      }
      record.outcome = outcome;
      onDone?.(record);
    };
    const req = request({ host: url.hostname, port: url.port, method: post ? 'POST' : 'GET', path, headers, agent: fresh ? false : keepAlive }, (res) => {
      responded = true;
      record.status = res.statusCode ?? 0;
      record.fault = res.headers['x-app-fault'];
      record.reason = res.headers['x-sightline-reason'];
      record.instance = res.headers['x-app-instance'];
      const chunks = [];
      let paused = false;
      res.on('data', (chunk) => {
        if (path === '/api/orders') chunks.push(chunk);
        if (kind === 'slow-reader' && !paused) {
          paused = true;
          res.pause();
          setTimeout(() => res.resume(), 1000);
        }
      });
      res.on('end', () => {
        complete = res.complete;
        if (!complete) return finish('truncated', 'incomplete body');
        if (path === '/api/orders' && record.status === 200 && body !== undefined) {
          try {
            record.bodyMismatch = JSON.parse(Buffer.concat(chunks).toString()).bytes !== body.length;
          } catch {
            record.bodyMismatch = true;
          }
        }
        finish('answered');
      });
      res.on('error', (e) => finish(kind === 'early-disconnect' ? 'gave-up' : 'truncated', e.code ?? e.message));
      res.on('close', () => {
        if (!complete) finish(kind === 'early-disconnect' ? 'gave-up' : 'truncated', 'closed mid-body');
      });
    });
    req.on('error', (e) => {
      if (kind === 'early-disconnect' && !responded) return finish('gave-up', e.code ?? e.message);
      if (responded) return finish(kind === 'early-disconnect' ? 'gave-up' : 'truncated', e.code ?? e.message);
      finish(e.code === 'ECONNREFUSED' ? 'refused' : 'closed-early', e.code ?? e.message);
    });
    const timer = setTimeout(() => {
      finish('timeout', 'no response in 30 s');
      req.destroy();
    }, RESPONSE_TIMEOUT_MS);
    if (kind === 'early-disconnect') setTimeout(() => req.destroy(), Math.random() * 300);
    if (kind === 'slow-upload' && body !== undefined) {
      // Ten pieces, 100 ms apart: a second to send 20 KB.
      let i = 0;
      const piece = body.length / 10;
      const more = () => {
        if (req.destroyed) return;
        if (i < 10) {
          req.write(body.subarray(i * piece, (i + 1) * piece));
          i++;
          setTimeout(more, 100);
        } else req.end();
      };
      more();
    } else req.end(body);
    return record;
  }

  return {
    records,
    inFlight: () => inFlight,
    /** One request of a random kind. */
    sendRandom: () => send(pickKind()),
    /** One request of a given kind; `onDone(record)` when it has its outcome. */
    send,
    close: () => keepAlive.destroy(),
  };
}

/** Counts of records by outcome, status class, and where 5xx answers came from. */
export function tally(records) {
  const t = { sent: records.length, answered: 0, classes: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, fromApp: 0, fromSightline: {}, cutByApp: 0, refused: 0, closedEarly: 0, truncated: 0, timeout: 0, gaveUp: 0, pending: 0, bodyMismatch: 0 };
  for (const r of records) {
    switch (r.outcome) {
      case 'answered': {
        t.answered++;
        const c = `${Math.floor(r.status / 100)}xx`;
        t.classes[c] = (t.classes[c] ?? 0) + 1;
        if (r.status >= 500) {
          if (r.fault !== undefined) t.fromApp++;
          else if (r.reason !== undefined) t.fromSightline[r.reason] = (t.fromSightline[r.reason] ?? 0) + 1;
        }
        if (r.bodyMismatch) t.bodyMismatch++;
        break;
      }
      case 'cut-by-app': t.cutByApp++; break;
      case 'refused': t.refused++; break;
      case 'closed-early': t.closedEarly++; break;
      case 'truncated': t.truncated++; break;
      case 'timeout': t.timeout++; break;
      case 'gave-up': t.gaveUp++; break;
      default: t.pending++;
    }
  }
  return t;
}
