/**
 * Span ids: 16 random bytes as 32 hex characters (the size of an OpenTelemetry trace id), taken
 * from a pool of random bytes refilled 4 KiB at a time. Not `randomUUID()`: V8 builds its result
 * by concatenation, and a concatenated string stays a tree of pieces while it lives (about 400
 * bytes kept per span in the memory store, measured), where `Buffer#toString` gives a flat one.
 * An execution's own span uses the execution id, so attempt spans can name their parent.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const ID_BYTES = 16;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** A new span id. @example spanId() // '9f2c…' (32 hex characters) */
export function spanId(): string {
  if (offset + ID_BYTES > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
