// ftpd's data connection: a binary STOR moves the socket's handle (a private field of node:net) to a
// socket that reads straight into the file writer's buffer. CI runs this on every Node it supports,
// so a Node that changes net.Socket's insides shows here, not as a slower or broken upload.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { DataChannel } from '../lib/ftp/server/data-channel.ts';
import { ControlConnection } from './peers/ftp-control.ts';
import { makeFtpTree, startTestFtpd } from './peers/ftp-tree.ts';

test('a binary STOR reads through the moved socket handle and stores every byte', async (t) => {
  const readInto = t.mock.method(DataChannel.prototype, 'readInto');
  const tree = makeFtpTree(t);
  const { port, lines } = await startTestFtpd(t, { root: tree.root, writable: true });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  assert.equal((await ftp.login()).code, 230);
  assert.equal((await ftp.send('TYPE I')).code, 200);

  // Several of the writer's 1 MiB reads, and a last one that is not full.
  const payload = randomBytes(5 * 1024 * 1024 + 3);
  const { first, final } = await ftp.transfer('STOR incoming/big.bin', payload);
  assert.equal(first.code, 150, first.text);
  assert.equal(final?.code, 226, final?.text);

  // The direct path was taken: readInto gave a socket (undefined would mean the stream fallback).
  assert.equal(readInto.mock.callCount(), 1);
  assert.ok(readInto.mock.calls[0].result instanceof net.Socket, 'readInto fell back to the stream');
  assert.ok(readFileSync(path.join(tree.root, 'incoming/big.bin')).equals(payload), 'the stored file differs from the upload');
  assert.equal(lines.find((line) => line.command === 'STOR')?.bytes, payload.length);
});
