import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { parseProcNetTable, readSockets, socketOwners } from '../lib/net/procnet.ts';
import ports from '../scripts/ports.ts';
import { test } from './peers/net-peers.ts';
import { capture, tempDir, waitFor } from './helpers.ts';

// Lines as the kernel writes them (little-endian x86): 127.0.0.1:8016 listening, a client
// 127.0.0.1:41000 connected to it, and the same pair over IPv6 (::1 and a v4-mapped address).
const tcp4 = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F50 00000000:0000 0A 00000000:00000003 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:A028 0100007F:1F50 01 00000010:00000020 00:00000000 00000000  1000        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:A029 0100007F:1F50 06 00000000:00000000 03:00001717 00000000     0        0 0 3 0000000000000000
`;
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F50 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F50 0000000000000000FFFF00000100007F:A030 01 00000000:00000000 00:00000000 00000000     0        0 5252 1 0000000000000000 20 4 30 10 -1
`;

test('parses /proc/net/tcp: addresses in kernel byte order, big-endian ports, states, queues', () => {
  const [listening, established, timeWait] = parseProcNetTable(tcp4, 'tcp', 4, 'LE');
  assert.deepEqual(
    { ...listening },
    { protocol: 'tcp', family: 4, localHost: '127.0.0.1', localPort: 8016, remoteHost: '0.0.0.0', remotePort: 0, state: 'LISTEN', sendQueue: 0, receiveQueue: 3, uid: 1000, inode: 4242 },
  );
  assert.equal(established.state, 'ESTABLISHED');
  assert.equal(established.localPort, 41000);
  assert.equal(established.remotePort, 8016);
  assert.deepEqual([established.sendQueue, established.receiveQueue], [16, 32]);
  assert.equal(timeWait.state, 'TIME_WAIT');
  assert.equal(timeWait.inode, 0, 'a TIME_WAIT socket belongs to no process any more');
});

test('parses /proc/net/tcp6: ::1, and IPv4-mapped addresses shown as ::ffff:a.b.c.d', () => {
  const [loopback, mapped] = parseProcNetTable(tcp6, 'tcp', 6, 'LE');
  assert.equal(loopback.localHost, '::1');
  assert.equal(loopback.remoteHost, '::');
  assert.equal(mapped.localHost, '::ffff:127.0.0.1');
  assert.equal(mapped.remotePort, 41008);
});

test('UDP sockets are UNCONN (bound) or ESTABLISHED (connected), as ss calls them', () => {
  const udp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  1: 0100007F:2693 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 777 2 0000000000000000 0
  2: 0100007F:C350 0100007F:2693 01 00000000:00000000 00:00000000 00000000     0        0 778 2 0000000000000000 0
`;
  assert.deepEqual(parseProcNetTable(udp, 'udp', 4, 'LE').map((entry) => [entry.localPort, entry.state]), [[9875, 'UNCONN'], [50000, 'ESTABLISHED']]);
});

test('ports shows a LISTEN socket we opened, with our pid, and both ends of an ESTABLISHED pair', async (t) => {
  const server = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect({ port, host: '127.0.0.1' });
  t.after(() => client.destroy());
  await once(client, 'connect');

  const result = await capture(ports, ['--tcp', '--port', String(port), '--json']);
  assert.equal(result.code, 0, result.stderr);
  const rows = JSON.parse(result.stdout) as ReturnType<typeof readSockets>;
  const listen = rows.find((row) => row.state === 'LISTEN');
  assert.equal(listen?.localPort, port);
  assert.equal(listen?.pid, process.pid);
  assert.equal(listen?.program, 'node');
  const established = rows.filter((row) => row.state === 'ESTABLISHED');
  assert.deepEqual(established.map((row) => [row.localPort, row.remotePort]).sort(), [[client.localPort!, port], [port, client.localPort!]].sort());
  assert.ok(established.every((row) => row.pid === process.pid));

  const table = await capture(ports, ['-t', '-l', '-p', String(port)]);
  assert.match(table.stdout, /^PROTO +LOCAL +REMOTE +STATE +RECV-Q +SEND-Q +PROCESS$/m);
  assert.match(table.stdout, new RegExp(`^tcp +127\\.0\\.0\\.1:${port} +\\*:\\* +LISTEN +0 +0 +${process.pid}/node$`, 'm'));
  assert.doesNotMatch(table.stdout, /ESTABLISHED/, '--listening leaves connections out');
});

test('a socket owner is named by its program (argv[0], as netstat does), not by its thread name', (t) => {
  // A fake /proc: Node 24 names its main thread "MainThread", and that is what /proc/PID/comm holds;
  // a kernel thread has an empty cmdline, so only comm names it.
  const procRoot = tempDir(t);
  const fakeProcess = (pid: number, comm: string, cmdline: string, inode: number) => {
    mkdirSync(`${procRoot}/${pid}/fd`, { recursive: true });
    writeFileSync(`${procRoot}/${pid}/comm`, `${comm}\n`);
    writeFileSync(`${procRoot}/${pid}/cmdline`, cmdline);
    symlinkSync(`socket:[${inode}]`, `${procRoot}/${pid}/fd/3`);
  };
  fakeProcess(100, 'MainThread', '/usr/bin/node\0--import\0tsx\0scripts/fingerd.ts\0', 4242);
  fakeProcess(200, 'kworker/0:1', '', 4343);
  assert.deepEqual([...socketOwners(procRoot, new Set([4242, 4343]))].sort(), [
    [4242, { pid: 100, program: 'node' }],
    [4343, { pid: 200, program: 'kworker/0:1' }],
  ]);
});

test('ports shows TIME_WAIT on the side that closed first', async (t) => {
  const server = net.createServer((socket) => socket.on('end', () => socket.end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect({ port, host: '127.0.0.1' });
  await once(client, 'connect');
  const clientPort = client.localPort!;
  client.end(); // the client sends the first FIN, so its socket waits in TIME_WAIT (RFC 9293 §3.6)
  await once(client, 'close');
  const waiting = await waitFor(() => readSockets({ protocols: ['tcp'], port }).find((entry) => entry.localPort === clientPort));
  assert.equal(waiting.state, 'TIME_WAIT');
  assert.equal(waiting.pid, undefined);
});

test('ports --udp lists a bound UDP socket as UNCONN with its owner; filters exclude the rest', async (t) => {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.after(() => socket.close());
  const port = socket.address().port;
  const rows = JSON.parse((await capture(ports, ['--udp', '--listening', '--port', String(port), '--json'])).stdout);
  assert.deepEqual(rows.map((row: Record<string, unknown>) => [row.protocol, row.localPort, row.state, row.pid]), [['udp', port, 'UNCONN', process.pid]]);
  // (Another test's TCP socket may share the number: TCP and UDP ports are separate spaces.)
  const tcpOnly = JSON.parse((await capture(ports, ['--tcp', '--port', String(port), '--json'])).stdout);
  assert.ok(tcpOnly.every((row: Record<string, unknown>) => row.protocol === 'tcp'), '--tcp leaves it out');
  const none = await capture(ports, ['--udp', '--port', '1']);
  assert.equal(none.stdout, 'no socket matches\n');
});

test('ports says it needs Linux elsewhere', () => {
  assert.throws(() => readSockets({}, { platform: 'darwin' }), (error: Error & { code?: string }) => error.code === 'E_NOT_LINUX' && /only Linux has/.test(error.message));
});
