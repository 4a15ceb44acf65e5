// Interrupted uploads against the real daemon (`netlab start ftpd`, issue 11 parts 3 and 5): kill -9
// mid-STOR, a client reset, ABOR, a full disk and a file size limit leave nothing under the final
// name; the restart sweeps the hidden file; the retry stores the file whole; APPE and REST keep
// working and stay atomic.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { hashPassword } from '../lib/ftp/server/index.ts';
import type { ServiceReport } from '../lib/services/daemon.ts';
import { isolatedEnv, netlabBin, tempDir, waitFor } from './helpers.ts';
import { peerPath, skipBecause, skipWithout } from './peers/available.ts';
import { ControlConnection } from './peers/ftp-control.ts';
import { netlab } from './services-cli.ts';

const execFileAsync = promisify(execFile);
const limit = { timeout: 60_000 };
const MiB = 1024 * 1024;

/** `netlab start ftpd --port 0 ARGS`: the running instance's port and pid. */
async function startDaemon(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ port: number; pid: number }> {
  const started = await netlab(dir, ['start', 'ftpd', '--port', '0', ...args], env);
  assert.equal(started.code, 0, started.stderr);
  const reports = JSON.parse((await netlab(dir, ['status', 'ftpd', '--json'], env)).stdout) as ServiceReport[];
  const running = reports.find((report) => report.status === 'running');
  assert.ok(running?.port && running.pid, JSON.stringify(reports));
  return { port: running.port, pid: running.pid };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What the folder holds, hidden files included. */
function entries(folder: string): string[] {
  return readdirSync(folder).sort();
}

/**
 * STOR (or APPE) begun: 150 received, `bytes` sent on the data connection, and all of them in the
 * hidden file (which starts with `kept` bytes for APPE). Only then is a reset a reset: a socket
 * reset with bytes still queued is closed with a FIN instead, an ordinary end of file.
 */
async function storeHalfway(ftp: ControlConnection, command: string, hidden: string, bytes: Buffer, kept = 0): Promise<net.Socket> {
  const data = (await ftp.openData()) as net.Socket;
  assert.equal((await ftp.send(command)).code, 150);
  data.write(bytes);
  const size = kept + bytes.length;
  await waitFor(() => existsSync(hidden) && statSync(hidden).size >= size, 10_000, `${size} bytes in ${hidden}`);
  return data;
}

test('kill -9 of the daemon mid-STOR: nothing under the final name; the restart sweeps the hidden file; the retry is whole', limit, async (t) => {
  if (skipWithout(t, 'curl')) return;
  const dir = tempDir(t);
  const root = path.join(dir, 'ftp');
  const source = randomBytes(24 * MiB);
  writeFileSync(path.join(dir, 'big.bin'), source);
  const first = await startDaemon(dir, ['--writable', '--root', root]);
  const incoming = path.join(root, 'incoming');
  const hidden = path.join(incoming, '.in.big.bin.');

  const ftp = await ControlConnection.open(first.port);
  t.after(() => ftp.close());
  await ftp.login();
  const data = await storeHalfway(ftp, 'STOR incoming/big.bin', hidden, source.subarray(0, 8 * MiB));

  // While it runs, the hidden file is the server's: not listed, not fetched, not replaced.
  const other = await ControlConnection.open(first.port);
  t.after(() => other.close());
  await other.login();
  assert.equal((await other.transfer('NLST incoming')).data.toString(), '');
  assert.doesNotMatch((await other.transfer('LIST -a incoming')).data.toString(), /\.in\./);
  assert.equal((await other.transfer('RETR incoming/.in.big.bin.')).first.code, 550);
  assert.match((await other.send('SIZE incoming/.in.big.bin.')).text, /^550 .*File name not allowed/);
  assert.equal((await other.transfer('STOR incoming/.in.big.bin.', Buffer.from('x'))).first.code, 553);
  assert.equal((await other.transfer('STOR incoming/big.bin', Buffer.from('x'))).first.code, 450, 'one upload of a name at a time');
  other.close();

  process.kill(first.pid, 'SIGKILL');
  await ftp.closed;
  data.destroy();
  assert.deepEqual(entries(incoming), ['.in.big.bin.'], 'only the hidden part is left, never big.bin');

  const second = await startDaemon(dir, ['--writable', '--root', root]);
  assert.deepEqual(entries(incoming), [], 'the start removed the orphan');
  const log = readFileSync(path.join(dir, 'log/ftpd.log'), 'utf8');
  assert.match(log, /"event":"swept","files":\["\/incoming\/\.in\.big\.bin\."\]/);

  // The same STOR again, by curl: the name is free, and the result is the source, byte for byte.
  await execFileAsync(peerPath('curl')!, ['-sS', '-T', path.join(dir, 'big.bin'), `ftp://127.0.0.1:${second.port}/incoming/big.bin`]);
  assert.deepEqual(entries(incoming), ['big.bin']);
  assert.equal(sha256(readFileSync(path.join(incoming, 'big.bin'))), sha256(source));
});

test('a client reset and ABOR mid-STOR leave nothing; a 226 means the file is there, whole', limit, async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'ftp');
  const { port } = await startDaemon(dir, ['--writable', '--root', root]);
  const incoming = path.join(root, 'incoming');
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  const part = randomBytes(4 * MiB);

  // RST: the client's data connection is reset, not closed (no FIN: a crash, a cable pulled).
  const reset = await storeHalfway(ftp, 'STOR incoming/reset.bin', path.join(incoming, '.in.reset.bin.'), part);
  reset.resetAndDestroy();
  assert.equal((await ftp.read()).code, 426);
  assert.deepEqual(entries(incoming), [], 'no reset.bin, no hidden file');

  // ABOR (RFC 959 §4.1.3): 426 for the transfer, then 226 for the ABOR.
  const aborted = await storeHalfway(ftp, 'STOR incoming/abor.bin', path.join(incoming, '.in.abor.bin.'), part);
  assert.equal((await ftp.send('ABOR')).code, 426);
  assert.equal((await ftp.read()).code, 226);
  aborted.destroy();
  assert.deepEqual(entries(incoming), []);

  // The whole file: at the 226 it is under its name already (the rename comes before the reply).
  const whole = await ftp.transfer('STOR incoming/whole.bin', part);
  assert.equal(whole.final?.code, 226);
  assert.deepEqual(entries(incoming), ['whole.bin']);
  assert.equal(sha256(readFileSync(path.join(incoming, 'whole.bin'))), sha256(part));
});

test('a client killed mid-STOR (its kernel closes both connections with a FIN) or stopped with Ctrl-C gets nothing stored', limit, async (t) => {
  if (skipWithout(t, 'curl')) return;
  const dir = tempDir(t);
  const root = path.join(dir, 'ftp');
  writeFileSync(path.join(dir, 'big.bin'), randomBytes(16 * MiB));
  const { port } = await startDaemon(dir, ['--writable', '--root', root]);
  const incoming = path.join(root, 'incoming');
  const uploads: [string, string[], NodeJS.Signals][] = [
    ['curl.bin', [peerPath('curl')!, '-sS', '--limit-rate', '2M', '-T', path.join(dir, 'big.bin'), `ftp://127.0.0.1:${port}/incoming/curl.bin`], 'SIGKILL'],
    ['ours.bin', [process.execPath, netlabBin, 'ftp', 'put', path.join(dir, 'big.bin'), `ftp://127.0.0.1:${port}/incoming/ours.bin`, '--quiet'], 'SIGINT'],
  ];
  for (const [name, [file, ...args], signal] of uploads) {
    const hidden = path.join(incoming, `.in.${name}.`);
    const child = execFile(file, args, { env: isolatedEnv(dir) });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    t.after(() => child.kill('SIGKILL'));
    await waitFor(() => existsSync(hidden) && statSync(hidden).size > 0, 20_000, `the first bytes of ${name}`);
    child.kill(signal);
    await exited;
    await waitFor(() => !existsSync(hidden), 10_000, `the server to drop ${hidden}`);
    assert.deepEqual(entries(incoming), [], `${name}: nothing under the final name`);
  }
});

test('APPE and REST go through the hidden file too: an interrupted append leaves the old file as it was', limit, async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'ftp');
  mkdirSync(root);
  writeFileSync(path.join(root, 'notes.txt'), 'abc');
  const account = `alice:${await hashPassword('s3cret')}:rw`;
  const { port } = await startDaemon(dir, ['--root', root], { NETLAB_FTP_ACCOUNTS: account });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  assert.equal((await ftp.login('alice', 's3cret')).code, 230);

  assert.equal((await ftp.transfer('APPE notes.txt', Buffer.from('def'))).final?.code, 226);
  assert.equal(readFileSync(path.join(root, 'notes.txt'), 'utf8'), 'abcdef');
  const broken = await storeHalfway(ftp, 'APPE notes.txt', path.join(root, '.in.notes.txt.'), Buffer.from('ghi'), 6);
  broken.resetAndDestroy();
  assert.equal((await ftp.read()).code, 426);
  assert.equal(readFileSync(path.join(root, 'notes.txt'), 'utf8'), 'abcdef', 'the append did not happen, not even in part');

  assert.equal((await ftp.send('REST 3')).code, 350);
  assert.equal((await ftp.transfer('STOR notes.txt', Buffer.from('XYZ'))).final?.code, 226);
  assert.equal(readFileSync(path.join(root, 'notes.txt'), 'utf8'), 'abcXYZ', 'REST keeps the first 3 bytes');
  assert.equal((await ftp.send('REST 100')).code, 350);
  assert.match((await ftp.transfer('STOR notes.txt', Buffer.from('x'))).first.text, /^554 \/notes\.txt: REST 100 is beyond the end of the file \(6 bytes\)/);
  assert.equal((await ftp.transfer('APPE fresh.txt', Buffer.from('new'))).final?.code, 226, 'APPE creates a missing file');
  assert.deepEqual(entries(root).filter((name) => name.startsWith('.in.')), []);
});

test('a full disk answers 452 and leaves no file', limit, async (t) => {
  if (process.getuid?.() !== 0) return void skipBecause(t, 'mounting a 1 MiB tmpfs needs root');
  const small = mkdtempSync(path.join(os.tmpdir(), 'netlab-tmpfs-'));
  try {
    await execFileAsync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small]);
  } catch (error) {
    rmSync(small, { recursive: true, force: true });
    return void skipBecause(t, `this machine does not allow a tmpfs mount (${(error as Error).message.split('\n')[0]})`);
  }
  t.after(async () => {
    await execFileAsync('umount', ['-l', small]).catch(() => undefined);
    rmSync(small, { recursive: true, force: true });
  });
  const dir = tempDir(t);
  const { port } = await startDaemon(dir, ['--writable', '--root', small]);
  const incoming = path.join(small, 'incoming');
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  const full = await ftp.transfer('STOR incoming/too-big.bin', randomBytes(2 * MiB));
  assert.equal(full.final?.code, 452, full.final?.text);
  assert.match(full.final!.text, /No space left on device: transfer aborted, nothing stored/);
  assert.deepEqual(entries(incoming), []);
  assert.equal((await ftp.transfer('STOR incoming/fits.bin', Buffer.from('fits'))).final?.code, 226, 'the space came back');
});

test('a file size limit (RLIMIT_FSIZE, as a quota) answers 552 and leaves no file', limit, async (t) => {
  if (skipWithout(t, 'prlimit')) return;
  const dir = tempDir(t);
  const root = path.join(dir, 'ftp');
  // The limit is inherited by the daemon; Node ignores SIGXFSZ, so the write past it fails with EFBIG.
  const started = await execFileAsync(peerPath('prlimit')!, [`--fsize=${2 * MiB}`, netlabBin, 'start', 'ftpd', '--port', '0', '--writable', '--root', root], { env: isolatedEnv(dir) });
  assert.match(started.stdout, /ftpd@\d+ started/);
  const [{ port }] = JSON.parse((await netlab(dir, ['status', 'ftpd', '--json'])).stdout) as ServiceReport[];
  const ftp = await ControlConnection.open(port!);
  t.after(() => ftp.close());
  await ftp.login();
  const over = await ftp.transfer('STOR incoming/over.bin', randomBytes(3 * MiB));
  assert.equal(over.final?.code, 552, over.final?.text);
  assert.match(over.final!.text, /File too large: transfer aborted, nothing stored/);
  assert.deepEqual(entries(path.join(root, 'incoming')), []);
});
