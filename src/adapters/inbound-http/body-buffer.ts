// Keeps a small request body in memory so a retry can send it again. Once the body outgrows the limit
// the bytes already read are sent first and the rest is streamed: that request is not retried.

import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export interface BodyBufferOwner {
  /** The whole body, in memory. */
  bodyBuffered(body: Buffer): void;
  /** The body outgrew the limit: this stream replays what was read, then the rest as it arrives. */
  bodyTooLarge(body: Readable): void;
}

const kBuffer = Symbol('sightline.bodyBuffer');
type TaggedRequest = IncomingMessage & { [kBuffer]: BodyBuffer };

// Shared listeners: `this` is the request, the buffer hangs off it.
function onData(this: TaggedRequest, chunk: Buffer): void {
  this[kBuffer].add(chunk);
}
function onEnd(this: TaggedRequest): void {
  this[kBuffer].end();
}

class BodyBuffer {
  readonly #req: TaggedRequest;
  readonly #limit: number;
  readonly #owner: BodyBufferOwner;
  readonly #chunks: Buffer[] = [];
  #size = 0;

  constructor(req: TaggedRequest, limit: number, owner: BodyBufferOwner) {
    this.#req = req;
    this.#limit = limit;
    this.#owner = owner;
  }

  add(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#size <= this.#limit) return;
    const req = this.#req;
    req.off('data', onData);
    req.off('end', onEnd);
    req.pause();
    this.#owner.bodyTooLarge(Readable.from(replayThenRest(this.#chunks, req), { objectMode: false }));
  }

  end(): void {
    this.#req.off('data', onData);
    this.#owner.bodyBuffered(this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#size));
  }
}

async function* replayThenRest(read: readonly Buffer[], rest: IncomingMessage): AsyncGenerator<Buffer> {
  yield* read;
  for await (const chunk of rest) yield chunk as Buffer;
}

/** Reads `req` into memory up to `limit` bytes, then tells `owner` which way it went. */
export function bufferBody(req: IncomingMessage, limit: number, owner: BodyBufferOwner): void {
  const tagged = req as TaggedRequest;
  tagged[kBuffer] = new BodyBuffer(tagged, limit, owner);
  tagged.on('data', onData);
  tagged.once('end', onEnd);
}
