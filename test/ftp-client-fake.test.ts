// The client against a scripted FTP server: the cases real servers will not produce on demand
// (a foreign PASV address, replies cut anywhere, silence, a dropped connection, hostile input).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetlabError } from '../lib/errors.ts';
import { FtpClient } from '../lib/ftp/client/index.ts';
import { peers, skipWithout } from './peers/available.ts';

/** A test that hangs fails on its own instead of holding up the suite. */
const limit = { timeout: 15_000 };

type Reply = (text: string) => void;
type Handler = (command: string, reply: Reply, socket: net.Socket) => void | Promise<void>;
type After = { after(fn: () => unknown): void };

/**
 * A control server: writes the greeting pieces (pausing between them), then hands each command to
 * `handler`. `closed` resolves when the client closes its first control connection.
 */
async function scriptedServer(t: After, handler: Handler, greeting: string[] = ['220 fake ready\r\n']) {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  let clientClosed!: () => void;
  const closed = new Promise<void>((resolve) => (clientClosed = resolve));
  const server = net.createServer(async (socket) => {
    sockets.add(socket);
    socket.once('close', () => clientClosed());
    socket.on('error', () => undefined);
    let buffered = '';
    let queue = Promise.resolve();
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        received.push(line);
        queue = queue.then(() => (line === 'QUIT' ? void socket.end('221 bye\r\n') : handler(line, (text) => socket.write(text), socket)));
      }
    });
    // The pauses are the scenario, not a wait for a state: they put the pieces in separate TCP
    // segments (unless this process stalls), so that the client must join replies cut anywhere.
    for (const piece of greeting) {
      socket.write(piece);
      await sleep(5);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, received, closed };
}

/** A data listener on loopback that sends `payload` to whoever connects, or stays silent (null). */
async function dataListener(t: After, payload: string | null): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    if (payload !== null) socket.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

const login = (command: string, reply: Reply) => {
  if (command.startsWith('USER')) reply('331 password please\r\n');
  if (command.startsWith('PASS')) reply('230 welcome\r\n');
  if (command.startsWith('TYPE') || command === 'NOOP') reply('200 ok\r\n');
};

const rejects = (code: string, pattern: RegExp) => (error: NetlabError) => {
  assert.equal(error.code, code, error.message);
  assert.match(error.message, pattern);
  return true;
};

test('a PASV address other than the control peer is ignored; a refused EPSV falls back to PASV once', limit, async (t) => {
  const dataPort = await dataListener(t, 'listing line\r\n');
  const { port, received } = await scriptedServer(t, (command, reply) => {
    login(command, reply);
    if (command === 'EPSV') reply('502 EPSV not implemented\r\n');
    // 10.9.8.7 is nowhere: connecting there would hang. Like curl, we use the control peer's address.
    if (command === 'PASV') reply(`227 Entering Passive Mode (10,9,8,7,${dataPort >> 8},${dataPort & 255})\r\n`);
    if (command === 'LIST') reply('150 here\r\n226 done\r\n'); // two replies in one segment
  });
  const client = await FtpClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 2_000 });
  t.after(() => client.close());
  await client.login();
  assert.equal(await client.list(), 'listing line\r\n');
  assert.equal(await client.list(), 'listing line\r\n');
  assert.deepEqual(
    received.filter((line) => /^(EPSV|PASV)/.test(line)),
    ['EPSV', 'PASV', 'PASV'],
    'EPSV is not asked again once refused',
  );
});

test('a greeting and replies cut into many TCP segments, with pauses, are read whole', limit, async (t) => {
  const { port } = await scriptedServer(
    t,
    async (command, reply) => {
      login(command, reply);
      if (command === 'PWD') {
        for (const piece of ['25', '7-one\r\n', ' two\r\n257', ' "/a ""b"""\r', '\n']) {
          reply(piece);
          await sleep(5); // separate segments, as for the greeting
        }
      }
    },
    ['2', '20-Wel', 'come\r\n', '220 to the lab\r', '\n'],
  );
  const client = await FtpClient.connect({ host: '127.0.0.1', port });
  t.after(() => client.close());
  assert.equal(client.greeting, 'Welcome\nto the lab');
  await client.login();
  assert.equal(await client.pwd(), '/a "b"');
});

test('an error reply becomes a clear error with the server’s code, text and a hint', limit, async (t) => {
  const { port } = await scriptedServer(t, (command, reply) => {
    if (command.startsWith('USER')) reply('530 This FTP server is anonymous only.\r\n');
  });
  const client = await FtpClient.connect({ host: '127.0.0.1', port });
  t.after(() => client.close());
  await assert.rejects(client.login('alice', 'secret'), (error: NetlabError) => {
    assert.equal(error.code, 'E_AUTH');
    assert.equal(error.message, `FTP server 127.0.0.1:${port} refused USER alice: 530 This FTP server is anonymous only.`);
    assert.match(error.hint ?? '', /user name and password/);
    assert.equal(error.details?.ftpCode, 530);
    return true;
  });
});

test('a 421 greeting (too many connections) is an error that quotes it', limit, async (t) => {
  const { port } = await scriptedServer(t, () => undefined, ['421 Too many connections from your address.\r\n']);
  await assert.rejects(FtpClient.connect({ host: '127.0.0.1', port }), rejects('E_FTP_REPLY', /421 Too many connections/));
});

test('a connection that is never accepted times out (a full listen queue drops the SYN)', limit, async (t) => {
  // A Python socket with backlog 0 that never calls accept(): one connection fills its queue.
  if (skipWithout(t, 'python3')) return;
  const script = 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)';
  const python = spawn(peers.python3.file, ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => python.kill());
  const port = Number(await new Promise<string>((resolve) => python.stdout.once('data', (chunk) => resolve(String(chunk)))));
  const filler = net.connect(port, '127.0.0.1');
  t.after(() => filler.destroy());
  await new Promise((resolve) => filler.once('connect', resolve));
  const started = performance.now();
  await assert.rejects(FtpClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 200 }), rejects('E_TIMEOUT', /no answer from tcp 127\.0\.0\.1:\d+ in time/));
  assert.ok(performance.now() - started < 3_000);
});

test('a server that never answers times out: no greeting, then no reply', limit, async (t) => {
  const silent = await scriptedServer(t, () => undefined, []);
  await assert.rejects(FtpClient.connect({ host: '127.0.0.1', port: silent.port, replyTimeoutMs: 150 }), rejects('E_TIMEOUT', /did not answer the greeting within 0.15 s/));
  const mute = await scriptedServer(t, (command, reply) => void (command.startsWith('USER') || login(command, reply)));
  const client = await FtpClient.connect({ host: '127.0.0.1', port: mute.port, replyTimeoutMs: 150 });
  t.after(() => client.close());
  await assert.rejects(client.login(), rejects('E_TIMEOUT', /did not answer USER anonymous/));
});

test('a server that accepts AUTH TLS but never shakes hands times out', limit, async (t) => {
  const { port } = await scriptedServer(t, (command, reply) => void (command === 'AUTH TLS' && reply('234 go ahead\r\n')));
  await assert.rejects(FtpClient.connect({ host: '127.0.0.1', port, tls: true, replyTimeoutMs: 150 }), rejects('E_PROTOCOL', /TLS with 127\.0\.0\.1:\d+ failed: no TLS handshake within 0.15 s/));
});

test('a silent data connection times out (data idle timeout)', limit, async (t) => {
  const dataPort = await dataListener(t, null);
  const { port } = await scriptedServer(t, (command, reply) => {
    login(command, reply);
    if (command === 'EPSV') reply(`229 Entering Extended Passive Mode (|||${dataPort}|)\r\n`);
    if (command.startsWith('RETR')) reply('150 sending, slowly\r\n');
  });
  const client = await FtpClient.connect({ host: '127.0.0.1', port, dataIdleTimeoutMs: 150, replyTimeoutMs: 150 });
  t.after(() => client.close());
  await client.login();
  await assert.rejects(client.download('big.iso', new PassThrough()), rejects('E_TIMEOUT', /data connection of RETR big.iso was idle for 0.15 s/));
});

test('a RETR answered 226 with no 150 and no data gives an empty file, closed', limit, async (t) => {
  const dataPort = await dataListener(t, null);
  const { port } = await scriptedServer(t, (command, reply) => {
    login(command, reply);
    if (command === 'EPSV') reply(`229 Entering Extended Passive Mode (|||${dataPort}|)\r\n`);
    if (command.startsWith('RETR')) reply('226 nothing to send\r\n');
  });
  const client = await FtpClient.connect({ host: '127.0.0.1', port });
  t.after(() => client.close());
  await client.login();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'netlab-ftp-fake-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const target = path.join(folder, 'empty.txt');
  assert.equal(await client.downloadFile('empty.txt', target), 0);
  assert.equal(statSync(target).size, 0);
  const stillOpen = readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === target;
    } catch {
      return false; // the descriptor readdir itself used, gone already
    }
  });
  assert.deepEqual(stillOpen, [], 'the downloaded file is closed');
});

test('a data port that refuses the connection is reported before RETR is sent', limit, async (t) => {
  // Port 1 (tcpmux) is closed on any machine netlab runs on: the connection is refused.
  const { port, received } = await scriptedServer(t, (command, reply) => {
    login(command, reply);
    if (command === 'EPSV') reply(`229 Entering Extended Passive Mode (|||1|)\r\n`);
  });
  const client = await FtpClient.connect({ host: '127.0.0.1', port });
  t.after(() => client.close());
  await client.login();
  await assert.rejects(client.download('a.txt', new PassThrough()), rejects('E_CONN_REFUSED', /connection refused: nothing listens on tcp 127\.0\.0\.1:1/));
  assert.ok(!received.some((line) => line.startsWith('RETR')), received.join(' | '));
  await client.noop(); // still in step
});

test('Ctrl-C (the abort signal) stops a transfer at once', limit, async (t) => {
  const dataPort = await dataListener(t, null);
  const controller = new AbortController();
  const { port } = await scriptedServer(t, (command, reply) => {
    login(command, reply);
    if (command === 'EPSV') reply(`229 Entering Extended Passive Mode (|||${dataPort}|)\r\n`);
    if (command.startsWith('RETR')) {
      reply('150 sending, slowly\r\n');
      controller.abort(); // Ctrl-C once the transfer has begun: RETR has been sent, and no byte will come
    }
  });
  const client = await FtpClient.connect({ host: '127.0.0.1', port, signal: controller.signal, dataIdleTimeoutMs: 30_000 });
  t.after(() => client.close());
  await client.login();
  const started = performance.now();
  await assert.rejects(client.download('big.iso', new PassThrough()), rejects('E_INTERRUPTED', /interrupted/));
  assert.ok(performance.now() - started < 5_000);
});

test('a control connection dropped mid-reply is reported as such', limit, async (t) => {
  const { port } = await scriptedServer(t, (command, reply, socket) => {
    login(command, reply);
    if (command === 'SYST') socket.end('215-UNIX\r\n'); // the first line, and the server goes away
  });
  const client = await FtpClient.connect({ host: '127.0.0.1', port, replyTimeoutMs: 2_000 });
  t.after(() => client.close());
  await client.login();
  await assert.rejects(client.system(), rejects('E_CONN_RESET', /closed the control connection/));
});

test('a server that floods replies nobody asked for is cut off', limit, async (t) => {
  const { port, closed } = await scriptedServer(t, () => undefined, ['220 hi\r\n', '200 spam\r\n'.repeat(1000)]);
  const client = await FtpClient.connect({ host: '127.0.0.1', port });
  t.after(() => client.close());
  await closed; // the client hung up on the flood (before that, a NOOP would take a spam line as its reply)
  await assert.rejects(client.noop(), rejects('E_PROTOCOL', /more than 64 replies nobody asked for/));
});

test('a name with CR/LF is refused before it can smuggle a second command', limit, async (t) => {
  const { port, received } = await scriptedServer(t, (command, reply) => {
    login(command, reply);
    if (command.startsWith('CWD')) reply('250 ok\r\n');
  });
  const client = await FtpClient.connect({ host: '127.0.0.1', port });
  t.after(() => client.close());
  await client.login();
  await assert.rejects(client.cd('pub\r\nDELE important.txt'), rejects('E_INPUT', /cannot contain a line break/));
  await client.noop(); // the session is still in step
  assert.ok(!received.some((line) => line.startsWith('DELE')), received.join(' | '));
});

test('a broken download leaves the old file whole and its bytes in NAME.part; get -c continues them', limit, async (t) => {
  const whole = 'the whole file, as the server has it\n';
  const cut = 12;
  // At RETR the data connection gets the first `cut` bytes, or what follows REST, and ends; a
  // cut RETR is then answered 426 (RFC 959 §4.2: connection closed, transfer aborted).
  let restAt = 0;
  let broken = true;
  const data = net.createServer();
  await new Promise<void>((resolve) => data.listen(0, '127.0.0.1', resolve));
  t.after(() => data.close());
  let dataSocket = Promise.resolve<net.Socket | undefined>(undefined);
  const { port } = await scriptedServer(t, async (command, reply) => {
    login(command, reply);
    if (command === 'EPSV') {
      dataSocket = new Promise((resolve) => data.once('connection', resolve));
      reply(`229 Entering Extended Passive Mode (|||${(data.address() as net.AddressInfo).port}|)\r\n`);
    }
    if (command.startsWith('REST')) {
      restAt = Number(command.slice(5));
      reply(`350 restarting at ${restAt}\r\n`);
    }
    if (command.startsWith('RETR')) {
      reply('150 sending\r\n');
      const socket = (await dataSocket)!;
      socket.end(broken ? whole.slice(0, cut) : whole.slice(restAt));
      await once(socket, 'close');
      reply(broken ? '426 connection closed; transfer aborted\r\n' : '226 done\r\n');
    }
  });
  const folder = mkdtempSync(path.join(os.tmpdir(), 'netlab-ftp-fake-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const target = path.join(folder, 'file.txt');
  writeFileSync(target, 'the old version, which must survive a broken download\n');
  const client = await FtpClient.connect({ host: '127.0.0.1', port });
  t.after(() => client.close());
  await client.login();
  await assert.rejects(client.downloadFile('file.txt', target), (error: NetlabError) => {
    assert.match(error.message, /426/);
    assert.match(error.hint ?? '', /the bytes received so far are in .*file\.txt\.part: get -c/);
    return true;
  });
  assert.equal(readFileSync(target, 'utf8'), 'the old version, which must survive a broken download\n');
  assert.equal(readFileSync(`${target}.part`, 'utf8'), whole.slice(0, cut));
  broken = false;
  assert.equal(await client.downloadFile('file.txt', target, { resume: true }), whole.length - cut, 'only the missing bytes cross the wire');
  assert.equal(restAt, cut);
  assert.equal(readFileSync(target, 'utf8'), whole);
  assert.ok(!existsSync(`${target}.part`), 'the partial file became the file');
});
