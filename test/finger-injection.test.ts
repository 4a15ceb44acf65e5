import assert from 'node:assert/strict';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fingerDefaults, type FingerConfig } from '../lib/finger/config.ts';
import { startConfiguredFingerd } from '../lib/finger/service.ts';
import { rawExchange, tempDir } from './helpers.ts';
import { missingPeers } from './peers/available.ts';

const marker = path.join(os.tmpdir(), `netlab-finger-pwned-${process.pid}`);
const pwned = '/tmp/PWNED';

/** The corpus: each line is sent as a query; the comment says what a naive fingerd would do. */
const corpus: string[] = [
  'a;touch /tmp/PWNED', // sh -c "finger a;touch /tmp/PWNED"
  `a;touch\${IFS}${marker}`, // the same without a space, so it reaches the backend as one name
  `$(touch\${IFS}${marker})`,
  `\`touch\${IFS}${marker}\``,
  `|touch\${IFS}${marker}`,
  '$(id)',
  '`id`',
  '|id',
  "a'b\"c",
  'a\nb', // a second line: only "a" is the query
  '-l', // an option for finger(1) if passed before "--"
  '--help',
  '../../etc/passwd',
  'a\x00b',
  '\x1b]0;owned\x07',
];

for (const backendName of ['builtin', 'system'] as const) {
  // The system backend runs finger(1).
  const skip = backendName === 'system' && missingPeers('finger');
  test(`injection corpus against the ${backendName} backend: no command runs, the server stays up, each gets a sensible line`, { skip }, async (t) => {
    const preexisting = existsSync(pwned);
    rmSync(marker, { force: true });
    const settings: FingerConfig = { ...fingerDefaults, backend: backendName };
    const server = await startConfiguredFingerd({ host: '127.0.0.1', port: 0, settings });
    t.after(() => server.close());
    const port = server.address.port;

    for (const query of corpus) {
      const answer = await rawExchange(port, `${query}\r\n`);
      assert.match(answer, /\r\n$/, `${JSON.stringify(query)} got a complete answer`);
      assert.match(answer, /no such user|^finger: (one user per query|control characters|malformed)/, `${JSON.stringify(query)} → ${JSON.stringify(answer)}`);
      assert.doesNotMatch(answer, /uid=\d+|Login: root|Usage|usage:/, `${JSON.stringify(query)} ran nothing and was no option`);
    }
    const printableGarbage = Array.from({ length: 10_240 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 94))).join('');
    assert.equal(await rawExchange(port, printableGarbage), 'finger: query longer than 512 bytes\r\n');
    const binaryGarbage = Buffer.from(Array.from({ length: 10_240 }, (_, i) => (i * 7919) % 256));
    assert.match(await rawExchange(port, binaryGarbage), /^finger: [^\r\n]+\r\n$/, '10 KB of bytes: one line of refusal');
    assert.equal(await rawExchange(port, Buffer.from('root\x00\r\n')), 'finger: control characters are not allowed in a query\r\n');

    assert.equal(existsSync(marker), false, `${marker} was created: a query reached a shell`);
    if (!preexisting) assert.equal(existsSync(pwned), false, '/tmp/PWNED was created: a query reached a shell');
    assert.match(await rawExchange(port, 'root\r\n'), /^Login: root/, 'and the server still answers');
  });
}

test('the system backend gives the finger program the name as ONE argument, after "--"', async (t) => {
  const dir = tempDir(t);
  const fakeFinger = path.join(dir, 'finger');
  // A stand-in finger(1) that prints each argument it received in brackets.
  writeFileSync(fakeFinger, '#!/bin/sh\nfor arg in "$@"; do printf "[%s]\\n" "$arg"; done\n');
  chmodSync(fakeFinger, 0o755);
  const settings: FingerConfig = { ...fingerDefaults, backend: 'system', fingerBinary: fakeFinger };
  const server = await startConfiguredFingerd({ host: '127.0.0.1', port: 0, settings });
  t.after(() => server.close());
  const port = server.address.port;
  assert.equal(await rawExchange(port, `a;touch\${IFS}${marker}\r\n`), `[--]\r\n[a;touch\${IFS}${marker}]\r\n`);
  assert.equal(await rawExchange(port, '/W -l\r\n'), '[-l]\r\n[--]\r\n[-l]\r\n', '/W is our -l; the user "-l" stays a name');
  assert.equal(await rawExchange(port, '\r\n'), '', 'the list is the program with no argument');
  assert.equal(existsSync(marker), false);
});

test('the system backend stops a finger program that runs too long or writes too much', async (t) => {
  const dir = tempDir(t);
  const slow = path.join(dir, 'slow-finger');
  writeFileSync(slow, '#!/bin/sh\nsleep 30\n');
  const chatty = path.join(dir, 'chatty-finger');
  writeFileSync(chatty, '#!/bin/sh\nexec yes "all work and no play"\n');
  chmodSync(slow, 0o755);
  chmodSync(chatty, 0o755);
  const slowServer = await startConfiguredFingerd({ host: '127.0.0.1', port: 0, settings: { ...fingerDefaults, backend: 'system', fingerBinary: slow, answerTimeout: 0.5 } });
  t.after(() => slowServer.close());
  assert.match(await rawExchange(slowServer.address.port, 'root\r\n'), /^finger: no answer: .*did not answer within 0\.5 s\r\n$/);
  const chattyServer = await startConfiguredFingerd({ host: '127.0.0.1', port: 0, settings: { ...fingerDefaults, backend: 'system', fingerBinary: chatty, maxAnswerBytes: 1000 } });
  t.after(() => chattyServer.close());
  const answer = await rawExchange(chattyServer.address.port, 'root\r\n');
  assert.ok(answer.length < 1100, `${answer.length} bytes`);
  assert.match(answer, /^(all work and no play\r\n)+.*\[answer cut at 1000 bytes\]\r\n$/s);
});
