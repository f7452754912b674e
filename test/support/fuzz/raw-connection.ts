// Plays one connection plan over a raw TCP socket (node:net) and keeps every byte both ways. Requests go
// pipelined (all written at once) or sequentially (each after the answer to the one before, or after
// a quiet spell when no answer comes), whole or cut into pieces with short pauses between them.
// The connection ends when the server closes it, when every request of an all-valid plan has its
// answer, or when the server has been quiet for a while between responses; a server that stops in the
// middle of a response is waited for longer, then reported as stalled.

import { connect } from 'node:net';
import type { ConnectionPlan } from './connection-plan.ts';
import { answersHead, headCount } from './head-requests.ts';
import { finalResponses, parseResponses } from './response-parser.ts';
import { Rng } from './random.ts';

export interface Timing {
  /** Silence (nothing received) after which a server with nothing in progress is taken to be done. */
  readonly quietMs: number;
  /** Silence in the middle of a response after which it is reported as stalled. */
  readonly stallMs: number;
}

export const DEFAULT_TIMING: Timing = { quietMs: 250, stallMs: 4000 };

export interface ConnectionResult {
  readonly plan: ConnectionPlan;
  /** What was written (fewer bytes than planned when the server closed first). */
  readonly sent: Buffer;
  readonly received: Buffer;
  /** The server ended the connection (FIN or reset), rather than the client. */
  readonly closedByServer: boolean;
  /** A socket error code (ECONNRESET, EPIPE...), if any. */
  readonly error: string | undefined;
  /** The client gave up waiting in the middle of a response. */
  readonly stalled: boolean;
  readonly durationMs: number;
}

/** The most a connection reads before hanging up (no generated answer comes near it). */
const MAX_RECEIVE = 8 * 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function runConnection(port: number, plan: ConnectionPlan, timing: Timing = DEFAULT_TIMING): Promise<ConnectionResult> {
  const started = Date.now();
  const rng = new Rng(plan.seed ^ (plan.index * 2654435761));
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    const received: Buffer[] = [];
    let receivedBytes = 0;
    const sent: Buffer[] = [];
    let closedByServer = false;
    let error: string | undefined;
    let lastActivity = Date.now();
    let done = false;
    let wake: (() => void) | null = null;
    const allValid = plan.kind === 'valid';
    const isHead = answersHead(plan);

    const poke = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      receivedBytes += chunk.length;
      lastActivity = Date.now();
      // A mutated target can ask for an endless body: the client hangs up, as a real one would.
      if (receivedBytes > MAX_RECEIVE) finish(false);
      else poke();
    });
    socket.on('end', () => {
      closedByServer = true;
      poke();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
      closedByServer = true;
      poke();
    });
    socket.on('close', () => {
      closedByServer = closedByServer || !done;
      poke();
    });

    const bytesIn = (): Buffer => (received.length === 1 ? (received[0] as Buffer) : Buffer.concat(received, receivedBytes));
    const gone = (): boolean => closedByServer || socket.destroyed;

    /** Answers parsed so far, and where the stream stands: between responses, inside one, malformed, upgraded. */
    const progress = (): { finals: number; state: 'between' | 'inside' | 'malformed' | 'upgraded' } => {
      const data = bytesIn();
      const r = parseResponses(data, allValid ? { closed: false, isHead } : { closed: false, headBudget: headCount(Buffer.concat(sent)) });
      const finals = finalResponses(r.responses).length;
      if (r.ok) return { finals, state: r.upgraded ? 'upgraded' : 'between' };
      return { finals, state: r.incomplete ? 'inside' : 'malformed' };
    };

    /**
     * Waits until `answers` final responses have come (true), or the server closed, the stream went
     * bad, or it was quiet for long enough (false).
     */
    const waitFor = async (answers: number): Promise<boolean> => {
      for (;;) {
        if (gone()) return false;
        const p = progress();
        if (p.state === 'upgraded' || p.state === 'malformed') return false;
        if (p.finals >= answers && p.state === 'between') return true;
        const silence = Date.now() - lastActivity;
        // Valid requests are owed answers: for them a silence is a stall (on a busy machine, a pause), not the end.
        const owed = allValid && p.finals < answers && answers !== Infinity;
        const limit = p.state === 'inside' || owed ? timing.stallMs : timing.quietMs;
        if (silence >= limit) return false;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(poke, limit - silence + 1);
        });
      }
    };

    const write = async (bytes: Buffer): Promise<void> => {
      const pieces: Buffer[] = [];
      if (plan.pacing === 'whole' || bytes.length < 2) pieces.push(bytes);
      else {
        let at = 0;
        const max = plan.pacing === 'trickle' ? 20 : Math.max(1, Math.ceil(bytes.length / 3));
        while (at < bytes.length) {
          const n = rng.int(1, max);
          pieces.push(bytes.subarray(at, at + n));
          at += n;
        }
      }
      for (let i = 0; i < pieces.length; i++) {
        if (gone()) return;
        const piece = pieces[i] as Buffer;
        sent.push(piece);
        lastActivity = Date.now();
        if (!socket.write(piece)) await new Promise<void>((r) => {
          const drained = (): void => {
            socket.off('close', drained);
            socket.off('drain', drained);
            r();
          };
          socket.once('drain', drained);
          socket.once('close', drained);
        });
        if (i < pieces.length - 1) await (plan.pacing === 'trickle' ? sleep(1) : rng.chance(0.5) ? sleep(rng.int(0, 3)) : new Promise<void>((r) => setImmediate(r)));
      }
    };

    let connected = false;
    const giveUp = setTimeout(() => finish(true), 30_000);
    const finish = (stalled: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ plan, sent: Buffer.concat(sent), received: bytesIn(), closedByServer, error, stalled, durationMs: Date.now() - started });
    };
    // Refused or reset before it was established: nothing more will happen.
    socket.once('close', () => {
      if (!connected) finish(false);
    });

    socket.once('connect', () => {
      connected = true;
      void (async () => {
        const { requests } = plan;
        if (plan.mode === 'pipelined') {
          await write(Buffer.concat(requests.map((r) => r.bytes)));
        } else {
          for (let i = 0; i < requests.length; i++) {
            await write((requests[i] as (typeof requests)[number]).bytes);
            if (i < requests.length - 1 && !(await waitFor(i + 1)) && gone()) break;
          }
        }
        await waitFor(allValid ? requests.length : Infinity);
        finish(!gone() && progress().state === 'inside');
      })().catch((e: unknown) => {
        error = `client: ${(e as Error).message}`;
        finish(false);
      });
    });
  });
}
