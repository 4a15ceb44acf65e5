import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { captureArguments, startCapture, type CaptureToolName } from '../lib/net/capture.ts';
import { startUdpServer, UdpClient } from '../lib/net/udp.ts';
import captureScript from '../scripts/capture.ts';
import { capture, tempDir } from './helpers.ts';
import { peerPath, skipBecause, skipWithout } from './peers/available.ts';
import { freePort, test } from './peers/net-peers.ts';

const tools: CaptureToolName[] = ['tshark', 'tcpdump'];

/** Skips the test (returning true) unless one of `wanted` is installed and this user may capture. */
function skipWithoutCapture(t: { skip(message?: string): void }, wanted: CaptureToolName[]): boolean {
  if (!wanted.some((tool) => peerPath(tool)) && skipWithout(t, ...wanted)) return true;
  if (process.getuid?.() !== 0) return skipBecause(t, 'capturing needs root (or capture rights); run the tests as root');
  return false;
}

for (const tool of tools) {
  test(`capture with ${tool} sees our datagrams on lo and stops at --count`, async (t) => {
    if (skipWithoutCapture(t, [tool])) return;
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
  if (skipWithoutCapture(t, tools)) return;
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
  if (skipWithoutCapture(t, tools)) return;
  const tool = tools.find((name) => peerPath(name))!;
  const noInterface = await capture(captureScript, ['--tool', tool, '--interface', 'nosuch0', '--duration', '5']);
  assert.equal(noInterface.code, 2);
  assert.match(noInterface.stderr, /there is no interface named "nosuch0"/);
  const badFilter = await capture(captureScript, ['--tool', tool, '--filter', 'port port port', '--duration', '5']);
  assert.equal(badFilter.code, 2);
  assert.match(badFilter.stderr, /rejected the capture filter/);
});

test('the filter reaches the tool as one argument, never through a shell', () => {
  const args = captureArguments('tcpdump', { port: 8016, filter: 'tcp; rm -rf /', count: 5 });
  assert.deepEqual(args, ['-i', 'lo', '-n', '-l', '-c', '5', 'port 8016 and (tcp; rm -rf /)']);
  assert.deepEqual(captureArguments('tshark', { count: 1, hex: true }), ['-i', 'lo', '-n', '-l', '-c', '1', '-x']);
});

for (const tool of tools) {
  test(`capture --out with ${tool} saves the packets to a capture file Wireshark opens`, async (t) => {
    if (skipWithoutCapture(t, [tool])) return;
    const file = path.join(tempDir(t), 'lab.pcap');
    const server = await startUdpServer({ host: '127.0.0.1', port: 0 });
    t.after(() => server.close());
    const lines: string[] = [];
    const session = startCapture({ tool, port: server.address.port, count: 2, durationMs: 20_000, writeFile: file, onLine: (line) => lines.push(line) });
    await session.ready;
    const client = await UdpClient.open({ host: '127.0.0.1', port: server.address.port });
    t.after(() => client.close());
    await client.send('a');
    await client.send('b');
    assert.equal((await session.finished).packets, 2);
    assert.equal(lines.length, 2, 'the packets are still shown while saved');
    // pcap (a1b2c3d4 in either byte order) or pcapng (0a0d0d0a): both open in Wireshark.
    assert.match(readFileSync(file).subarray(0, 4).toString('hex'), /^(d4c3b2a1|a1b2c3d4|0a0d0d0a)$/);
  });
}
