import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultConfig } from '../lib/config/define.ts';
import { packageRoot } from '../lib/paths.ts';
import { captureArguments, decodeAsArguments, startCapture, type CaptureOptions, type CaptureToolName } from '../lib/net/capture.ts';
import { startUdpServer, UdpClient } from '../lib/net/udp.ts';
import captureScript from '../scripts/capture.ts';
import { capture, isolatedEnv, nodeWithTsx, tempDir, waitFor } from './helpers.ts';
import { peerPath, skipBecause, skipWithout } from './peers/available.ts';
import { freePort } from '../peers/free-port.ts';
import { signalChild, startCommand, test } from './peers/net-peers.ts';

const tools: CaptureToolName[] = ['tshark', 'tcpdump'];

/**
 * Skips the test, loudly, unless one of `wanted` is installed (the first found is returned) and
 * this user may capture (root here; capture rights are a machine's setup, not a package).
 */
function captureToolOrSkip(t: { skip(message?: string): void }, ...wanted: CaptureToolName[]): CaptureToolName | undefined {
  const tool = wanted.find((name) => peerPath(name));
  if (!tool) return void skipWithout(t, ...wanted);
  if (process.getuid?.() !== 0) return void skipBecause(t, 'capturing needs root (or capture rights); run the tests as root');
  return tool;
}

/** Captures on a fresh UDP server's port while a client sends `messages`: the lines shown and the count. */
async function captureDatagrams(t: { after(fn: () => unknown): void }, tool: CaptureToolName, messages: string[], options: Partial<CaptureOptions> = {}) {
  const server = await startUdpServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const lines: string[] = [];
  // The server's port decoded as data, as the lab's UDP port is: a random one may be a port tshark
  // gives another protocol (41170 is MANOLITO's, and the datagrams then read "Malformed Packet").
  const labPorts = { udp: server.address.port };
  const session = startCapture({ tool, port: server.address.port, count: messages.length, durationMs: 20_000, labPorts, onLine: (line) => lines.push(line), ...options });
  await session.ready;
  const client = await UdpClient.open({ host: '127.0.0.1', port: server.address.port });
  t.after(() => client.close());
  for (const message of messages) await client.send(message);
  const { packets } = await session.finished;
  return { lines, packets, port: server.address.port };
}

for (const tool of tools) {
  test(`capture with ${tool} sees our datagrams on lo and stops at --count`, async (t) => {
    if (!captureToolOrSkip(t, tool)) return;
    const server = await startUdpServer({ host: '127.0.0.1', port: 0, echo: true });
    t.after(() => server.close());
    const lines: string[] = [];
    // 2 datagrams and their 2 echoes: exactly 4 packets on the port, then the tool stops by itself.
    const session = startCapture({ tool, port: server.address.port, count: 4, durationMs: 20_000, onLine: (line) => lines.push(line) });
    await session.ready;
    const client = await UdpClient.open({ host: '127.0.0.1', port: server.address.port });
    t.after(() => client.close());
    for (const message of ['one', 'two']) {
      await client.send(message);
      await client.receive(2_000);
    }
    const started = Date.now();
    const { packets } = await session.finished;
    assert.equal(packets, 4);
    assert.ok(Date.now() - started < 10_000, 'it stopped at the count, not at the duration');
    assert.equal(lines.length, 4);
    assert.ok(lines.every((line) => line.includes(String(server.address.port)) && /UDP/.test(line)), lines.join('\n'));
  });
}

test('capture always ends: --duration stops it when fewer packets come', async (t) => {
  if (!captureToolOrSkip(t, ...tools)) return;
  const started = Date.now();
  const result = await capture(captureScript, ['--port', String(await freePort('udp')), '--count', '100', '--duration', '1']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^capturing with (tshark|tcpdump) \(-i lo -n -l -c 100 .*port \d+\); stops after 100 packets or 1 s$/m);
  assert.match(result.stdout, /^0 packets captured$/m);
  assert.ok(Date.now() - started < 8_000);
});

test('capture says what to install when neither tool is there', () => {
  assert.throws(
    () => startCapture({ count: 1, durationMs: 1_000, onLine: () => undefined, searchPath: '/nonexistent' }),
    (error: Error & { code?: string; hint?: string }) =>
      error.code === 'E_TOOL_MISSING' && error.message === 'neither tshark nor tcpdump is installed' && /apt install tshark tcpdump/.test(error.hint ?? ''),
  );
});

test('capture reports a missing interface and a bad filter in plain words', async (t) => {
  const tool = captureToolOrSkip(t, ...tools);
  if (!tool) return;
  const noInterface = await capture(captureScript, ['--tool', tool, '--interface', 'nosuch0', '--duration', '5']);
  assert.equal(noInterface.code, 2);
  assert.match(noInterface.stderr, /there is no interface named "nosuch0"/);
  const badFilter = await capture(captureScript, ['--tool', tool, '--filter', 'port port port', '--duration', '5']);
  assert.equal(badFilter.code, 2);
  assert.match(badFilter.stderr, /rejected the capture filter/);
});

test('the filter reaches the tool as one argument, never through a shell', () => {
  const args = captureArguments('tcpdump', { port: 8016, filter: 'tcp; rm -rf /', count: 5 });
  assert.deepEqual(args, ['-i', 'lo', '-n', '-l', '-c', '5', '--immediate-mode', 'port 8016 and (tcp; rm -rf /)']);
  // tshark -x alone drops the summary lines: -P keeps them above the bytes.
  assert.deepEqual(captureArguments('tshark', { count: 1, hex: true }), ['-i', 'lo', '-n', '-l', '-c', '1', '-x', '-P']);
});

test('tshark decodes every lab port as its protocol (UDP 9875 is no SAP); tcpdump has no decode-as', () => {
  const decode = ['-d', 'udp.port==9875,data', '-d', 'tcp.port==8016,data', '-d', 'tcp.port==7979,finger', '-d', 'tcp.port==8700,http', '-d', 'tcp.port==8701,http', '-d', 'tcp.port==2121,ftp'];
  assert.deepEqual(captureArguments('tshark', { count: 2, port: 9875, labPorts: defaultConfig.ports }), ['-i', 'lo', '-n', '-l', '-c', '2', ...decode, '-f', 'port 9875']);
  assert.deepEqual(captureArguments('tcpdump', { count: 2, port: 9875, labPorts: defaultConfig.ports }), ['-i', 'lo', '-n', '-l', '-c', '2', '--immediate-mode', 'port 9875']);
  // A port the config moved is the one decoded; 0 (any free port) and a port named twice are not repeated.
  assert.deepEqual(decodeAsArguments({ finger: 7070, calc: 0, annuaire: 8000, tcp: 8000, qotd: 1717 }), ['-d', 'tcp.port==7070,finger', '-d', 'tcp.port==8000,http']);
});

test('capture with tshark shows a datagram to the lab\'s UDP port 9875 as UDP data, not as a malformed SAP packet', async (t) => {
  if (!captureToolOrSkip(t, 'tshark')) return;
  const lines: string[] = [];
  // Nothing needs to listen: the datagram crosses lo all the same (an ICMP error follows it, filtered out).
  const session = startCapture({ tool: 'tshark', port: 9875, filter: 'udp', count: 1, durationMs: 20_000, labPorts: defaultConfig.ports, onLine: (line) => lines.push(line) });
  await session.ready;
  const client = await UdpClient.open({ host: '127.0.0.1', port: 9875 });
  t.after(() => client.close());
  await client.send('bonjour');
  assert.equal((await session.finished).packets, 1);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0], /UDP \d+ \d+ → 9875 Len=7$/);
  assert.doesNotMatch(lines[0], /SAP|Malformed/);
});

for (const tool of tools) {
  test(`capture -x with ${tool}: each packet's summary line, then its bytes in hex and ASCII`, async (t) => {
    if (!captureToolOrSkip(t, tool)) return;
    const { lines, packets, port } = await captureDatagrams(t, tool, ['hi!', 'ok?'], { hex: true });
    assert.equal(packets, 2);
    const summaries = lines.filter((line) => line.includes(String(port)) && /UDP/.test(line));
    assert.equal(summaries.length, 2, lines.join('\n'));
    const hexLine = /^([0-9a-f]{4}|\s+0x[0-9a-f]{4}:)  /;
    assert.ok(hexLine.test(lines[1]) && !hexLine.test(lines[0]), `the summary first, then the bytes:\n${lines.join('\n')}`);
    assert.ok(lines.some((line) => hexLine.test(line) && line.endsWith('hi!')), lines.join('\n'));
    assert.ok(lines.some((line) => hexLine.test(line) && line.endsWith('ok?')), lines.join('\n'));
  });
}

test('capture says once, on stderr, that it waits for the count or the duration; Ctrl-C ends it with what it saw', async (t) => {
  if (!captureToolOrSkip(t, ...tools)) return;
  const server = await startUdpServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const { port } = server.address;
  const script = path.join(packageRoot, 'scripts/capture.ts');
  const run = await startCommand(t, nodeWithTsx[0], [...nodeWithTsx.slice(1), script, '-p', String(port), '-f', 'udp'], /Ctrl-C stops now/, { env: isolatedEnv(tempDir(t)) });
  assert.match(run.output(), /^waiting for 20 packets or 30 s; Ctrl-C stops now and prints what was captured$/m);
  const client = await UdpClient.open({ host: '127.0.0.1', port });
  t.after(() => client.close());
  await client.send('one');
  await client.send('two');
  await waitFor(() => (run.output().match(new RegExp(`${port}\\b.*(Len=|length )3`, 'g')) ?? []).length === 2, 10_000, 'both datagrams shown');
  signalChild(run.child, 'SIGINT', false); // what Ctrl-C sends our process (the tool has a group of its own)
  assert.equal(await run.exited, 0, run.output());
  assert.match(run.output(), /^2 packets captured$/m);
  assert.equal(run.output().match(/Ctrl-C/g)?.length, 1, 'said once');
});

for (const tool of tools) {
  test(`capture --out with ${tool} saves the packets to a capture file Wireshark opens`, async (t) => {
    if (!captureToolOrSkip(t, tool)) return;
    const file = path.join(tempDir(t), 'lab.pcap');
    const { lines, packets } = await captureDatagrams(t, tool, ['a', 'b'], { writeFile: file });
    assert.equal(packets, 2);
    assert.equal(lines.length, 2, 'the packets are still shown while saved');
    // A name ending .pcap gets pcap (a1b2c3d4 in either byte order), not pcapng (0a0d0d0a).
    assert.match(readFileSync(file).subarray(0, 4).toString('hex'), /^(d4c3b2a1|a1b2c3d4)$/);
  });
}
