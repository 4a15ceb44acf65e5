import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { refusalLine, startTcpServer, TcpConnection, type TcpClientEvent, type TcpServerEvent } from '../lib/net/tcp.ts';
import tcpClient from '../scripts/tcp-client.ts';
import tcpServer from '../scripts/tcp-server.ts';
import qotd from '../plugins/qotd.ts';
import { capture, isolatedEnv, startServerExercise, tempDir, waitFor } from './helpers.ts';
import { skipBecause } from './peers/available.ts';
import { freePort } from '../peers/free-port.ts';
import { runScript, test } from './peers/net-peers.ts';

/** Connects, sends, half-closes, and resolves to everything received until the server's FIN. */
async function talk(port: number, data: string): Promise<string> {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await once(socket, 'connect');
  socket.end(data);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

async function startRecording(options: Partial<Parameters<typeof startTcpServer>[0]> = {}) {
  const events: TcpServerEvent[] = [];
  const server = await startTcpServer({ host: '127.0.0.1', port: 0, onEvent: (event) => events.push(event), ...options });
  return { server, events };
}

test('tcp-server prints the client address, echoes, and says the client closed (FIN)', async (t) => {
  const server = await startServerExercise(tcpServer, ['--port', '0'], { env: isolatedEnv(tempDir(t)) });
  t.after(() => server.stop());
  const socket = net.connect({ port: server.server.address.port, host: '127.0.0.1' });
  await once(socket, 'connect');
  const client = `127.0.0.1:${socket.localPort}`;
  socket.write('ping\n');
  assert.equal(String((await once(socket, 'data'))[0]), 'ping\n');
  socket.end();
  await once(socket, 'close');
  const stdout = await waitFor(() => (server.output().stdout.includes('closed the connection') ? server.output().stdout : ''));
  assert.match(stdout, new RegExp(`${client} connected \\(1 open\\)`));
  assert.match(stdout, new RegExp(`${client} sent 5 bytes  "ping\\\\n"`));
  assert.match(stdout, new RegExp(`${client} closed the connection \\(FIN\\) — 5 bytes in, 5 out`));
});

test('tcp-server tells a reset (RST) from an orderly close (FIN)', async (t) => {
  const { server, events } = await startRecording();
  t.after(() => server.close());
  const socket = net.connect({ port: server.address.port, host: '127.0.0.1' });
  await once(socket, 'connect');
  socket.write('bye\n');
  await once(socket, 'data');
  socket.resetAndDestroy(); // SO_LINGER 0: the kernel sends RST instead of FIN
  const closed = await waitFor(() => events.find((event) => event.type === 'close'));
  assert.equal(closed.type === 'close' && closed.how, 'reset');
});

test('--reply OK answers each line (and a last line without newline at the FIN)', async (t) => {
  const { server } = await startRecording({ reply: 'OK' });
  t.after(() => server.close());
  assert.equal(await talk(server.address.port, 'one\ntwo\nthree'), 'OK\nOK\nOK\n');
  assert.equal(await talk(server.address.port, ''), '', 'nothing said, nothing answered');
  const result = await capture(tcpServer, ['--reply', 'OK', '--port', 'x']);
  assert.equal(result.code, 2, 'a bad port is a usage error');
});

test('tcp-server serves many clients at once', async (t) => {
  const { server, events } = await startRecording();
  t.after(() => server.close());
  // Twenty connections open together, each holding its own conversation.
  const sockets = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const socket = net.connect({ port: server.address.port, host: '127.0.0.1' });
      await once(socket, 'connect');
      return socket;
    }),
  );
  await waitFor(() => events.some((event) => event.type === 'connect' && event.open === 20));
  const replies = await Promise.all(
    sockets.map(async (socket, i) => {
      socket.write(`client ${i}\n`);
      return String((await once(socket, 'data'))[0]);
    }),
  );
  assert.deepEqual(replies, sockets.map((_, i) => `client ${i}\n`));
  for (const socket of sockets) socket.end();
});

test('--max-connections: one client too many is told "busy" and closed, the others are served', async (t) => {
  const { server, events } = await startRecording({ maxConnections: 2 });
  t.after(() => server.close());
  const held = [net.connect({ port: server.address.port, host: '127.0.0.1' }), net.connect({ port: server.address.port, host: '127.0.0.1' })];
  t.after(() => held.forEach((socket) => socket.destroy()));
  await waitFor(() => events.filter((event) => event.type === 'connect').length === 2);
  const refused = await capture(tcpClient, ['--port', String(server.address.port), 'me too']);
  assert.equal(refused.stdout.split('\n')[0], refusalLine(2).trim());
  assert.ok(events.some((event) => event.type === 'refused' && event.max === 2));
  held[0].end();
  await waitFor(() => events.some((event) => event.type === 'close'));
  assert.equal(await talk(server.address.port, 'now?\n'), 'now?\n', 'a place freed up: served again');
});

test('tcp-client --trace shows connect, bytes sent and received, both FINs, in order, with timestamps', async (t) => {
  const { server } = await startRecording();
  t.after(() => server.close());
  const result = await capture(tcpClient, ['--port', String(server.address.port), '--trace', 'hello']);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  for (const line of lines) assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} +\+\d+\.\d ms  /);
  const steps = lines.map((line) => line.replace(/^.*? ms  /, ''));
  assert.match(steps[0], /^connected 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+$/);
  assert.equal(steps[1], 'sent 6 bytes  "hello\\n"');
  assert.ok(steps.indexOf('received 6 bytes  "hello\\n"') > 1);
  assert.ok(steps.indexOf('sent FIN (we will send nothing more; still reading)') > 1);
  assert.ok(steps.indexOf('received FIN (the server has closed its side)') > steps.indexOf('sent FIN (we will send nothing more; still reading)'));
  assert.equal(steps.at(-1), 'connection closed');
  assert.match(result.stderr, /^server closed the connection: sent 6 bytes, received 6 bytes$/m, 'the summary, apart from the trace');
});

test('tcp-client: one-shot prints the answer; --json gives a result; interactive mode sends stdin lines', async (t) => {
  const { server } = await startRecording({ reply: 'OK' });
  t.after(() => server.close());
  const port = String(server.address.port);
  const oneShot = await capture(tcpClient, ['--port', port, 'hello']);
  assert.equal(oneShot.stdout, 'OK\n', 'stdout holds only the server\'s bytes');
  assert.equal(oneShot.stderr, 'server closed the connection: sent 6 bytes, received 3 bytes\n');
  const json = JSON.parse((await capture(tcpClient, ['--port', port, '--json', 'hello'])).stdout);
  assert.deepEqual(json, { server: `127.0.0.1:${port}`, sent: 6, bytes: 3, text: 'OK\n', closedBy: 'server' });
  const interactive = await runScript('tcp-client', ['--port', port, '--quiet'], { input: 'a\nb\nc\n' });
  assert.equal(interactive.code, 0, interactive.stderr);
  assert.equal(interactive.stdout, 'OK\nOK\nOK\n');
});

test('interactive tcp-client stops at the server\'s FIN (a quote server, a "busy" refusal) without waiting for Ctrl-D', async (t) => {
  const quotes = await startServerExercise(qotd, ['--port', '0'], { env: isolatedEnv(tempDir(t)) });
  t.after(() => quotes.stop());
  // stdin stays open, as when the person has typed nothing: before the fix this hung until killed.
  const quote = await runScript('tcp-client', ['--port', String(quotes.server.address.port)], { keepStdinOpen: true, timeoutMs: 15_000 });
  assert.equal(quote.code, 0, quote.stderr);
  assert.equal(quote.stdout, 'The network is the computer. — John Gage\n');
  assert.match(quote.stderr, /^server closed the connection: sent 0 bytes, received 44 bytes$/m);

  const { server, events } = await startRecording({ maxConnections: 1 });
  t.after(() => server.close());
  const held = net.connect({ port: server.address.port, host: '127.0.0.1' });
  t.after(() => held.destroy());
  await waitFor(() => events.some((event) => event.type === 'connect'));
  const busy = await runScript('tcp-client', ['--port', String(server.address.port)], { keepStdinOpen: true, timeoutMs: 15_000 });
  assert.equal(busy.code, 0, busy.stderr);
  assert.equal(busy.stdout.split('\n')[0], refusalLine(1).trim());
  assert.match(busy.stderr, /^server closed the connection: sent 0 bytes/m);
});

test('tcp-client prints CRLF and LF lines without their line ending, and every other control visibly', async (t) => {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.resume();
    socket.end('quote\r\nbell\x07 and escape\x1b[2J\ncarriage\rreturn\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const result = await capture(tcpClient, ['--port', String((server.address() as net.AddressInfo).port), '--quiet', 'hi']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'quote\nbell^G and escape^[[2J\ncarriage^Mreturn\n');
});

test('tcp-client: a refused connection and a server that resets are clear errors', async (t) => {
  const port = await freePort();
  const refused = await capture(tcpClient, ['--port', String(port), 'hello']);
  assert.equal(refused.code, 4);
  assert.match(refused.stderr, new RegExp(`connection refused: nothing listens on tcp 127\\.0\\.0\\.1:${port}`));

  const rude = net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
  t.after(() => rude.close());
  const reset = await capture(tcpClient, ['--port', String((rude.address() as net.AddressInfo).port), 'hello']);
  assert.equal(reset.code, 4);
  assert.match(reset.stderr, /reset the connection/);
});

test('TcpConnection reports the server closing first as a FIN it received', async (t) => {
  const server = net.createServer((socket) => socket.end('goodbye\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const events: TcpClientEvent['type'][] = [];
  const connection = await TcpConnection.connect({
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    connectTimeoutMs: 2_000,
    onEvent: (event) => {
      events.push(event.type);
      if (event.type === 'fin-received') connection.finish(); // our turn to close our side
    },
  });
  assert.equal(await connection.closed, 'fin');
  assert.deepEqual(events, ['connect', 'received', 'fin-received', 'fin-sent', 'closed']);
});

test('closing the server ends open connections gracefully (the client sees a FIN)', async (t) => {
  const { server, events } = await startRecording();
  const socket = net.connect({ port: server.address.port, host: '127.0.0.1', allowHalfOpen: true });
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  await waitFor(() => events.length > 0);
  const ended = once(socket, 'end').then(() => socket.end());
  const closing = server.close();
  await ended;
  await closing;
  // close() resolves only once every connection's end has been reported.
  const closed = events.find((event) => event.type === 'close');
  assert.ok(closed);
  assert.equal(closed.type === 'close' && closed.how, 'server');
});

test('tcp-server reports a port already in use, naming who holds it', async (t) => {
  const { server } = await startRecording();
  t.after(() => server.close());
  const result = await capture(tcpServer, ['--port', String(server.address.port)], { env: isolatedEnv(tempDir(t)) });
  assert.equal(result.code, 4);
  assert.match(result.stderr, new RegExp(`tcp port ${server.address.port} on 127\\.0\\.0\\.1 is already in use by \\S+ \\(pid ${process.pid}\\)`));
});

test('tcp-client gives up waiting after --timeout when the server never closes, and says so', async (t) => {
  const silent = net.createServer({ allowHalfOpen: true }, (socket) => socket.resume()); // reads, never answers, never closes
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => silent.close());
  const result = await capture(tcpClient, ['--port', String((silent.address() as net.AddressInfo).port), '--timeout', '0.3', 'anyone?']);
  assert.equal(result.code, 0);
  assert.match(result.stderr, /warning: the server did not close the connection within 0\.3 s; we closed it/);
});

test('the request log has one line per connection event, with the client address', async (t) => {
  const dir = tempDir(t);
  const server = await startServerExercise(tcpServer, ['--port', '0', '--reply', 'OK'], { env: isolatedEnv(dir) });
  t.after(() => server.stop());
  assert.equal(await talk(server.server.address.port, 'hi\n'), 'OK\n');
  await server.stop();
  const log = readFileSync(path.join(dir, 'log', 'tcp-server.log'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const connect = log.find((entry) => entry.msg === 'connect');
  const close = log.find((entry) => entry.msg === 'close');
  assert.match(connect.client, /^127\.0\.0\.1:\d+$/);
  assert.deepEqual([close.client, close.how, close.bytesIn, close.bytesOut], [connect.client, 'fin', 3, 3]);
});

test('IPv6: tcp-server and tcp-client on ::1, addresses written [::1]:port', async (t) => {
  const hasIPv6Loopback = Object.values(os.networkInterfaces()).flat().some((entry) => entry?.address === '::1');
  if (!hasIPv6Loopback) {
    skipBecause(t, 'this machine has no ::1 (IPv6 disabled)');
    return;
  }
  const server = await startServerExercise(tcpServer, ['--host', '::1', '--port', '0'], { env: isolatedEnv(tempDir(t)) });
  t.after(() => server.stop());
  const port = server.server.address.port;
  const result = await capture(tcpClient, ['--host', '::1', '--port', String(port), '--json', 'six']);
  assert.equal(JSON.parse(result.stdout).server, `[::1]:${port}`);
  assert.match(await waitFor(() => server.output().stdout.match(/\[::1\]:\d+ closed the connection \(FIN\)/)?.[0]), /FIN/);
});

test('tcp-server --json prints one JSON line per event: listening, connect, data, close', async (t) => {
  const server = await startServerExercise(tcpServer, ['--port', '0', '--json'], { env: isolatedEnv(tempDir(t)) });
  t.after(() => server.stop());
  assert.equal(await talk(server.server.address.port, 'json\n'), 'json\n');
  const events = await waitFor(() => {
    const lines = server.output().stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    return lines.length === 4 ? lines : undefined;
  });
  assert.deepEqual(events.map((event) => event.type), ['listening', 'connect', 'data', 'close']);
  assert.equal(events[0].address.port, server.server.address.port);
  assert.equal(events[2].text, 'json\n');
  assert.equal(events[3].how, 'fin');
});

test('the echo returns 8 MiB intact and in order to a client that reads only once it has sent it all (backpressure)', async (t) => {
  const { server, events } = await startRecording();
  t.after(() => server.close());
  const sent = Buffer.alloc(8 * 2 ** 20);
  for (let at = 0; at < sent.length; at += 4) sent.writeUInt32LE(at, at); // each offset names itself
  const socket = net.connect({ port: server.address.port, host: '127.0.0.1', allowHalfOpen: true });
  await once(socket, 'connect');
  socket.pause();
  socket.end(sent);
  await once(socket, 'finish'); // all of it taken by the kernel or queued while the server waits for us
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk);
  assert.ok(Buffer.concat(chunks).equals(sent));
  // Every 'data' event holds its own copy of what was read: together they are the bytes sent.
  await waitFor(() => events.some((event) => event.type === 'close'));
  const seen = Buffer.concat(events.flatMap((event) => (event.type === 'data' ? [event.data] : [])));
  assert.ok(seen.equals(sent));
});
