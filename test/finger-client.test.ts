import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { fingerDefaults } from '../lib/finger/config.ts';
import { startConfiguredFingerd } from '../lib/finger/service.ts';
import { listenTcp } from '../lib/net/listen.ts';
import fingerClient from '../scripts/finger.ts';
import { capture } from './helpers.ts';

/** A scripted server: records the query line, then does what `behave` says with the socket. */
async function scriptedServer(t: { after(fn: () => unknown): void }, behave: (socket: net.Socket) => void) {
  const queries: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      queries.push(chunk.toString());
      behave(socket);
    });
  });
  const handle = await listenTcp(server, { host: '127.0.0.1', port: 0, graceMs: 10 });
  t.after(() => handle.close());
  return { port: String(handle.address.port), queries };
}

test('the lab form -u USER -h HOST -p PORT asks for that user (and --host works the same)', async (t) => {
  const server = await startConfiguredFingerd({ host: '127.0.0.1', port: 0, settings: { ...fingerDefaults, backend: 'builtin' } });
  t.after(() => server.close());
  for (const hostFlag of ['-h', '--host']) {
    const result = await capture(fingerClient, ['-u', 'root', hostFlag, '127.0.0.1', '-p', String(server.address.port)]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\[127\.0\.0\.1\]\nLogin: root\s+Name: /);
  }
  assert.match((await capture(fingerClient, ['--help'])).stdout, /-u USER -h HOST/, '--help still shows the help');
});

test('the client reads until the server closes, however the answer is split', async (t) => {
  const { port, queries } = await scriptedServer(t, (socket) => {
    // The pauses are the scenario, not a wait for a state: they put the answer in three TCP segments,
    // read as three chunks unless this process stalls for 50 ms; then the test still checks the whole answer.
    socket.write('first line\r\n');
    setTimeout(() => socket.write('second '), 50);
    setTimeout(() => socket.end('line\r\n'), 120);
  });
  const result = await capture(fingerClient, ['-l', 'alice', '-p', port]);
  assert.equal(result.stdout, '[127.0.0.1]\nfirst line\nsecond line\n');
  assert.deepEqual(queries, ['/W alice\r\n'], '-l sends /W (RFC 1288 §2.5.4), then CRLF');
});

test('control characters from the server are made visible, never sent to the terminal', async (t) => {
  const { port } = await scriptedServer(t, (socket) => socket.end('hi\x1b[2J\x07 there\rX\r\n'));
  const result = await capture(fingerClient, ['alice', '-p', port, '--quiet']);
  assert.equal(result.stdout, 'hi^[[2J^G there^MX\n');
  const json = await capture(fingerClient, ['alice', '-p', port, '--json']);
  assert.equal(JSON.parse(json.stdout)[0].answer, 'hi\x1b[2J\x07 there\rX\r\n', '--json keeps the exact bytes, escaped by JSON');
});

test('--trace shows the query and the answer as they cross the wire', async (t) => {
  const { port } = await scriptedServer(t, (socket) => socket.end('ok\r\n'));
  const result = await capture(fingerClient, ['@127.0.0.1', '-p', port, '--trace']);
  assert.match(result.stdout, /^\* "connected to 127\.0\.0\.1:\d+"\n> "\\r\\n"\n< "ok\\r\\n"\n\* "connection closed by the server after 4 bytes"\n/);
});

test('a server that never finishes its answer hits the read timeout', async (t) => {
  const { port } = await scriptedServer(t, (socket) => socket.write('Login: ...'));
  const started = Date.now();
  const result = await capture(fingerClient, ['alice', '-p', port, '--timeout', '0.3']);
  assert.equal(result.code, 4);
  assert.match(result.stderr, /^error: no answer from tcp 127\.0\.0\.1:\d+ in time/);
  assert.ok(Date.now() - started < 3_000);
});

test('nothing listening: "connection refused", exit 4, and the next target is still asked', async (t) => {
  const { port } = await scriptedServer(t, (socket) => socket.end('here\r\n'));
  const closed = net.createServer();
  const free = await listenTcp(closed, { host: '127.0.0.1', port: 0 });
  await free.close();
  const result = await capture(fingerClient, [`alice@127.0.0.1`, '-p', String(free.address.port)]);
  assert.equal(result.code, 4);
  assert.match(result.stderr, /connection refused/);
  const mixed = await capture(fingerClient, ['alice@127.0.0.1', 'bob@localhost', '-p', port]);
  assert.equal(mixed.code, 0);
  assert.equal(mixed.stdout, '[127.0.0.1]\nhere\n[localhost]\nhere\n');
});

test('a target that is no finger target is a usage error (exit 2)', async () => {
  const result = await capture(fingerClient, ['alice@', '-p', '1']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /malformed host name/);
});
