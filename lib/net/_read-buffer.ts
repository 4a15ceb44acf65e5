// The one place that gives an accepted socket net.Socket's `onread` (reads into one buffer of
// ours, no Buffer allocated per read): net.Server has no such option, only the Socket constructor.

import type net from 'node:net';

/** What net's onread callback gets: the byte count in `buffer`; return false to stop reading. */
export type ReadCallback = (count: number, buffer: Buffer) => boolean;

/**
 * Makes `socket` (just accepted, before any read) read into `buffer` and call `callback` instead of
 * emitting 'data'; 'end', 'error', 'close', pause() and resume() behave as before. It sets what
 * the `onread` option sets: net's own kBuffer/kBufferCb fields (found by their symbol names) and
 * the handle's useUserBuffer(). Returns false, changing nothing, where those are not there (another
 * runtime or Node version): the caller then keeps the 'data' path.
 */
export function readIntoBuffer(socket: net.Socket, buffer: Buffer, callback: ReadCallback): boolean {
  const fields = socket as unknown as Record<symbol, unknown> & { _handle?: { useUserBuffer?: (buffer: Uint8Array) => void } };
  const symbols = Object.getOwnPropertySymbols(socket);
  const kBuffer = symbols.find((symbol) => symbol.description === 'kBuffer');
  const kBufferCb = symbols.find((symbol) => symbol.description === 'kBufferCb');
  const handle = fields._handle;
  if (!kBuffer || !kBufferCb || fields[kBuffer] !== null || typeof handle?.useUserBuffer !== 'function') return false;
  handle.useUserBuffer(buffer);
  fields[kBuffer] = buffer;
  fields[kBufferCb] = callback;
  return true;
}
