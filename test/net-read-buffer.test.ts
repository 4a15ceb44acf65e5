import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { readIntoBuffer } from '../lib/net/_read-buffer.ts';

test('an accepted socket reads into our buffer (net has the fields onread sets), and ends as usual', async (t) => {
  const buffer = Buffer.alloc(16);
  const reads: string[] = [];
  let adopted: boolean | undefined;
  const server = net.createServer((socket) => {
    adopted = readIntoBuffer(socket, buffer, (count, into) => {
      assert.equal(into, buffer);
      reads.push(buffer.toString('latin1', 0, count));
      return true;
    });
    socket.on('data', () => assert.fail("no 'data' event: the bytes went to the callback"));
    socket.on('end', () => socket.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const client = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1' });
  await once(client, 'connect');
  client.end('0123456789abcdefXYZ'); // 19 bytes: more than the buffer holds
  await once(client, 'close');
  assert.equal(adopted, true);
  assert.equal(reads.join(''), '0123456789abcdefXYZ');
  assert.ok(reads.every((read) => read.length <= buffer.length));
});

test('readIntoBuffer changes nothing and says so on a socket that already reads into a buffer', () => {
  const options = { onread: { buffer: Buffer.alloc(4), callback: () => true } }; // the constructor takes it; its type does not say so
  const socket = new net.Socket(options as net.SocketConstructorOpts);
  assert.equal(readIntoBuffer(socket, Buffer.alloc(8), () => true), false);
  socket.destroy();
});
