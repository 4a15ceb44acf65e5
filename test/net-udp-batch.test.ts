import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import { addonPath, dgramHandle, loadAddon, readInBatches } from '../lib/net/_udp-batch.ts';
import { peersRequired, skipBecause } from './peers/available.ts';
import { nodeWithTsx, waitFor } from './helpers.ts';

// npm install builds the addon (bin/native.js); CI has a compiler, so there it must be built.
const built = existsSync(addonPath);
if (!built && peersRequired) throw new Error(`the UDP batch reader was not built (${addonPath}): native/build.log says why`);
const skip = (t: { skip(message?: string): void }) => !built && skipBecause(t, 'the UDP batch reader was not built (native/build.log says why; npm run build:native tries again)');

async function bound(type: 'udp4' | 'udp6', host: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket(type);
  socket.bind(0, host);
  await once(socket, 'listening');
  return socket;
}

test('a socket read in batches gets every datagram of a burst, each its own copy, in order, with its sender', async (t) => {
  if (skip(t)) return;
  const server = await bound('udp4', '127.0.0.1');
  const senders = [await bound('udp4', '127.0.0.1'), await bound('udp4', '127.0.0.1')];
  t.after(() => [server, ...senders].forEach((socket) => socket.close()));
  const received: { text: string; data: Buffer; address: string; port: number }[] = [];
  server.on('message', () => assert.fail('node:dgram still reads: the batch reader should have stopped it'));
  const stop = readInBatches(server, (data, sender) => received.push({ text: data.toString(), data, ...sender }), (errno) => assert.fail(`read failed: errno ${errno}`));
  assert.ok(stop, 'readInBatches took over an IPv4 socket');
  t.after(stop!);
  // Bursts of 2 × 50, sent back to back: the kernel queues them while this loop is busy sending,
  // so reads return many at a time (a burst stays well inside the default receive buffer).
  const count = 300;
  const burst = 50;
  for (let start = 0; start < count; start += burst) {
    for (const [index, sender] of senders.entries()) {
      for (let i = start; i < start + burst; i++) sender.send(`${index}:${i}:${'x'.repeat(i % 50)}`, server.address().port, '127.0.0.1');
    }
    await waitFor(() => received.length === 2 * (start + burst), 5_000, `${2 * (start + burst)} datagrams`);
  }
  for (const [index, sender] of senders.entries()) {
    const own = received.filter((datagram) => datagram.port === sender.address().port);
    assert.equal(own.length, count);
    assert.ok(own.every((datagram) => datagram.address === '127.0.0.1'));
    // Each Buffer still holds its own datagram after later batches reused the slots.
    assert.deepEqual(own.map((datagram) => datagram.data.toString()), own.map((_, i) => `${index}:${i}:${'x'.repeat(i % 50)}`));
  }
});

test('stopping the batch reader closes its duplicate descriptor at once, and the socket then closes as usual', async (t) => {
  if (skip(t)) return;
  // What each descriptor of this process is ("socket:[inode]"): the server's socket is the new one.
  const links = () => readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return ''; // closed meanwhile (readdir's own descriptor among them)
    }
  });
  const before = new Set(links());
  const server = await bound('udp4', '127.0.0.1');
  const [socketLink] = links().filter((link) => link.startsWith('socket:') && !before.has(link));
  const copies = () => links().filter((link) => link === socketLink).length;
  assert.equal(copies(), 1);
  const stop = readInBatches(server, () => {}, () => {});
  assert.ok(stop);
  assert.equal(copies(), 2, 'the socket and the reader’s dup of it');
  stop!();
  assert.equal(copies(), 1, 'the dup is closed as stop() returns (the port is free once the socket closes)');
  stop!(); // twice is harmless
  server.close();
  await once(server, 'close');

  // Closing the socket without stop() first stops the reader too: no descriptor keeps the port.
  const other = await bound('udp4', '127.0.0.1');
  const [otherLink] = links().filter((link) => link.startsWith('socket:') && !before.has(link) && link !== socketLink);
  assert.ok(readInBatches(other, () => {}, () => {}));
  assert.equal(links().filter((link) => link === otherLink).length, 2);
  other.close();
  await once(other, 'close');
  assert.equal(links().filter((link) => link === otherLink).length, 0);
});

test('a reader stopped by one of its datagrams delivers no more of its batch', async (t) => {
  if (skip(t)) return;
  const server = await bound('udp4', '127.0.0.1');
  const sender = await bound('udp4', '127.0.0.1');
  t.after(() => sender.close());
  const received: string[] = [];
  const stop = readInBatches(server, (data) => {
    received.push(String(data));
    stop!();
    server.close(); // a server closed by the datagram it is handling, as `quit` would
  }, (errno) => assert.fail(`read failed: errno ${errno}`));
  assert.ok(stop);
  sender.send('first', server.address().port, '127.0.0.1');
  sender.send('second', server.address().port, '127.0.0.1');
  sender.send('third', server.address().port, '127.0.0.1');
  await once(server, 'close');
  await new Promise((resolve) => setImmediate(resolve)); // one more turn: a late batch would land here
  assert.deepEqual(received, ['first']);
});

test('an exception thrown by onDatagram is uncaught, as from a node:dgram listener: the rest of its batch is handled, then the process dies saying so', async (t) => {
  if (skip(t)) return;
  const script = `
    import dgram from 'node:dgram';
    import { once } from 'node:events';
    import { dgramHandle, loadAddon, readInBatches } from ${JSON.stringify(new URL('../lib/net/_udp-batch.ts', import.meta.url).pathname)};
    const server = dgram.createSocket('udp4');
    server.bind(0, '127.0.0.1');
    await once(server, 'listening');
    let handled = 0;
    process.on('exit', () => console.error('handled', handled));
    readInBatches(server, () => { if (handled++ === 0) throw new Error('a bug in the handler'); }, () => {});
    const client = dgram.createSocket('udp4');
    client.connect(server.address().port, '127.0.0.1');
    await once(client, 'connect');
    // Both sent in one system call before the loop turns again: they arrive as one batch.
    loadAddon().flood(dgramHandle(client).fd, Buffer.from('x'), 2);
  `;
  const child = spawn(process.execPath, [...nodeWithTsx.slice(1), '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  assert.equal(code, 1);
  assert.match(stderr, /Error: a bug in the handler/);
  // Both datagrams were read in one batch: the second is still handled, as node:dgram would.
  assert.match(stderr, /handled 2/);
});

test("the bench's load generator (flood) sends count copies of its payload, sendmmsg by 64", async (t) => {
  if (skip(t)) return;
  const server = await bound('udp4', '127.0.0.1');
  const sender = dgram.createSocket('udp4');
  sender.connect(server.address().port, '127.0.0.1');
  await once(sender, 'connect');
  t.after(() => [server, sender].forEach((socket) => socket.close()));
  const received: string[] = [];
  server.on('message', (data) => received.push(String(data)));
  // 150: two full sendmmsg calls and a partial one, well inside the default receive buffer.
  assert.equal(loadAddon()!.flood(dgramHandle(sender)!.fd, Buffer.from('ping'), 150), 150);
  await waitFor(() => received.length === 150, 5_000, '150 datagrams');
  assert.ok(received.every((text) => text === 'ping'));
});

test('readInBatches leaves an IPv6 socket to node:dgram (the reader decodes IPv4 senders only)', async (t) => {
  if (skip(t)) return;
  const server = await bound('udp6', '::1').catch(() => undefined);
  if (!server) return void skipBecause(t, 'no IPv6 loopback here');
  t.after(() => server.close());
  assert.equal(readInBatches(server, () => {}, () => {}), undefined);
  const client = await bound('udp6', '::1');
  t.after(() => client.close());
  client.send('still read', server.address().port, '::1');
  const [data] = await once(server, 'message');
  assert.equal(String(data), 'still read');
});
