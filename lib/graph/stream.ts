// Writing big documents without building them: small pieces are batched into chunks of about
// 64 KiB and streamed to a temporary file (with backpressure), renamed once complete.

import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Joins small strings into chunks of at least `size` characters (the last may be shorter). */
export function* batched(pieces: Iterable<string>, size = 65_536): Generator<string> {
  let chunk = '';
  for (const piece of pieces) {
    chunk += piece;
    if (chunk.length >= size) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Streams pieces into a file: pipeline() waits whenever the disk is slower than the generator
 * (backpressure), and the file appears under its name only once complete, so an interrupted
 * write never leaves half a graph behind. Errors are left for the caller to explain.
 */
export async function writePieces(pieces: Iterable<string>, file: string): Promise<void> {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  try {
    await pipeline(Readable.from(batched(pieces)), createWriteStream(partial));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
