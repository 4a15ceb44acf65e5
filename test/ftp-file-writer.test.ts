// The writer behind ftpd's STOR and the client's downloads: 1 MiB batches on a plain descriptor,
// closed only once no write is left in the thread pool.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from './helpers.ts';

// A busy thread pool, made visible: every writev starts its work 50 ms late. The writer must be
// imported after this, so that its binding of fs.writev is the slow one.
const realWritev = fs.writev;
(fs as { writev: unknown }).writev = (...args: Parameters<typeof fs.writev>) => setTimeout(() => (realWritev as (...a: unknown[]) => void)(...args), 50);
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
  const writer = new BatchedFileWriter(fs.openSync(path.join(folder, 'download.bin'), 'w'), 0);
  writer.on('error', () => {});
  const closed = new Promise((resolve) => writer.once('close', resolve));
  writer.write(Buffer.alloc(2 * 1024 * 1024, 0x41)); // over 1 MiB: a writev goes out at once
  await sleep(5);
  writer.destroy(new Error('interrupted')); // Ctrl-C, or the data connection reset
  await sleep(10);
  const other = path.join(folder, 'unrelated.txt');
  const otherFd = fs.openSync(other, 'w'); // opened while the write is still on its way
  await closed;
  await sleep(100); // time for a write aimed at a reused number to land
  fs.closeSync(otherFd);
  assert.equal(fs.statSync(other).size, 0);
});
