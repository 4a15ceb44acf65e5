import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startUdpServer, UdpClient, type UdpServerHandle } from '../lib/net/udp.ts';
import udpClient from '../scripts/udp-client.ts';
import udpServer from '../scripts/udp-server.ts';
import { capture, isolatedEnv, startServerExercise, tempDir, waitFor } from './helpers.ts';
import { freePort } from '../peers/free-port.ts';
import { runScript, test } from './peers/net-peers.ts';

/** Sends one datagram from a fresh socket and resolves to the reply (or undefined after 1 s). */
async function exchange(port: number, data: Buffer): Promise<{ reply?: Buffer; localPort: number }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const localPort = socket.address().port;
  const reply = new Promise<Buffer | undefined>((resolve) => {
    socket.once('message', resolve);
    setTimeout(() => resolve(undefined), 1_000);
  });
  socket.send(data, port, '127.0.0.1');
  const result = { reply: await reply, localPort };
  socket.close();
  return result;
}

test('udp-server prints each datagram with its source address, and --echo sends it back', async (t) => {
  const dir = tempDir(t);
  const env = isolatedEnv(dir);
  const server = await startServerExercise(udpServer, ['--port', '0', '--echo'], { env });
  t.after(() => server.stop());
  const { reply, localPort } = await exchange(server.server.address.port, Buffer.from('hello'));
  assert.equal(reply?.toString(), 'hello');
  const printed = await waitFor(() => server.output().stdout.split('\n').find((line) => line.includes('"hello"')));
  assert.match(printed, new RegExp(`from 127\\.0\\.0\\.1:${localPort}  5 bytes  "hello"  \\(echoed\\)`));
  await server.stop();
  // The request log holds one line per datagram, with the client's address.
  const log = readFileSync(path.join(dir, 'log', 'udp-server.log'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const datagram = log.find((entry) => entry.msg === 'datagram');
  assert.equal(datagram.client, `127.0.0.1:${localPort}`);
  assert.equal(datagram.bytes, 5);
});

test('udp-server survives empty, binary and 65,507-byte datagrams, and echoes each intact', async (t) => {
  const seen: Buffer[] = [];
  const server = await startUdpServer({ host: '127.0.0.1', port: 0, echo: true, onDatagram: ({ data }) => seen.push(data) });
  t.after(() => server.close());
  const largest = Buffer.alloc(65_507, 0xab); // 65,535 − 8 (UDP header) − 20 (IPv4 header)
  const payloads = [Buffer.alloc(0), Buffer.from([0, 1, 2, 0xff, 0x1b, 0x5b, 0x32, 0x4a]), largest, Buffer.from('still alive')];
  for (const payload of payloads) {
    const { reply } = await exchange(server.address.port, payload);
    assert.ok(reply, `a reply to the ${payload.length}-byte datagram`);
    assert.ok(reply.equals(payload), `the ${payload.length}-byte datagram came back intact`);
  }
  assert.deepEqual(seen.map((data) => data.length), [0, 8, 65_507, 11]);
  assert.deepEqual(server.stats(), { datagrams: 4, bytes: 65_526 });
});

test('udp-server shows binary as hex (never raw control bytes) and --json prints one line per datagram', async (t) => {
  const human = await startServerExercise(udpServer, ['--port', '0'], { env: isolatedEnv(tempDir(t)) });
  t.after(() => human.stop());
  await exchange(human.server.address.port, Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00]));
  const line = await waitFor(() => human.output().stdout.split('\n').find((l) => l.includes('5 bytes')));
  assert.match(line, /hex 1b 5b 32 4a 00$/);
  assert.doesNotMatch(human.output().stdout, /\x1b/);

  const json = await startServerExercise(udpServer, ['--port', '0', '--json'], { env: isolatedEnv(tempDir(t)) });
  t.after(() => json.stop());
  const { localPort } = await exchange(json.server.address.port, Buffer.from('one'));
  await exchange(json.server.address.port, Buffer.from([0xff, 0xfe]));
  const [listening, ...lines] = await waitFor(() => {
    const found = json.output().stdout.split('\n').filter((l) => l.startsWith('{'));
    return found.length === 3 ? found.map((l) => JSON.parse(l)) : undefined;
  });
  // First, where it listens: a script that asked for --port 0 learns the port from it.
  assert.deepEqual([listening.type, listening.server, listening.address.port], ['listening', 'udp-server', json.server.address.port]);
  assert.deepEqual(lines[0].from, { host: '127.0.0.1', port: localPort });
  assert.equal(lines[0].text, 'one');
  assert.equal(lines[1].base64, Buffer.from([0xff, 0xfe]).toString('base64'));
  // Last, how many came in all (a flood shows only some of them).
  const stopped = JSON.parse((await json.stop()).stdout.trim().split('\n').at(-1)!);
  assert.deepEqual([stopped.type, stopped.datagrams, stopped.bytes], ['stopped', 2, 5]);
  assert.match((await human.stop()).stdout, /udp-server: 1 datagram received, 5 bytes\n/);
});

test('udp-client --wait prints the reply of an echo server', async (t) => {
  const server = await startUdpServer({ host: '127.0.0.1', port: 0, echo: true });
  t.after(() => server.close());
  const result = await capture(udpClient, ['--port', String(server.address.port), '--wait', 'bonjour']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`reply from 127\\.0\\.0\\.1:${server.address.port}  7 bytes  "bonjour"`));
});

test('udp-client sends one datagram per stdin line', async (t) => {
  const seen: string[] = [];
  const server = await startUdpServer({ host: '127.0.0.1', port: 0, echo: true, onDatagram: ({ data }) => seen.push(data.toString()) });
  t.after(() => server.close());
  const result = await runScript('udp-client', ['--port', String(server.address.port), '--wait', '--json'], { input: 'first\nsecond\n' });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(seen, ['first', 'second']);
  assert.deepEqual(result.stdout.trim().split('\n').map((line) => JSON.parse(line).text), ['first', 'second']);
});

test('UDP client reports "port unreachable" when no server listens (with and without --wait)', async () => {
  const port = await freePort('udp');
  for (const args of [['--wait', '--timeout', '10'], []]) {
    const started = Date.now();
    const result = await capture(udpClient, ['--port', String(port), ...args, 'anyone?']);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, new RegExp(`port unreachable: nothing listens on udp 127\\.0\\.0\\.1:${port}`));
    assert.ok(Date.now() - started < 5_000, 'it said so at once, instead of waiting for the 10 s timeout');
  }
});

test('udp-client --wait gives up after --timeout when the server does not answer, and says the server may not echo', async (t) => {
  const server = await startUdpServer({ host: '127.0.0.1', port: 0 }); // no --echo: it never answers
  t.after(() => server.close());
  const result = await capture(udpClient, ['--port', String(server.address.port), '--wait', '--timeout', '0.3', 'hello?']);
  assert.equal(result.code, 4);
  assert.match(result.stderr, /no answer from udp 127\.0\.0\.1:\d+ in time — no ICMP error came back, .*the server may not answer \(netlab udp-server answers only when started with --echo\); or the host is down, or a firewall drops the packets/);
});

test('a UDP client is a connected socket: it ignores datagrams from anyone but its server', async (t) => {
  const server = await startUdpServer({ host: '127.0.0.1', port: 0, echo: true });
  t.after(() => server.close());
  const client = await UdpClient.open({ host: '127.0.0.1', port: server.address.port });
  t.after(() => client.close());
  const intruder = dgram.createSocket('udp4');
  t.after(() => intruder.close());
  intruder.send('spoofed', client.local.port, '127.0.0.1');
  await client.send('real');
  assert.equal((await client.receive(2_000)).data.toString(), 'real');
});

test('udp-server reports a port already in use, naming who holds it', async (t) => {
  const holder = await startUdpServer({ host: '127.0.0.1', port: 0 });
  t.after(() => holder.close());
  const result = await capture(udpServer, ['--port', String(holder.address.port)], { env: isolatedEnv(tempDir(t)) });
  assert.equal(result.code, 4);
  assert.match(result.stderr, new RegExp(`udp port ${holder.address.port} on 127\\.0\\.0\\.1 is already in use by \\S+ \\(pid ${process.pid}\\)`));
});

test('a flood: udp-server shows and logs the first 1,000 datagrams of a second and counts the rest, every one accounted for', async (t) => {
  const dir = tempDir(t);
  const server = await startServerExercise(udpServer, ['--port', '0'], { env: isolatedEnv(dir) });
  t.after(() => server.stop());
  const sender = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sender.connect(server.server.address.port, '127.0.0.1', resolve));
  // 3,000 datagrams in one burst, a few at a time so that the kernel's buffer holds them.
  for (let sent = 0; sent < 3_000; sent += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => new Promise((resolve) => sender.send(`flood ${sent + i}`, resolve))));
  }
  sender.close();
  const handle = server.server as UdpServerHandle; // udp-server's handle counts what it received
  await waitFor(() => handle.stats().datagrams > 1_000, 5_000, 'more than 1,000 datagrams received');
  const { stdout } = await server.stop();
  const received = handle.stats().datagrams;
  const log = readFileSync(path.join(dir, 'log', 'udp-server.log'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const logged = log.filter((entry) => entry.msg === 'datagram').length;
  const counted = log.filter((entry) => entry.msg.startsWith('datagrams not logged')).reduce((sum, entry) => sum + entry.count, 0);
  assert.ok(logged >= 1_000, 'the first 1,000 of a second are logged (the cap itself: test/paced.test.ts, on its own clock)');
  assert.equal(logged + counted, received, 'every datagram received is either logged or counted');
  const shown = stdout.split('\n').filter((line) => line.includes('"flood ')).length;
  const notShown = [...stdout.matchAll(/… ([\d,]+) more datagrams? received, not shown/g)].reduce((sum, match) => sum + Number(match[1].replace(/,/g, '')), 0);
  assert.equal(shown + notShown, received, 'every datagram received is either shown or counted');
});
