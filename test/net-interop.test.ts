import assert from 'node:assert/strict';
import { startTcpServer, type TcpServerEvent } from '../lib/net/tcp.ts';
import { startUdpServer } from '../lib/net/udp.ts';
import tcpClient from '../scripts/tcp-client.ts';
import udpClient from '../scripts/udp-client.ts';
import { capture, waitFor } from './helpers.ts';
import { skipWithout } from './peers/available.ts';
import { runCommand, startSocatEcho, test } from './peers/net-peers.ts';

// Our servers with the classic tools as clients, and our clients against socat servers.

test('our UDP echo server answers nc -u and socat', async (t) => {
  if (skipWithout(t, 'nc', 'socat')) return;
  const seen: string[] = [];
  const server = await startUdpServer({ host: '127.0.0.1', port: 0, echo: true, onDatagram: ({ data }) => seen.push(data.toString()) });
  t.after(() => server.close());
  const port = String(server.address.port);
  const nc = await runCommand('nc', ['-u', '-w', '1', '127.0.0.1', port], { input: 'from nc\n' });
  assert.equal(nc.stdout, 'from nc\n', nc.stderr);
  const socat = await runCommand('socat', ['-t', '1', '-', `UDP:127.0.0.1:${port}`], { input: 'from socat\n' });
  assert.equal(socat.stdout, 'from socat\n', socat.stderr);
  assert.deepEqual(seen, ['from nc\n', 'from socat\n']);
});

test('our TCP server echoes to nc and socat, and sees each one close with a FIN', async (t) => {
  if (skipWithout(t, 'nc', 'socat')) return;
  const events: TcpServerEvent[] = [];
  const server = await startTcpServer({ host: '127.0.0.1', port: 0, onEvent: (event) => events.push(event) });
  t.after(() => server.close());
  const port = String(server.address.port);
  // -N: shut the socket down for writing (send FIN) at the end of stdin, then read to the end.
  const nc = await runCommand('nc', ['-N', '127.0.0.1', port], { input: 'line 1\nline 2\n' });
  assert.equal(nc.stdout, 'line 1\nline 2\n', nc.stderr);
  const socat = await runCommand('socat', ['-', `TCP:127.0.0.1:${port}`], { input: 'from socat\n' });
  assert.equal(socat.stdout, 'from socat\n', socat.stderr);
  const closes = await waitFor(() => {
    const found = events.filter((event) => event.type === 'close');
    return found.length === 2 ? found : undefined;
  });
  assert.deepEqual(closes.map((event) => event.type === 'close' && [event.how, event.bytesIn]), [['fin', 14], ['fin', 11]]);
});

test('our TCP server with --reply OK answers nc line by line', async (t) => {
  if (skipWithout(t, 'nc')) return;
  const server = await startTcpServer({ host: '127.0.0.1', port: 0, reply: 'OK' });
  t.after(() => server.close());
  const nc = await runCommand('nc', ['-N', '127.0.0.1', String(server.address.port)], { input: 'a\nb\n' });
  assert.equal(nc.stdout, 'OK\nOK\n');
});

test('our TCP client against socat TCP-LISTEN,fork EXEC:cat', async (t) => {
  if (skipWithout(t, 'socat')) return;
  const port = await startSocatEcho(t, 'tcp');
  const result = await capture(tcpClient, ['--port', String(port), '--json', 'via socat']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { server: `127.0.0.1:${port}`, sent: 10, bytes: 10, text: 'via socat\n', closedBy: 'server' });
});

test('our UDP client against socat UDP-RECVFROM,fork EXEC:cat', async (t) => {
  if (skipWithout(t, 'socat')) return;
  const port = await startSocatEcho(t, 'udp');
  const result = await capture(udpClient, ['--port', String(port), '--wait', '--json', 'via socat']);
  assert.equal(result.code, 0, result.stderr);
  // cat answers with the line it read, newline included only if we sent one: we sent none.
  assert.equal(JSON.parse(result.stdout.trim()).text, 'via socat');
});
