// Where received bytes go (the server's STOR, the client's RETR): a Writable over a file
// descriptor that gathers the socket's 64 KiB chunks into 1 MiB and writes them with one
// writev — fewer, larger thread-pool trips.

import { close, open, writev, writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';

/** Measured on loopback: 1 MiB batches beat both fs.WriteStream (0.5 → 0.9 GB/s) and larger batches. */
const batchBytes = 1024 * 1024;

export class BatchedFileWriter extends Writable {
  bytesWritten = 0;
  private readonly fd: number;
  /** Where the next byte goes, or null: at the descriptor's own position. */
  private position: number | null;
  private parts: Buffer[] = [];
  private pending = 0;
  /** A writev is in the thread pool; afterWrite is the close that waits for it. */
  private writing = false;
  private afterWrite?: () => void;

  /** `position`: where to write (REST offset), or null to write at the descriptor's own position (append, or a fresh file). */
  constructor(fd: number, position: number | null) {
    super({ highWaterMark: 2 * batchBytes });
    this.fd = fd;
    this.position = position;
  }

  /**
   * A plain binary upload without the stream: the connection reads up to 1 MiB at a time into one
   * reused buffer, written at once to the file (a synchronous write of what the kernel just gave:
   * half the copies and no garbage, ~1.7 GB/s on loopback against ~1 GB/s through the stream, as
   * pyftpdlib does). Resolves at the client's end of file; closes the file either way.
   */
  receive(open: (buffer: Buffer, onRead: (bytes: number, buffer: Buffer) => void) => Socket | undefined, signal: AbortSignal): Promise<void> | undefined {
    const socket = open(Buffer.allocUnsafe(batchBytes), (bytes, buffer) => {
      try {
        for (let done = 0; done < bytes; ) {
          const written = writeSync(this.fd, buffer, done, bytes - done, this.position);
          done += written;
          this.bytesWritten += written;
          if (this.position !== null) this.position += written;
        }
      } catch (error) {
        socket?.destroy(error as Error);
      }
    });
    if (!socket) return undefined;
    return new Promise<void>((resolve, reject) => {
      const stop = () => socket.destroy(new Error('aborted'));
      signal.addEventListener('abort', stop, { once: true });
      socket.once('end', resolve);
      socket.once('close', () => reject(new Error('data connection closed before the end of the file')));
      socket.once('error', reject);
    }).finally(() => this.destroy());
  }

  /** Resolves once the descriptor is closed: every write before it has reached the kernel. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.once('close', () => resolve());
      this.destroy();
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.parts.push(chunk);
    this.pending += chunk.length;
    if (this.pending >= batchBytes) this.flush(done);
    else done();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.flush(done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    // Not under a write still in the thread pool: the number could be reused by another open
    // meanwhile, and the write's bytes land in someone else's file.
    const closeFile = () => close(this.fd, () => done(error));
    if (this.writing) this.afterWrite = closeFile;
    else closeFile();
  }

  private flush(done: (error?: Error | null) => void): void {
    const parts = this.parts;
    this.parts = [];
    this.pending = 0;
    this.writeAll(parts, done);
  }

  /** writev may write less than asked (a full disk, a signal): the rest is written again. */
  private writeAll(parts: Buffer[], done: (error?: Error | null) => void): void {
    if (parts.length === 0) return done();
    if (this.destroyed) return done(new Error('file writer destroyed'));
    this.writing = true;
    writev(this.fd, parts, this.position, (error, written) => {
      this.writing = false;
      if (this.afterWrite) {
        this.afterWrite();
        return done(new Error('file writer destroyed'));
      }
      if (error) return done(error);
      this.bytesWritten += written;
      if (this.position !== null) this.position += written;
      let skip = written;
      const rest: Buffer[] = [];
      for (const part of parts) {
        if (skip >= part.length) skip -= part.length;
        else {
          rest.push(part.subarray(skip));
          skip = 0;
        }
      }
      this.writeAll(rest, done);
    });
  }
}

/**
 * A plain descriptor, not a FileHandle: streams over a number use the callback fs calls, which
 * move a gigabyte noticeably faster than FileHandle's promises; BatchedFileWriter closes it.
 */
export function openDescriptor(file: string, flags: number, mode?: number): Promise<number> {
  return new Promise((resolve, reject) => open(file, flags, mode, (error, fd) => (error ? reject(error) : resolve(fd))));
}
