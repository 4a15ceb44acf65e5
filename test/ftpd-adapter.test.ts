// The ftp-srv seam (issue 12, part 3): one test per private part of ftp-srv that netlab touches
// (lib/ftp/server/ftp-srv-adapter.ts). Each fails when a new ftp-srv moves or changes that part,
// so an upgrade shows at once what to look at.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { FtpSrv } from 'ftp-srv';
import { packageRoot } from '../lib/paths.ts';
import type { NetlabError } from '../lib/errors.ts';
import {
  Bluebird,
  checkFtpSrvVersion,
  createFtpSrv,
  defaultMessages,
  ftpSrvVersion,
  installedFtpSrvVersion,
  takeAcceptHandler,
  takeOverCommandReader,
  type Connection,
  type FtpSrvParts,
} from '../lib/ftp/server/ftp-srv-adapter.ts';
import { ControlConnection } from './peers/ftp-control.ts';

const signals = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
const listenerCounts = () => signals.map((signal) => process.listenerCount(signal));

/** A bare FtpSrv made by the adapter on port 0 (any user and password log in), and the first connection it gets. */
async function bareServer(t: { after(fn: () => unknown): void }): Promise<{ parts: FtpSrvParts; port: number; connected: Promise<Connection> }> {
  const parts = createFtpSrv({ url: 'ftp://127.0.0.1:0', anonymous: false, greeting: ['bare'], log: quietLog() as never });
  const connected = new Promise<Connection>((resolve) => (parts.ftp as unknown as NodeJS.EventEmitter).once('connect', ({ connection }: { connection: Connection }) => resolve(connection)));
  parts.ftp.on('login', (_data, resolve) => resolve({ root: packageRoot }));
  await new Promise<void>((resolve) => parts.server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const connection of parts.connections()) connection.commandSocket.destroy();
    return new Promise((resolve) => parts.server.close(resolve));
  });
  return { parts, port: (parts.server.address() as net.AddressInfo).port, connected };
}

function quietLog(): unknown {
  const log = { child: () => log, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
  return log;
}

test('version: package.json pins ftp-srv exactly, the one installed and the one the adapter was written for', () => {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.equal(manifest.dependencies['ftp-srv'], ftpSrvVersion, 'an exact version, no range');
  assert.equal(installedFtpSrvVersion(), ftpSrvVersion);
  assert.doesNotThrow(() => checkFtpSrvVersion());
  assert.throws(
    () => checkFtpSrvVersion('4.7.0'),
    (error: NetlabError) =>
      error.code === 'E_CONFIG' && error.message === `ftpd is built on ftp-srv ${ftpSrvVersion}, but ftp-srv 4.7.0 is installed` && /npm install/.test(error.hint ?? ''),
  );
});

test('src/messages: ftp-srv’s default reply texts are found where the adapter loads them', () => {
  assert.equal(defaultMessages[226], 'Closing data connection');
  assert.equal(typeof defaultMessages[250], 'string');
  assert.equal(typeof defaultMessages[503], 'string');
});

test('bluebird: the copy in ftp-srv’s folder, with the methods its handlers chain', () => {
  const promise = Bluebird.resolve(1) as Promise<number> & { tap?: unknown };
  assert.equal(typeof promise.tap, 'function', 'a bluebird promise, not a native one');
});

test('signals: FtpSrv’s constructor adds exiting SIGTERM/SIGINT/SIGQUIT handlers, which createFtpSrv takes off again', () => {
  const before = listenerCounts();
  const raw = new FtpSrv({ url: 'ftp://127.0.0.1:0', log: quietLog() as never });
  const added = listenerCounts().map((count, i) => count - before[i]);
  // Clean up the raw server's handlers before asserting, so that a failure leaves the process as it was.
  for (const signal of signals) for (const listener of process.listeners(signal).slice(before[signals.indexOf(signal)])) process.off(signal, listener);
  void raw;
  assert.deepEqual(added, [1, 1, 1], 'ftp-srv still installs one handler per signal (else the juggling is not needed)');
  createFtpSrv({ url: 'ftp://127.0.0.1:0', log: quietLog() as never });
  assert.deepEqual(listenerCounts(), before, 'createFtpSrv leaves the process’s signal handlers as they were');
});

test('net.Server and connections: ftp-srv’s private server has one accept handler; its connections map holds each connection', async (t) => {
  const { parts, port, connected } = await bareServer(t);
  const server = parts.server;
  assert.ok(server instanceof net.Server);
  const handler = takeAcceptHandler(server);
  assert.equal(server.listenerCount('connection'), 0);
  server.on('connection', handler);
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  const connection = await connected;
  assert.deepEqual(parts.connections(), [connection]);
});

test('the connection: the fields netlab reads, replaces or leaves to ftp-srv’s handlers are where the adapter types them', async (t) => {
  const { port, connected } = await bareServer(t);
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  const connection = await connected;
  assert.ok(connection.commandSocket instanceof net.Socket);
  assert.equal(typeof connection.reply, 'function');
  assert.equal(typeof connection.close, 'function');
  assert.equal(typeof connection.commands.handle, 'function');
  assert.equal(connection.encoding, 'utf8');
  assert.equal(typeof connection.connector.end, 'function', 'ftp-srv ends connection.connector when the control connection closes');
  assert.equal(connection.commandSocket.listenerCount('data'), 1, 'ftp-srv’s reader: the one listener takeOverCommandReader replaces');

  // ftp-srv’s handlers set the fields netlab's commands read: USER/PASS, REST, RNFR.
  assert.equal((await ftp.send('USER alice')).code, 331);
  assert.equal(connection.username, 'alice');
  assert.equal((await ftp.send('PASS s3cret')).code, 230);
  assert.equal(connection.authenticated, true);
  assert.ok(connection.fs, 'the login handler’s file system');
  assert.equal((await ftp.send('REST 42')).code, 350);
  assert.equal(connection.restByteCount, 42);
  assert.equal((await ftp.send('RNFR package.json')).code, 350);
  assert.equal(connection.renameFrom, 'package.json');
  assert.equal(connection.secure, false, 'the getter AUTH TLS sets');

  // connection.commands.handle runs ftp-srv’s own handler (netlab's fallback for the commands it leaves).
  const replies: unknown[] = [];
  const reply = connection.reply;
  connection.reply = (options, ...letters) => (replies.push([options, ...letters]), Promise.resolve());
  await connection.commands.handle({ directive: 'NOOP', arg: null, flags: [], raw: 'NOOP' });
  connection.reply = reply;
  assert.deepEqual(replies, [[200]], 'every ftp-srv handler answers through connection.reply');

  // Our reader instead of ftp-srv's: lines reach us, not it.
  const lines: string[] = [];
  takeOverCommandReader(connection, (chunk) => lines.push(chunk.toString()));
  ftp.socket.write('NOOP\r\n');
  await new Promise<void>((resolve) => connection.commandSocket.once('data', () => setImmediate(resolve)));
  assert.deepEqual(lines, ['NOOP\r\n']);
  assert.equal(connection.commandSocket.listenerCount('data'), 1);

  // connection.connector, replaced by our data channels: ftp-srv ends it when the client goes.
  let ended = false;
  connection.connector = { type: false, socket: null, waitForConnection: () => Promise.reject(new Error('none')), end: () => void (ended = true) };
  const closed = new Promise((resolve) => connection.commandSocket.once('close', resolve));
  ftp.close();
  await closed;
  assert.equal(ended, true);
});
