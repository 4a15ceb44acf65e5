// The writer behind ftpd's STOR and the client's downloads: 1 MiB batches on a plain descriptor,
// closed only once no write is left in the thread pool.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers.ts';

// A busy thread pool, made visible: while `pool.holding`, every writev waits in the pool until the
// test lets it go, and each writev, its completion and each close are written down, per descriptor.
// The writer must be imported after this, so that its bindings of fs.writev and fs.close are these.
const realWritev = fs.writev;
const realClose = fs.close;
const pool = {
  holding: false,
  held: [] as (() => void)[],
  events: [] as string[],
  arrived: () => {},
  /** Resolves once a writev waits in the pool. */
  waiting(): Promise<void> {
    return this.held.length ? Promise.resolve() : new Promise((resolve) => (this.arrived = resolve));
  },
  release(): void {
    for (const go of this.held.splice(0)) go();
  },
};
(fs as { writev: unknown }).writev = (fd: number, buffers: NodeJS.ArrayBufferView[], position: number, callback: (...a: unknown[]) => void) => {
  pool.events.push(`writev ${fd}`);
  const go = () =>
    realWritev(fd, buffers, position, (...results) => {
      pool.events.push(`written ${fd}`);
      callback(...results);
    });
  if (!pool.holding) return go();
  pool.held.push(go);
  pool.arrived();
};
(fs as { close: unknown }).close = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
  pool.events.push(`close ${fd}`);
  realClose(fd, callback);
};
syncBuiltinESMExports();
const { BatchedFileWriter } = await import('../lib/ftp/file-writer.ts');

test('batches reach the file in order, at the given position', async (t) => {
  const file = path.join(tempDir(t), 'out.bin');
  fs.writeFileSync(file, Buffer.alloc(10, 0x2e));
  const writer = new BatchedFileWriter(fs.openSync(file, 'r+'), 4);
  const closed = new Promise((resolve) => writer.once('close', resolve));
  writer.write(Buffer.alloc(1024 * 1024, 0x41));
  writer.end(Buffer.from('end'));
  await closed;
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.length, 4 + 1024 * 1024 + 3);
  assert.equal(bytes.subarray(0, 4).toString(), '....');
  assert.equal(bytes.subarray(-3).toString(), 'end');
  assert.equal(writer.bytesWritten, 1024 * 1024 + 3);
});

test('destroyed during a write, it closes its file only after that write: a new open cannot get the number and the bytes', async (t) => {
  const folder = tempDir(t);
  const fd = fs.openSync(path.join(folder, 'download.bin'), 'w');
  const writer = new BatchedFileWriter(fd, 0);
  writer.on('error', () => {});
  const closed = new Promise((resolve) => writer.once('close', resolve));
  pool.holding = true;
  t.after(() => void (pool.holding = false));
  writer.write(Buffer.alloc(2 * 1024 * 1024, 0x41)); // over 1 MiB: a writev goes out at once
  await pool.waiting();
  writer.destroy(new Error('interrupted')); // Ctrl-C, or the data connection reset, while the write is in the pool
  const other = path.join(folder, 'unrelated.txt');
  const otherFd = fs.openSync(other, 'w'); // opened while the write is still on its way
  pool.release();
  await closed;
  fs.closeSync(otherFd);
  const events = pool.events.filter((event) => event.endsWith(` ${fd}`));
  assert.equal(events.at(-1), `close ${fd}`, `the descriptor is closed last: ${events.join(', ')}`);
  assert.equal(events.filter((event) => event.startsWith('written')).length, events.filter((event) => event.startsWith('writev')).length, 'every write came back first');
  assert.equal(fs.statSync(other).size, 0);
});
