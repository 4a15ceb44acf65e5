// Logins: scrypt hashes, named accounts with their own root and rights, anonymous on or off,
// a retry after a wrong password, and the door closed after three wrong ones.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { hashPassword, verifyPassword } from '../lib/ftp/server/index.ts';
import { parseAccount } from '../lib/ftp/server/accounts.ts';
import { ControlConnection } from './peers/ftp-control.ts';
import { makeFtpTree, startTestFtpd } from './peers/ftp-tree.ts';

test('scrypt hashes verify the right password only, and each hash is salted', async () => {
  const first = await hashPassword('correct horse');
  const second = await hashPassword('correct horse');
  assert.match(first, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(first, second);
  assert.equal(await verifyPassword('correct horse', first), true);
  assert.equal(await verifyPassword('correct horsE', first), false);
  assert.equal(await verifyPassword('correct horse', 'plain-text'), false);
  assert.equal(await verifyPassword('x', 'scrypt$99999999$8$1$AAAA$AAAA'), false, 'absurd cost parameters are refused');
});

test('accounts are checked when the config is read', () => {
  assert.deepEqual(parseAccount('bob:scrypt$1$2$3$a$b:rw'), { user: 'bob', passwordHash: 'scrypt$1$2$3$a$b', write: true });
  assert.throws(() => parseAccount('bob:secret'), /not an account/);
  assert.throws(() => parseAccount({ user: 'anonymous', passwordHash: 'scrypt$x' }), /reserved/);
  assert.throws(() => parseAccount({ user: 'a b', passwordHash: 'scrypt$x' }), /not an account/);
});

test('a named account logs in to its own root with its rights; a wrong password can be retried, three cannot', async (t) => {
  const tree = makeFtpTree(t);
  mkdirSync(path.join(tree.root, 'home/alice'), { recursive: true });
  writeFileSync(path.join(tree.root, 'home/alice/notes.txt'), 'alice only\n');
  const accounts = [
    { user: 'alice', passwordHash: await hashPassword('wonderland'), root: 'home/alice', write: true },
    `reader:${await hashPassword('readonly')}`,
  ];
  const { port, lines } = await startTestFtpd(t, { root: tree.root, accounts, anonymous: false });

  const anonymous = await ControlConnection.open(port);
  t.after(() => anonymous.close());
  assert.equal((await anonymous.login()).code, 530);

  const alice = await ControlConnection.open(port);
  t.after(() => alice.close());
  assert.equal((await alice.login('alice', 'wrong')).code, 530);
  assert.equal((await alice.login('alice', 'wonderland')).code, 230, 'USER again after a failed PASS');
  assert.match((await alice.send('PWD')).text, /"\/"/);
  assert.equal((await alice.transfer('RETR notes.txt')).data.toString(), 'alice only\n');
  assert.equal((await alice.transfer('RETR ../../pub/hello.txt')).first.code, 550, 'her root is her chroot');
  assert.equal((await alice.transfer('STOR diary.txt', Buffer.from('dear diary'))).final?.code, 226);
  assert.equal(readFileSync(path.join(tree.root, 'home/alice/diary.txt'), 'utf8'), 'dear diary');
  assert.equal((await alice.send('RNFR diary.txt')).code, 350);
  assert.equal((await alice.send('RNTO journal.txt')).code, 250);
  const made = await alice.send('MKD photos');
  assert.equal(made.code, 257);
  assert.match(made.text, /"\/photos"/);
  assert.ok(!made.text.includes(tree.base), 'MKD names the virtual path only');
  // REST then STOR writes from the offset and keeps what comes before it (ftp-srv truncated).
  assert.equal((await alice.send('REST 5')).code, 350);
  assert.equal((await alice.transfer('STOR journal.txt', Buffer.from('JOURNAL'))).final?.code, 226);
  assert.equal(readFileSync(path.join(tree.root, 'home/alice/journal.txt'), 'utf8'), 'dear JOURNAL');
  assert.equal((await alice.send('DELE journal.txt')).code, 250);

  const reader = await ControlConnection.open(port);
  t.after(() => reader.close());
  assert.equal((await reader.login('reader', 'readonly')).code, 230);
  assert.equal((await reader.transfer('RETR pub/hello.txt')).final?.code, 226);
  assert.equal((await reader.transfer('STOR pub/x.txt', Buffer.from('x'))).first.code, 553);

  const guesser = await ControlConnection.open(port);
  assert.equal((await guesser.login('alice', 'a')).code, 530);
  assert.equal((await guesser.login('nobody', 'b')).code, 530);
  assert.equal((await guesser.login('alice', 'c')).code, 530);
  assert.equal((await guesser.read()).code, 421);
  await guesser.closed;
  assert.ok(lines.some((line) => line.event === 'login-failures'));
  assert.ok(lines.every((line) => line.command !== 'PASS' || line.arg === '***'), 'passwords never reach the log');
});
