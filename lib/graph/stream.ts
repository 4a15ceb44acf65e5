// Writing big documents without building them: small pieces are encoded into one reused buffer
// of 1 MiB, written out each time it fills, to a temporary file renamed once complete.

import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * The pieces as UTF-8, packed into chunks of at most `size` bytes (a single bigger piece goes
 * alone). Each chunk is a view of one reused buffer, valid until the next is asked for: encoding
 * straight into it leaves neither a joined string nor a Buffer per chunk behind. For the 180 MB
 * GEXF of a million edges it is as fast as the write stream it replaced (2.5–3.2 s of CPU against
 * 3.0–3.5 s, under load), with one buffer instead of a stream's queue of strings and Buffers.
 */
export function* encodedChunks(pieces: Iterable<string>, size = 1 << 20): Generator<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  let used = 0;
  for (const piece of pieces) {
    // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
    if (used + 3 * piece.length > size) {
      if (used > 0) yield buffer.subarray(0, used);
      used = 0;
      if (3 * piece.length > size) {
        yield Buffer.from(piece);
        continue;
      }
    }
    used += buffer.write(piece, used);
  }
  if (used > 0) yield buffer.subarray(0, used);
}

/**
 * Writes pieces into a file, one chunk at a time, each written before the next is made (so
 * memory stays flat however slow the disk), and the file appears under its name only once
 * complete, so an interrupted write never leaves half a graph behind. Errors are left for the
 * caller to explain.
 */
export async function writePieces(pieces: Iterable<string>, file: string): Promise<void> {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  try {
    const handle = await open(partial, 'w');
    try {
      for (const chunk of encodedChunks(pieces)) {
        for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done)).bytesWritten;
      }
    } finally {
      await handle.close();
    }
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
