import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { promisify } from 'node:util';
import pino from 'pino';
import { isNetlabError } from '../lib/errors.ts';
import { fingerDefaults } from '../lib/finger/config.ts';
import { startConfiguredFingerd } from '../lib/finger/service.ts';
import fingerClient from '../scripts/finger.ts';
import { capture, tempDir } from './helpers.ts';
import { missingPeers, skipBecause } from './peers/available.ts';
import { inetdFingerdUnavailable, startInetdFingerd } from '../peers/finger-inetd.ts';

const run = promisify(execFile);

test('the real BSD finger client (Debian finger) reads our fingerd on port 79', { skip: missingPeers('finger') }, async (t) => {
  const dir = tempDir(t);
  const utmpFile = path.join(dir, 'utmp');
  execFileSync('sh', ['-c', 'utmpdump -r > "$1"', 'sh', utmpFile], {
    input: '[7] [04242] [ts/3] [root    ] [pts/3       ] [192.0.2.7           ] [192.0.2.7      ] [2026-11-24T09:30:00,000000+00:00]\n',
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const queries: string[] = [];
  const log = pino(new Writable({ write: (chunk, _encoding, done) => done(void queries.push(JSON.parse(String(chunk)).query)) }));
  let server;
  try {
    // BSD finger has no port option: it always connects to port 79, so that is where we listen.
    server = await startConfiguredFingerd({ host: '127.0.0.1', port: 79, settings: { ...fingerDefaults, backend: 'builtin', utmpFile }, log });
  } catch (error) {
    if (!isNetlabError(error)) throw error;
    skipBecause(t, `cannot listen on 127.0.0.1:79 (${error.message}); BSD finger only speaks to port 79`);
    return;
  }
  t.after(() => server.close());

  // netkit finger prints the answer as it came (CRLF or not, depending on how it reads it).
  const bsdFinger = async (...args: string[]) => (await run('finger', args, { timeout: 10_000 })).stdout.replace(/\r\n/g, '\n').replace(/^\[127\.0\.0\.1\]\n/, '');
  const user = await bsdFinger('root@127.0.0.1');
  assert.match(user, /^Login: root\s+Name: .*\nDirectory: \/root\s+Shell: \S+\nOn since Tue Nov 24 09:30 \(UTC\) on pts\/3 from 192\.0\.2\.7\n/);
  const long = await bsdFinger('-l', 'root@127.0.0.1');
  assert.match(long, /Login: root/);
  const who = await bsdFinger('@127.0.0.1');
  assert.match(who, /^Login\s+Name\s+Tty\s+Idle\s+Login Time\s+Where\nroot\s+.*pts\/3\s+.*192\.0\.2\.7\n$/);
  const forwarded = await bsdFinger('root@127.0.0.1@127.0.0.1');
  assert.match(forwarded, /Finger forwarding service denied\./, 'BSD finger shows our §3.2.1 refusal');
  assert.deepEqual(queries, ['root', '/W root', '', 'root@127.0.0.1'], 'what BSD finger sent, as our log recorded it');
});

test('our finger client reads the real in.fingerd (Debian fingerd) started by inetd', { skip: inetdFingerdUnavailable() }, async (t) => {
  const peer = await startInetdFingerd();
  t.after(() => peer.stop());
  const port = String(peer.port);

  const user = await capture(fingerClient, ['root@127.0.0.1', '-p', port]);
  assert.equal(user.code, 0, user.stderr);
  assert.match(user.stdout, /^\[127\.0\.0\.1\]\nLogin: root\s+Name: root\nDirectory: \/root\s+Shell: \/bin\/bash\nNever logged in\.\nNo mail\.\nNo Plan\.\n$/, 'in.fingerd ran finger(1) for us');

  const several = await capture(fingerClient, ['-l', '@127.0.0.1', 'nosuchuser@127.0.0.1', 'root@elsewhere@127.0.0.1', '-p', port, '--json']);
  assert.equal(several.code, 0, several.stderr);
  const replies = JSON.parse(several.stdout) as { target: string; query: string; answer: string }[];
  assert.deepEqual(replies.map((reply) => reply.query), ['/W', '/W nosuchuser', '/W root@elsewhere']);
  assert.match(replies[0].answer, /^No one logged on\.\r\n$/);
  assert.match(replies[1].answer, /no such user/);
  assert.match(replies[2].answer, /^fingerd: forwarding not allowed\r\n$/, 'in.fingerd refuses forwarding too');
});
