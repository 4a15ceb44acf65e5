// `netlab ftpd` as a student runs it: first start creates data/ftp from the template (welcome
// file, pub/ with the files the docs fetch, incoming/) and never touches it again, the request log
// gets one line per command, --hash-password makes a usable hash.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import ftpd from '../scripts/ftpd.ts';
import { verifyPassword } from '../lib/ftp/server/index.ts';
import { packageRoot } from '../lib/paths.ts';
import { isolatedEnv, startServerExercise, tempDir } from './helpers.ts';
import { missingPeers, skipWithout } from './peers/available.ts';

const run = promisify(execFile);

test('first start creates data/ftp with a welcome file and incoming/; the log has a line per command', { skip: missingPeers('curl') }, async (t) => {
  const dir = tempDir(t);
  const env = isolatedEnv(dir);
  const signalListeners = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');
  const { server, output, stop } = await startServerExercise(ftpd, ['--port', '0', '--writable'], { env });
  t.after(() => stop());
  const root = path.join(dir, 'data', 'ftp');
  assert.ok(existsSync(path.join(root, 'incoming')));
  assert.match(output().stdout, /serving .*data\/ftp; anonymous read \+ uploads to incoming\//);
  assert.equal(process.listenerCount('SIGTERM') + process.listenerCount('SIGINT'), signalListeners, "ftp-srv's process.exit handlers are removed");
  if (skipWithout(t, 'curl')) return;

  const url = `ftp://127.0.0.1:${server.address.port}`;
  const { stdout } = await run('curl', ['-sS', `${url}/welcome.txt`]);
  assert.equal(stdout, readFileSync(path.join(import.meta.dirname, '../data/fixtures/ftp/welcome.txt'), 'utf8'));
  await run('curl', ['-sS', '-T', path.join(import.meta.dirname, '../data/fixtures/ftp/welcome.txt'), `${url}/incoming/copy.txt`]);
  assert.ok(existsSync(path.join(root, 'incoming/copy.txt')));
  await stop();

  const log = readFileSync(path.join(dir, 'log', 'ftpd.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const retr = log.find((line) => line.command === 'RETR');
  assert.equal(retr.file, '/welcome.txt');
  assert.equal(retr.code, 226);
  assert.equal(retr.direction, 'o');
  assert.equal(retr.bytes, stdout.length);
  assert.equal(retr.status, 'c');
  assert.ok(log.some((line) => line.command === 'STOR' && line.direction === 'i' && line.code === 226));
  assert.ok(!log.some((line) => /bunyan|ftp-srv/.test(JSON.stringify(line)) && line.level >= 40), 'no bunyan noise at warn level');
});

const template = path.join(packageRoot, 'data/fixtures/ftp');

test('a fresh data folder serves what the README and docs fetch; a second start leaves the user’s changes', async (t) => {
  const dir = tempDir(t);
  const first = await startServerExercise(ftpd, ['--port', '0'], { env: isolatedEnv(dir) });
  t.after(() => first.stop());
  // The documented commands, word for word: no port in the URL means config ports.ftp.
  const client = { env: isolatedEnv(dir, { NETLAB_PORTS_FTP: String(first.server.address.port) }), cwd: path.join(dir, 'work') };
  mkdirSync(client.cwd);
  const netlab = (...args: string[]) => run(process.execPath, [path.join(packageRoot, 'bin/netlab.js'), ...args], client);
  const listing = (await netlab('ftp', 'ls', 'ftp://127.0.0.1/pub')).stdout;
  assert.match(listing, /^-rw-r--r-- .* readme\.txt$/m);
  assert.match(listing, /^-rw-r--r-- .* ports\.txt$/m);
  const readme = readFileSync(path.join(template, 'pub/readme.txt'), 'utf8');
  assert.match((await netlab('ftp', 'get', 'ftp://127.0.0.1/pub/readme.txt')).stdout, /^received \d+ B .* → .*readme\.txt$/m);
  assert.equal(readFileSync(path.join(client.cwd, 'readme.txt'), 'utf8'), readme);
  assert.equal((await netlab('ftp', 'get', 'ftp://127.0.0.1/pub/readme.txt', '-')).stdout, readme);
  assert.equal((await netlab('ftp', 'get', 'ftp://127.0.0.1/welcome.txt', '-')).stdout, readFileSync(path.join(template, 'welcome.txt'), 'utf8'));
  await first.stop();

  // The root is the user's now: an edited file and a deleted one stay as they left them.
  const root = path.join(dir, 'data', 'ftp');
  writeFileSync(path.join(root, 'pub/readme.txt'), 'my notes\n');
  rmSync(path.join(root, 'welcome.txt'));
  const second = await startServerExercise(ftpd, ['--port', '0'], { env: isolatedEnv(dir) });
  await second.stop();
  assert.equal(readFileSync(path.join(root, 'pub/readme.txt'), 'utf8'), 'my notes\n');
  assert.ok(!existsSync(path.join(root, 'welcome.txt')), 'a deleted template file is not brought back');
});

test('--hash-password reads a password from stdin and prints a hash that verifies', async (t) => {
  const script = path.join(import.meta.dirname, '../scripts/ftpd.ts');
  const child = run(process.execPath, ['--import', 'tsx', script, '--hash-password'], { env: isolatedEnv(tempDir(t)) });
  child.child.stdin!.end('open sesame\n');
  const { stdout } = await child;
  const hash = stdout.trim();
  assert.equal(await verifyPassword('open sesame', hash), true);
  assert.equal(await verifyPassword('open sesame!', hash), false);
});
