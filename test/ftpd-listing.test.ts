// Listings on a raw control connection: LIST, NLST and STAT name a folder that is not there →
// 550, "file unavailable", as CWD and RETR (RFC 959 §4.2), never ftp-srv's 451 "local error";
// pyftpdlib is the reference for the codes, vsftpd is checked for what it does instead.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers.ts';
import { skipBecause, skipWithout } from './peers/available.ts';
import { ControlConnection } from './peers/ftp-control.ts';
import { startPyftpdlib, startVsftpd } from '../peers/ftp-peers.ts';
import { helloText, makeFtpTree, startTestFtpd } from './peers/ftp-tree.ts';

/** Commands on names that cannot be listed, and what each one reaches. */
const missing = ['LIST /nope', 'NLST /nope', 'LIST nope/deeper', 'LIST pub/hello.txt/x', 'STAT /nope'];

/** The first reply to each command: the data connection is opened first for LIST and NLST. */
async function firstReplies(ftp: ControlConnection, commands: string[]): Promise<number[]> {
  const codes: number[] = [];
  for (const command of commands) {
    codes.push(command.startsWith('STAT') ? (await ftp.send(command)).code : (await ftp.transfer(command)).first.code);
  }
  return codes;
}

/** A plain root for a peer: pub/hello.txt (makeFtpTree's links are traps for our own chroot). */
function peerRoot(t: { after(fn: () => unknown): void }): string {
  const root = path.join(tempDir(t), 'root');
  mkdirSync(path.join(root, 'pub'), { recursive: true });
  writeFileSync(path.join(root, 'pub', 'hello.txt'), helloText);
  return root;
}

async function loggedIn(t: { after(fn: () => unknown): void }, port: number): Promise<ControlConnection> {
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  assert.equal((await ftp.login()).code, 230);
  return ftp;
}

test('LIST, NLST and STAT on a missing or unlistable name answer 550, and the connection goes on', async (t) => {
  const tree = makeFtpTree(t);
  const { port, lines } = await startTestFtpd(t, { root: tree.root });
  const ftp = await loggedIn(t, port);
  assert.deepEqual(await firstReplies(ftp, missing), missing.map(() => 550));
  const refused = await ftp.transfer('LIST /nope');
  assert.match(refused.first.text, /^550 \/nope: No such file or directory$/);
  // A link out of the root does not exist for this user: the same 550, naming no real path.
  const escape = await ftp.transfer('LIST escape');
  assert.equal(escape.first.code, 550);
  assert.doesNotMatch(escape.first.text, new RegExp(tree.base));

  // What is there is still listed: a folder, one file, an empty folder.
  const pub = await ftp.transfer('LIST pub');
  assert.deepEqual([pub.first.code, pub.final?.code], [150, 226]);
  assert.match(pub.data.toString(), /^-rw-r--r-- .* hello\.txt\r\n/m);
  assert.equal((await ftp.transfer('NLST pub/hello.txt')).data.toString(), 'hello.txt\r\n');
  const empty = await ftp.transfer('LIST incoming');
  assert.deepEqual([empty.final?.code, empty.data.length], [226, 0]);
  const status = await ftp.send('STAT pub/hello.txt');
  assert.equal(status.code, 213);
  assert.match(status.text, new RegExp(`^-rw-r--r-- .* ${helloText.length} .* hello\\.txt$`, 'm'));
  assert.match((await ftp.send('STAT')).text, /^211 /, 'STAT without a name: the server status');
  assert.notEqual((await ftp.send('MLSD /nope')).code, 451, 'MLSD is not implemented, and not a server failure');

  const listed = lines.filter((line) => line.command === 'LIST');
  assert.ok(listed.some((line) => line.listed === '/nope' && line.code === 550 && line.status === 'refused'), 'the log says what was refused');
  assert.ok(listed.some((line) => line.listed === '/pub' && line.code === 226 && line.entries === 2), 'and what was listed (hello.txt, up)');
});

test('STAT shows a name holding CR LF on one reply line: it cannot end the reply or forge another', async (t) => {
  const tree = makeFtpTree(t);
  writeFileSync(path.join(tree.root, 'pub', 'x\r\n226 forged'), '');
  const { port } = await startTestFtpd(t, { root: tree.root });
  const ftp = await loggedIn(t, port);
  const status = await ftp.send('STAT pub');
  assert.equal(status.code, 213);
  assert.match(status.text, /x\^M\^J226 forged$/m);
  assert.ok(!status.text.split('\n').some((line) => line.startsWith('226')), status.text);
  assert.equal((await ftp.send('NOOP')).code, 200, 'the next reply is the next command’s');
});

test('pyftpdlib, the reference, answers the same 550s', async (t) => {
  if (skipWithout(t, 'pyftpdlib')) return;
  const peer = await startPyftpdlib({ root: peerRoot(t) });
  t.after(() => peer.close());
  const ftp = await loggedIn(t, peer.port);
  assert.deepEqual(await firstReplies(ftp, missing), missing.map(() => 550));
});

test('vsftpd lists a missing folder as empty (150, 226): another answer, but never a server failure', async (t) => {
  if (skipWithout(t, 'vsftpd') || (process.getuid?.() !== 0 && skipBecause(t, 'vsftpd must be started as root (it chroots each session)'))) return;
  const peer = await startVsftpd({ root: peerRoot(t) });
  t.after(() => peer.close());
  const ftp = await loggedIn(t, peer.port);
  const list = await ftp.transfer('LIST /nope');
  assert.deepEqual([list.first.code, list.final?.code, list.data.length], [150, 226, 0]);
  assert.equal((await ftp.send('STAT /nope')).code, 213);
  assert.equal((await ftp.transfer('RETR /nope')).first.code, 550, 'and 550 for a missing file, as we answer');
});

