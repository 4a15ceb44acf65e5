// Writing big documents without building them: small pieces are joined into strings of ~16 K
// characters, encoded into two reused buffers of 1 MiB taken in turn, each written out once
// full while the other fills, to a temporary file renamed once complete.

import { rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { NetlabError } from '../errors.ts';

/**
 * The pieces as UTF-8, packed into chunks of at most `size` bytes (a single bigger piece goes
 * alone). Each chunk is a view of one of `buffers` reused buffers, taken in turn, so it stays
 * valid until `buffers` more chunks are asked for (the next one, with the default of 1): no
 * Buffer is made per chunk, and no string grows past ~16 K characters (unless one piece does).
 * A piece already encoded (a Uint8Array) is a chunk of its own, as it is.
 */
export function* encodedChunks(pieces: Iterable<string | Uint8Array>, size = 1 << 20, buffers = 1): Generator<Buffer> {
  const pool = Array.from({ length: buffers }, () => Buffer.allocUnsafe(size));
  let turn = 0;
  let buffer = pool[0];
  let used = 0;
  function* flush(): Generator<Buffer> {
    if (used === 0) return;
    yield buffer.subarray(0, used);
    turn = (turn + 1) % buffers;
    buffer = pool[turn];
    used = 0;
  }
  function* encode(text: string): Generator<Buffer> {
    // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
    if (used + 3 * text.length > size) {
      yield* flush();
      if (3 * text.length > size) {
        yield Buffer.from(text);
        return;
      }
    }
    used += buffer.write(text, used);
  }
  // Pieces are joined into strings of about 16 K characters first: one Buffer.write per piece (a
  // million for a million edges) took about a quarter more CPU than joining them (2.1–2.7 s against 2.5–3.5 s).
  let pending = '';
  for (const piece of pieces) {
    if (typeof piece !== 'string') {
      yield* encode(pending);
      pending = '';
      yield* flush();
      yield Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      continue;
    }
    pending += piece;
    if (pending.length < 16_384) continue;
    yield* encode(pending);
    pending = '';
  }
  yield* encode(pending);
  yield* flush();
}

/**
 * A hidden file beside `file`: ".NAME" + `suffix`, with NAME cut short where the whole would pass
 * the 255 bytes a file name may have (Linux's NAME_MAX), so that any name the user may give works.
 */
export function hiddenBeside(file: string, suffix: string): string {
  // Whole characters (code points) are dropped, never half of a surrogate pair.
  const characters = [...path.basename(file)];
  while (characters.length > 0 && Buffer.byteLength(`.${characters.join('')}${suffix}`) > 255) characters.pop();
  return path.join(path.dirname(file), `.${characters.join('')}${suffix}`);
}

/** Where writePieces keeps `file` until it is complete. */
export function partialFile(file: string): string {
  return hiddenBeside(file, `.${process.pid}.partial`);
}

/**
 * Removes `files` if the process exits before the returned function is called: a second Ctrl-C
 * ends netlab at once (process.exit, lib/cli/process.ts), and no `finally` runs then.
 */
export function removedOnExit(...files: string[]): () => void {
  const remove = () => {
    for (const file of files) {
      try {
        rmSync(file, { force: true });
      } catch {
        // exiting anyway: nothing more to do about it
      }
    }
  };
  process.once('exit', remove);
  return () => process.off('exit', remove);
}

/**
 * Writes pieces into a file, one chunk at a time, at most one chunk written while the next is
 * made (so memory stays flat however slow the disk), and the file appears under its name only
 * once complete, so an interrupted write never leaves half a graph behind. `signal` (Ctrl-C)
 * stops it between two chunks. Errors are left for the caller to explain.
 */
export async function writePieces(pieces: Iterable<string | Uint8Array>, file: string, signal?: AbortSignal): Promise<void> {
  const partial = partialFile(file);
  const cancelRemoval = removedOnExit(partial);
  try {
    const handle = await open(partial, 'w');
    try {
      const writeAll = async (chunk: Buffer) => {
        for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done)).bytesWritten;
      };
      // Two buffers in turn: the thread pool writes one chunk while this thread encodes the next,
      // which overlaps the 177 MB of the million-edge GEXF's writes with making them.
      let writing: Promise<void> = Promise.resolve();
      try {
        for (const chunk of encodedChunks(pieces, 1 << 20, 2)) {
          await writing;
          if (signal?.aborted) throw new NetlabError('E_INTERRUPTED', `interrupted: ${file} was not written`);
          writing = writeAll(chunk);
        }
      } finally {
        // Never close the file under a write still in flight (its error, if any, wins below).
        await writing.catch(() => {});
      }
      await writing;
    } finally {
      await handle.close();
    }
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    cancelRemoval();
  }
}
