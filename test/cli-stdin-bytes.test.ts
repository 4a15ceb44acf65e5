// The clients send stdin's bytes as they are: a pipe may carry any byte, and decoding it as UTF-8
// sent U+FFFD (ef bf bd) for each byte that is not text (found by trying it as a new user).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { isolatedEnv, netlabBin, tempDir } from './helpers.ts';

const binary = Buffer.from([0x01, 0x02, 0xff, 0xfe, 0x00, 0x80]);

function client(t: { after(fn: () => void): void }, dir: string, args: string[], input: Buffer) {
  const child = spawn(process.execPath, [netlabBin, ...args], { env: isolatedEnv(dir), stdio: ['pipe', 'ignore', 'pipe'] });
  t.after(() => child.kill());
  child.stdin.end(input);
  return once(child, 'exit');
}

test('udp-client sends each stdin line as its bytes, one datagram per line (CRLF or LF)', async (t) => {
  const server = dgram.createSocket('udp4');
  t.after(() => server.close());
  server.bind(0, '127.0.0.1');
  await once(server, 'listening');
  const datagrams: Buffer[] = [];
  server.on('message', (data) => datagrams.push(data));
  const input = Buffer.concat([binary, Buffer.from('\r\nsecond\nlast without LF')]);
  const [code] = await client(t, tempDir(t), ['udp-client', '--port', String(server.address().port)], input);
  assert.equal(code, 0);
  assert.deepEqual(datagrams, [binary, Buffer.from('second'), Buffer.from('last without LF')]);
});

test('tcp-client sends each stdin line as its bytes, with its LF', async (t) => {
  const server = net.createServer();
  t.after(() => server.close());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const received = new Promise<Buffer>((resolve) =>
    server.once('connection', (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('end', () => (socket.end(), resolve(Buffer.concat(chunks))));
    }),
  );
  const [code] = await client(t, tempDir(t), ['tcp-client', '--port', String((server.address() as net.AddressInfo).port)], Buffer.concat([binary, Buffer.from('\n')]));
  assert.equal(code, 0);
  assert.deepEqual(await received, Buffer.concat([binary, Buffer.from('\n')]));
});
