// A small OTLP/HTTP traces receiver on loopback, as a collector would run: it accepts JSON export
// requests on /v1/traces and keeps every span, flattened, for the tests to inspect. It can also be slow
// (answers after a delay) or refuse with a status, to stand for a collector in trouble.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP span kind: 2 SERVER, 3 CLIENT. */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Record<string, string | number | boolean>;
  readonly events: { name: string; attributes: Record<string, string | number | boolean> }[];
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly resource: Record<string, string | number | boolean>;
}

export const SERVER = 2;
export const CLIENT = 3;

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Export requests received, whatever was answered. */
  requests: number;
  /** Delay before each answer, in ms (a slow collector). */
  delayMs: number;
  /** Status answered (200 accepts the spans). */
  status: number;
  waitForSpans(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };

function plain(attributes: readonly KeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes ?? []) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue ?? value.doubleValue ?? '');
  }
  return out;
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number;
        startTimeUnixNano: string; endTimeUnixNano: string; attributes?: KeyValue[];
        events?: { name: string; attributes?: KeyValue[] }[]; status?: { code?: number };
      }[];
    }[];
  }[];
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const waiters: { predicate: (s: readonly ReceivedSpan[]) => boolean; resolve: () => void }[] = [];
  const receiver: OtlpReceiver = {
    url: '',
    spans,
    requests: 0,
    delayMs: 0,
    status: 200,
    waitForSpans: (predicate, timeoutMs = 10_000) => {
      if (predicate(spans)) return Promise.resolve(spans);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`spans not received within ${timeoutMs}ms; have ${JSON.stringify(spans.map((s) => s.name))}`)), timeoutMs);
        waiters.push({ predicate, resolve: () => { clearTimeout(timer); resolve(spans); } });
      });
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests++;
      const answer = (): void => {
        if (receiver.status !== 200 || req.url !== '/v1/traces') {
          res.writeHead(req.url === '/v1/traces' ? receiver.status : 404).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
        for (const rs of body.resourceSpans ?? []) {
          const resource = plain(rs.resource?.attributes);
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind,
                startNs: BigInt(s.startTimeUnixNano), endNs: BigInt(s.endTimeUnixNano),
                attributes: plain(s.attributes),
                events: (s.events ?? []).map((e) => ({ name: e.name, attributes: plain(e.attributes) })),
                statusCode: s.status?.code ?? 0,
                resource,
              });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        for (let i = waiters.length - 1; i >= 0; i--) {
          const w = waiters[i];
          if (w !== undefined && w.predicate(spans)) {
            waiters.splice(i, 1);
            w.resolve();
          }
        }
      };
      if (receiver.delayMs > 0) setTimeout(answer, receiver.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
