// ftpd under attack: traversal, symbolic links out of the root, FTP bounce, writes by anonymous
// users, oversized lines, connection floods, idle clients. Nothing escapes; the server stays up.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { peers, skipBecause, skipWithout } from './peers/available.ts';
import { readSockets } from '../lib/net/procnet.ts';
import { rawExchange, waitFor } from './helpers.ts';
import { ControlConnection } from './peers/ftp-control.ts';
import { helloText, makeFtpTree, secretText, startTestFtpd } from './peers/ftp-tree.ts';

/** The kernel's entries for both ends of a loopback connection: ours (our socket's ports) and the server's. */
function connectionEnds({ localPort, remotePort }: { localPort?: number; remotePort?: number }) {
  const entries = readSockets({ protocols: ['tcp'], port: localPort }, { owners: false });
  return {
    ours: entries.find((entry) => entry.localPort === localPort && entry.remotePort === remotePort),
    theirs: entries.find((entry) => entry.localPort === remotePort && entry.remotePort === localPort),
  };
}

/** Names a client might send to reach ../secret.txt or the host's files. */
const traversalCorpus = [
  '../secret.txt',
  '../../secret.txt',
  '/../secret.txt',
  'pub/../../secret.txt',
  'pub/./../../secret.txt',
  '..\\secret.txt',
  '..\\..\\secret.txt',
  'pub\\..\\..\\secret.txt',
  '%2e%2e/secret.txt',
  '%2e%2e%2fsecret.txt',
  '..%2fsecret.txt',
  '....//secret.txt',
  '~/../secret.txt',
  '/etc/hostname',
  '/etc/passwd',
  'etclink/hostname',
  'etclink/passwd',
  'escape/secret.txt',
  'pub/up/escape/secret.txt',
  'loop/secret.txt',
  'dangling',
];

test('no name in the traversal corpus reads outside the root, and replies never show a real path', async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  assert.equal((await ftp.login()).code, 230);
  for (const name of [...traversalCorpus, path.join(tree.base, 'secret.txt'), `${tree.root}/../secret.txt`]) {
    const { first, data } = await ftp.transfer(`RETR ${name}`);
    assert.equal(first.code, 550, `RETR ${name}: ${first.text}`);
    assert.equal(data.length, 0);
    // A reply may echo the name the client sent, never more of the server's real paths.
    const leaks = (text: string) => !name.includes(tree.base) && text.includes(tree.base);
    assert.ok(!leaks(first.text), `RETR ${name} leaks a real path: ${first.text}`);
    for (const command of ['SIZE', 'MDTM', 'CWD']) {
      const reply = await ftp.send(`${command} ${name}`);
      assert.equal(reply.code, 550, `${command} ${name}: ${reply.text}`);
      assert.ok(!leaks(reply.text), `${command} ${name} leaks: ${reply.text}`);
    }
  }
  // ".." stops at the root as under chroot: these reach the root's own file.
  for (const name of ['../pub/hello.txt', '/../../pub/hello.txt', '..\\pub\\hello.txt']) {
    const { final, data } = await ftp.transfer(`RETR ${name}`);
    assert.equal(final?.code, 226, name);
    assert.equal(data.toString(), helloText);
  }
});

test('links out of the root are hidden from listings; a CWD loop through an inside link stays inside', async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  const listing = (await ftp.transfer('NLST')).data.toString().split('\r\n').filter(Boolean).sort();
  assert.deepEqual(listing, ['incoming', 'pub']);
  for (let i = 0; i < 40; i++) assert.equal((await ftp.send('CWD pub/up')).code, 250);
  assert.match((await ftp.send('PWD')).text, /^257 "\/(pub\/up\/)*pub\/up"/);
  for (let i = 0; i < 5; i++) await ftp.send('CDUP');
  assert.equal((await ftp.send('CWD /')).code, 250);
  assert.equal((await ftp.send('CDUP')).code, 250);
  assert.match((await ftp.send('PWD')).text, /^257 "\/"/);
  assert.equal((await ftp.send('CWD escape')).code, 550);
  assert.equal((await ftp.send('CWD loop')).code, 550);
  assert.equal((await ftp.transfer('LIST escape')).first.code, 550);
});

test('anonymous users cannot write by default; with uploads on, only new files under incoming/', async (t) => {
  const tree = makeFtpTree(t);
  const readOnly = await startTestFtpd(t, { root: tree.root });
  const ftp = await ControlConnection.open(readOnly.port);
  t.after(() => ftp.close());
  await ftp.login();
  assert.equal((await ftp.transfer('STOR incoming/x.txt', Buffer.from('x'))).first.code, 553);
  assert.equal((await ftp.send('MKD incoming/dir')).code, 550);
  assert.equal((await ftp.send('DELE pub/hello.txt')).code, 550);
  assert.equal((await ftp.send('RNFR pub/hello.txt')).code, 350);
  assert.equal((await ftp.send('RNTO pub/renamed.txt')).code, 550);
  assert.notEqual((await ftp.send('SITE CHMOD 777 pub/hello.txt')).code, 200);
  assert.equal(readFileSync(path.join(tree.root, 'pub/hello.txt'), 'utf8'), helloText);
  assert.ok(!existsSync(path.join(tree.root, 'incoming/x.txt')));

  const uploads = await startTestFtpd(t, { root: tree.root, writable: true });
  const up = await ControlConnection.open(uploads.port);
  t.after(() => up.close());
  await up.login();
  assert.equal((await up.transfer('STOR incoming/new.txt', Buffer.from('new'))).final?.code, 226);
  assert.equal(readFileSync(path.join(tree.root, 'incoming/new.txt'), 'utf8'), 'new');
  assert.equal((await up.transfer('STOR incoming/new.txt', Buffer.from('overwrite'))).first.code, 550, 'no overwrite');
  assert.equal(readFileSync(path.join(tree.root, 'incoming/new.txt'), 'utf8'), 'new');
  assert.equal((await up.transfer('STOR pub/x.txt', Buffer.from('x'))).first.code, 553);
  const unique = await up.transfer('STOU incoming/report.txt', Buffer.from('unique'));
  const stored = /^150 FILE: (\/incoming\/report\.txt\.[0-9a-f]{8})$/.exec(unique.first.text)?.[1];
  assert.ok(stored, unique.first.text);
  assert.equal(unique.final?.code, 226);
  assert.equal(readFileSync(path.join(tree.root, stored), 'utf8'), 'unique');
  assert.equal((await up.transfer('STOU', Buffer.from('x'))).first.code, 553, 'STOU in / is outside incoming/');
  assert.equal((await up.transfer('APPE incoming/new.txt', Buffer.from('x'))).first.code, 553);
  assert.equal((await up.send('DELE incoming/new.txt')).code, 550);
  assert.equal((await up.transfer('STOR incoming/../escape/evil.txt', Buffer.from('x'))).first.code, 553);
  assert.ok(!existsSync(path.join(tree.base, 'evil.txt')));
});

test('a writing account cannot write through links out of the root', async (t) => {
  const tree = makeFtpTree(t);
  const { hashPassword } = await import('../lib/ftp/server/index.ts');
  const accounts = [{ user: 'alice', passwordHash: await hashPassword('s3cret'), write: true }];
  const { port } = await startTestFtpd(t, { root: tree.root, accounts });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  assert.equal((await ftp.login('alice', 's3cret')).code, 230);
  for (const name of ['escape/evil.txt', 'etclink/evil.txt', 'dangling', 'pub/up/escape/evil.txt']) {
    const { first } = await ftp.transfer(`STOR ${name}`, Buffer.from('evil'));
    assert.ok([550, 553].includes(first.code), `STOR ${name}: ${first.text}`);
    assert.ok(!first.text.includes(tree.base));
  }
  assert.ok([550, 553].includes((await ftp.send('MKD escape/newdir')).code));
  assert.equal((await ftp.send('DELE escape/secret.txt')).code, 550);
  assert.equal((await ftp.send('RNFR escape/secret.txt')).code, 550);
  assert.equal(readFileSync(tree.secret, 'utf8'), secretText);
  assert.ok(!existsSync(path.join(tree.base, 'evil.txt')));
  assert.ok(!existsSync(path.join(tree.base, 'made-by-ftp.txt')));
  assert.ok(!existsSync('/etc/evil.txt'));
  // Writes inside work, and the link itself (not its target) can be deleted.
  assert.equal((await ftp.transfer('STOR pub/ok.txt', Buffer.from('ok'))).final?.code, 226);
  assert.equal((await ftp.send('DELE escape')).code, 250);
  assert.ok(existsSync(tree.secret));
});

test('PORT and EPRT connect only back to the client, on an unprivileged port (no FTP bounce)', async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root });
  // A "victim" on another loopback address: the server must never connect to it.
  const victim = net.createServer((socket) => {
    victimHits++;
    socket.destroy();
  });
  let victimHits = 0;
  await new Promise<void>((resolve) => victim.listen({ host: '127.0.0.2', port: 0 }, resolve));
  t.after(() => victim.close());
  const victimPort = (victim.address() as net.AddressInfo).port;
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  const refused = [
    `PORT 127,0,0,2,${victimPort >> 8},${victimPort & 255}`,
    `EPRT |1|127.0.0.2|${victimPort}|`,
    `EPRT |2|::1|${victimPort}|`,
    'PORT 127,0,0,1,0,25',
    'EPRT |1|127.0.0.1|22|',
    'PORT 10,0,0,1,200,10',
  ];
  for (const command of refused) {
    assert.equal((await ftp.send(command)).code, 504, command);
    assert.equal((await ftp.send('LIST')).code, 425, `${command} then LIST`);
  }
  for (const command of ['PORT 1,2,3', 'PORT 300,0,0,1,1,1', 'EPRT |3|x|1|', 'EPRT garbage']) {
    assert.ok([501, 522].includes((await ftp.send(command)).code), command);
  }
  assert.equal(victimHits, 0);
  // The control case: back to the client itself works.
  const listener = net.createServer();
  const received: Buffer[] = [];
  const done = new Promise<void>((resolve) => listener.on('connection', (socket) => socket.on('data', (c: Buffer) => received.push(c)).on('end', () => resolve())));
  await new Promise<void>((resolve) => listener.listen({ host: '127.0.0.1', port: 0 }, resolve));
  t.after(() => listener.close());
  const ownPort = (listener.address() as net.AddressInfo).port;
  assert.equal((await ftp.send(`EPRT |1|127.0.0.1|${ownPort}|`)).code, 200);
  assert.equal((await ftp.send('RETR pub/hello.txt')).code, 150);
  await done;
  assert.equal((await ftp.read()).code, 226);
  assert.equal(Buffer.concat(received).toString(), helloText);
});

test("on loopback, PORT to another user's port is refused (every local user shares 127.0.0.1)", async (t) => {
  if (process.getuid?.() !== 0) {
    skipBecause(t, 'needs root, to run a listener as the user nobody');
    return;
  }
  if (skipWithout(t, 'runuser', 'python3')) return;
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root });
  const script = "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen()\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)";
  // Its stderr is kept off the test's output: killed, runuser says "Session terminated, killing shell...".
  const other = spawn('runuser', ['-u', 'nobody', '--', peers.python3.file, '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => other.kill());
  const otherPort = Number(await new Promise<string>((resolve) => other.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  const refused = await ftp.send(`EPRT |1|127.0.0.1|${otherPort}|`);
  assert.equal(refused.code, 504);
  assert.match(refused.text, /belongs to another user \(uid 65534/);
  assert.equal((await ftp.send(`PORT 127,0,0,1,${otherPort >> 8},${otherPort & 255}`)).code, 504);
});

test('a 10 KB command line is refused and closes that connection only; split lines are reassembled', async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root });
  const long = await ControlConnection.open(port);
  const reply = await long.send(`USER ${'A'.repeat(10 * 1024)}`);
  assert.equal(reply.code, 500);
  assert.match(reply.text, /too long/);
  await long.closed;
  const next = await ControlConnection.open(port);
  t.after(() => next.close());
  next.socket.write('NO');
  // The server has read the first half (it left our send queue and its receive queue) before the second is sent.
  await waitFor(() => {
    const { ours, theirs } = connectionEnds(next.socket);
    return ours?.sendQueue === 0 && theirs?.receiveQueue === 0;
  }, 3_000, 'the server to read "NO"');
  assert.equal((await next.send('OP')).code, 200);
  assert.equal((await next.login()).code, 230);
});

test('passive ports come from the configured range', async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root, passivePorts: [42000, 42099] });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  for (let i = 0; i < 5; i++) {
    const epsv = await ftp.send('EPSV');
    const dataPort = Number(/\|\|\|(\d+)\|/.exec(epsv.text)![1]);
    assert.ok(dataPort >= 42000 && dataPort <= 42099, `${dataPort}`);
  }
  const pasv = await ftp.send('PASV');
  const [p1, p2] = /\((?:\d+,){4}(\d+),(\d+)\)/.exec(pasv.text)!.slice(1).map(Number);
  assert.ok(p1 * 256 + p2 >= 42000 && p1 * 256 + p2 <= 42099);
  assert.match(pasv.text, /\(127,0,0,1,/);
});

test('connections over the limits get 421; an idle client is dropped; a data connection never made times out', async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root, maxConnections: 3, maxConnectionsPerIp: 2, idleTimeoutMs: 400, dataTimeoutMs: 300 });
  const first = await ControlConnection.open(port);
  const second = await ControlConnection.open(port);
  t.after(() => [first, second].forEach((c) => c.close()));
  const third = await ControlConnection.open(port);
  assert.equal(third.greeting.code, 421);
  assert.match(third.greeting.text, /limit 2/);
  await third.closed;

  await first.login();
  assert.equal((await first.send('PASV')).code, 227);
  const started = Date.now();
  assert.equal((await first.send('RETR pub/hello.txt')).code, 425, 'no data connection in time');
  assert.ok(Date.now() - started < 2_000);
  const idle = await second.read(3_000);
  assert.equal(idle.code, 421);
  assert.match(idle.text, /Timeout/);
  await second.closed;
  // A slot is free again, and the server still serves.
  const again = await ControlConnection.open(port);
  t.after(() => again.close());
  assert.equal(again.greeting.code, 220);
  assert.equal((await again.login()).code, 230);
});

test('ABOR stops a running download with 426 then 226, also behind Telnet IP and Synch (as lftp sends it)', async (t) => {
  const tree = makeFtpTree(t);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(tree.root, 'pub/big.bin'), Buffer.alloc(64 * 1024 * 1024));
  const { port, lines } = await startTestFtpd(t, { root: tree.root });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  // RFC 959 §4.1.3: IAC IP, IAC DM (urgent: the kernel takes the DM out of the stream), then ABOR.
  const telnetSignals = [Buffer.alloc(0), Buffer.from([0xff, 0xf4, 0xff]), Buffer.from([0xff, 0xf4, 0xff, 0xf2])];
  for (const signals of telnetSignals) {
    const data = (await ftp.openData()) as net.Socket; // never read: the transfer cannot finish by itself
    assert.equal((await ftp.send('RETR pub/big.bin')).code, 150);
    ftp.socket.write(signals);
    assert.equal((await ftp.send('ABOR')).code, 426, `ABOR after ${signals.toString('hex')}`);
    assert.equal((await ftp.read()).code, 226);
    data.destroy();
    assert.equal((await ftp.send('NOOP')).code, 200);
  }
  const retrs = lines.filter((line) => line.command === 'RETR');
  assert.equal(retrs.length, telnetSignals.length);
  for (const retr of retrs) {
    assert.equal(retr.status, 'i');
    assert.ok(Number(retr.bytes) < 64 * 1024 * 1024);
  }
});

test('a data connection made but never used is closed at the data timeout (no descriptor left behind)', async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root, dataTimeoutMs: 300 });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  const data = (await ftp.openData()) as net.Socket;
  data.resume();
  const closedByServer = await Promise.race([
    new Promise((resolve) => data.once('close', () => resolve(true))),
    new Promise((resolve) => setTimeout(resolve, 3_000, false)),
  ]);
  assert.equal(closedByServer, true);
  assert.equal((await ftp.send('NOOP')).code, 200);
});

test('a data connection reset before any transfer does not take the server down', async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  const data = (await ftp.openData()) as net.Socket;
  const ports = { localPort: data.localPort, remotePort: data.remotePort }; // kept: a destroyed socket forgets them
  const ends = () => connectionEnds(ports);
  assert.ok(ends().theirs, "the server's end of the data connection is in the kernel's table");
  data.resetAndDestroy();
  // The reset has reached the server: its end of the connection is gone (an RST removes it at once).
  await waitFor(() => !ends().theirs, 3_000, 'the server to receive the reset');
  assert.equal((await ftp.send('NOOP')).code, 200);
  assert.equal((await ftp.transfer('RETR pub/hello.txt')).data.toString(), helloText);
});

test('a client that sends its commands and half-closes (printf … | nc) gets every reply, then our FIN', async (t) => {
  const { port } = await startTestFtpd(t, { root: makeFtpTree(t).root });
  const answer = await rawExchange(port, 'USER anonymous\r\nPASS a@b\r\nPWD\r\nSIZE x\r200 INJECTED\r\nQUIT\r\n', { halfClose: true });
  const codes = answer.split('\r\n').filter(Boolean).map((line) => line.slice(0, 4));
  assert.deepEqual(codes.filter((code) => /^\d{3} $/.test(code)), ['220 ', '331 ', '230 ', '257 ', '550 ', '221 '], answer);
  assert.doesNotMatch(answer.replace(/\r\n/g, ''), /\r/, 'no bare CR of the client reaches the reply');
});
