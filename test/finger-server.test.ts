import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { NetlabError } from '../lib/errors.ts';
import { packageRoot } from '../lib/paths.ts';
import { resolveBackendName } from '../lib/finger/backend.ts';
import { finger } from '../lib/finger/client.ts';
import { fingerDefaults, type FingerConfig } from '../lib/finger/config.ts';
import { createBackend, startConfiguredFingerd } from '../lib/finger/service.ts';
import fingerd from '../scripts/fingerd.ts';
import { isolatedEnv, rawExchange, startServerExercise, tempDir, waitFor } from './helpers.ts';

const builtin: FingerConfig = { ...fingerDefaults, backend: 'builtin' };

async function fingerdOn(t: { after(fn: () => unknown): void }, settings: Partial<FingerConfig> = {}) {
  const server = await startConfiguredFingerd({ host: '127.0.0.1', port: 0, settings: { ...builtin, ...settings } });
  t.after(() => server.close());
  return server.address.port;
}

function ask(port: number, line: string) {
  return finger({ host: '127.0.0.1', port, line, connectTimeoutMs: 2_000, readTimeoutMs: 5_000 });
}

test('fingerd runs as the lab asks: a user answered in CRLF lines, the pidfile from config, one log line per request', async (t) => {
  const dir = tempDir(t);
  const pidfile = path.join(dir, 'finger.pid');
  const env = isolatedEnv(dir, { NETLAB_FINGER_BACKEND: 'builtin', NETLAB_PID_FILES_FINGERD: pidfile });
  const running = await startServerExercise(fingerd, ['--port', '0'], { env });
  t.after(() => running.stop());
  assert.equal(readFileSync(pidfile, 'utf8'), `${process.pid}\n`, 'pidFiles.fingerd is where the pid goes (the lab: /tmp/finger.pid)');

  const reply = await ask(running.server.address.port, 'root');
  assert.match(reply.text, /^Login: root\s+Name: .*\r\nDirectory: \/root\s+Shell: \S+\r\n/);
  assert.ok(reply.text.split('\r\n').slice(0, -1).every((line) => !line.includes('\n')), 'every line ends in CRLF');
  await ask(running.server.address.port, 'nobody-here');

  const stopped = await running.stop();
  assert.equal(stopped.code, 0);
  assert.equal(existsSync(pidfile), false, 'the pidfile goes away on stop');
  const entries = readFileSync(path.join(dir, 'log', 'fingerd.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const requests = entries.filter((entry) => entry.msg === 'finger');
  assert.equal(requests.length, 2);
  assert.deepEqual(
    requests.map(({ query, backend, outcome }) => ({ query, backend, outcome })),
    [{ query: 'root', backend: 'builtin', outcome: 'ok' }, { query: 'nobody-here', backend: 'builtin', outcome: 'no-such-user' }],
  );
  for (const entry of requests) {
    assert.match(entry.client, /^127\.0\.0\.1:\d+$/);
    assert.ok(typeof entry.time === 'string' && entry.bytes > 0 && entry.durationMs >= 0, JSON.stringify(entry));
  }
});

test('an empty line lists who is logged in, and /W is accepted', async (t) => {
  const port = await fingerdOn(t, { utmpFile: '/nonexistent' });
  assert.equal((await ask(port, '')).text, 'No one logged on.\r\n');
  assert.equal((await ask(port, '/W')).text, 'No one logged on.\r\n');
});

test('RFC 1288 §3.2.1: user@host is refused by default, with one line', async (t) => {
  const port = await fingerdOn(t);
  for (const line of ['root@127.0.0.1', '@127.0.0.1', '/W root@a@b']) {
    const { text } = await ask(port, line);
    assert.match(text, /^Finger forwarding service denied\..*\r\n$/);
    assert.equal(text.split('\r\n').length, 2, 'exactly one line');
  }
});

test('with forwarding on, user@host goes exactly one hop, through our client', async (t) => {
  const far = await fingerdOn(t);
  const near = await fingerdOn(t, { allowForwarding: true, forwardPort: far });
  const forwarded = await ask(near, 'root@127.0.0.1');
  assert.match(forwarded.text, /^\[127\.0\.0\.1\]\r\nLogin: root/);
  const twoHops = await ask(near, 'root@127.0.0.1@127.0.0.1');
  assert.match(twoHops.text, /^\[127\.0\.0\.1\]\r\nFinger forwarding service denied/, 'the next server applies its own policy');
  const nowhere = await ask(near, 'root@127.0.0.1@does-not-exist.invalid');
  // Where no resolver answers at all, the lookup runs into the answer timeout instead: also one line.
  assert.match(nowhere.text, /^finger: no answer: (host "does-not-exist\.invalid" not found|no answer from tcp .* in time)[^\r\n]*\r\n$/);
});

test('a query line over 512 bytes gets one line and the connection closes', async (t) => {
  const port = await fingerdOn(t);
  assert.equal(await rawExchange(port, `${'x'.repeat(600)}\r\n`), 'finger: query longer than 512 bytes\r\n');
  assert.equal(await rawExchange(port, 'y'.repeat(10_000)), 'finger: query longer than 512 bytes\r\n', 'no CRLF needed to be cut off');
  assert.match(await rawExchange(port, `${'z'.repeat(512)}\r\n`), /no such user/, '512 bytes is still a query');
  assert.equal(await rawExchange(port, `${'z'.repeat(513)}\r\n`), 'finger: query longer than 512 bytes\r\n');
});

test('a client that sends no line in time is told so and dropped', async (t) => {
  const port = await fingerdOn(t, { queryTimeout: 0.3 });
  const started = Date.now();
  assert.equal(await rawExchange(port, 'roo'), 'finger: no query line within 0.3 s\r\n');
  assert.ok(Date.now() - started >= 250);
});

test('a client that half-closes without CRLF is still answered', async (t) => {
  const port = await fingerdOn(t);
  assert.match(await rawExchange(port, 'root', { halfClose: true }), /^Login: root/);
});

test('connections over the cap get a one-line "busy" and the server keeps serving', async (t) => {
  const port = await fingerdOn(t, { maxConnections: 1, queryTimeout: 2 });
  const holder = net.connect({ host: '127.0.0.1', port });
  t.after(() => holder.destroy());
  await new Promise((resolve) => holder.once('connect', resolve));
  // The handshake is done, but the server may not have counted the holder yet: until it has, a
  // probe is answered in full (and leaves). Only "busy" ends the wait, so it cannot pass without one.
  const busy = 'finger: server busy, try again in a moment\r\n';
  await waitFor(async () => (await rawExchange(port, 'root\r\n')) === busy, 3_000, 'the holder counted, a second client told "busy"');
  holder.destroy();
  await waitFor(async () => /Login: root/.test(await rawExchange(port, 'root\r\n')), 3_000, 'a free slot');
});

test('netlab start / status / stop fingerd: a real daemon with its pidfile', async (t) => {
  const dir = tempDir(t);
  const pidfile = path.join(dir, 'finger.pid');
  const env = isolatedEnv(dir, { NETLAB_PID_FILES_FINGERD: pidfile });
  const netlab = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(packageRoot, 'bin/netlab.js'), ...args], { env, timeout: 30_000 });
  const started = JSON.parse((await netlab('start', '--json', 'fingerd', '--port', '0', '--backend', 'builtin')).stdout);
  t.after(() => netlab('stop', 'fingerd').catch(() => undefined));
  assert.equal(readFileSync(pidfile, 'utf8').trim(), String(started.pid));
  assert.match((await ask(started.address.port, 'root')).text, /^Login: root/);
  assert.match((await netlab('status', 'fingerd')).stdout, new RegExp(`fingerd@${started.address.port}\\s+running`));
  assert.match((await netlab('logs', 'fingerd', '-n', '1')).stdout, /finger\s+client=127\.0\.0\.1:\d+ query=root backend=builtin bytes=\d+ durationMs=[\d.]+ outcome=ok/);
  await netlab('stop', 'fingerd');
  assert.equal(existsSync(pidfile), false);
  await assert.rejects(ask(started.address.port, 'root'), /connection refused/);
});

test('--backend auto means system where a finger program exists, builtin elsewhere; system without one is a clear error', () => {
  assert.equal(resolveBackendName({ backend: 'auto', fingerBinary: '/nonexistent/finger' }), 'builtin');
  assert.equal(resolveBackendName({ backend: 'auto', fingerBinary: process.execPath }), 'system');
  assert.equal(resolveBackendName({ backend: 'builtin', fingerBinary: process.execPath }), 'builtin');
  assert.throws(() => createBackend({ ...fingerDefaults, backend: 'system', fingerBinary: '/nonexistent/finger' }), (error: NetlabError) => {
    assert.equal(error.code, 'E_TOOL_MISSING');
    assert.match(error.hint ?? '', /--backend builtin/);
    return true;
  });
});
