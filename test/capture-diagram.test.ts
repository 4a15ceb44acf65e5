// Ladder diagrams of real exchanges on loopback, captured with tshark and with tcpdump: the
// arrows are checked against the capture file as tcpdump reads it back, packet by packet.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { captureDiagram } from '../lib/capture/draw.ts';
import { runningDecodeAs } from '../lib/capture/exercise-ports.ts';
import { ownerName } from '../lib/capture/owners.ts';
import { runExercise } from '../lib/cli/run.ts';
import type { Diagram } from '../lib/capture/diagram.ts';
import { fingerDefaults } from '../lib/finger/config.ts';
import { finger } from '../lib/finger/client.ts';
import { startConfiguredFingerd } from '../lib/finger/service.ts';
import { FtpClient } from '../lib/ftp/client/index.ts';
import { startFtpServer } from '../lib/ftp/server/index.ts';
import { decodeAsArguments, type CaptureToolName } from '../lib/net/capture.ts';
import { startTcpServer, TcpConnection } from '../lib/net/tcp.ts';
import { UdpClient } from '../lib/net/udp.ts';
import { calculatorMethods } from '../lib/rpc/calculator.ts';
import { RpcClient } from '../lib/rpc/client.ts';
import { listenRpc } from '../lib/rpc/server.ts';
import captureScript from '../scripts/capture.ts';
import { tempDir } from './helpers.ts';
import { netlab } from './services-cli.ts';
import { peerPath, skipBecause, skipWithout } from './peers/available.ts';
import { freePort } from '../peers/free-port.ts';
import { test } from './peers/net-peers.ts';

/** True when this test may capture with `tool` (and read with tshark); else it is skipped, loudly. */
function canCapture(t: { skip(message?: string): void }, tool: CaptureToolName): boolean {
  if (!peerPath(tool) || !peerPath('tshark')) return !skipWithout(t, tool, 'tshark');
  if (process.getuid?.() !== 0) return !skipBecause(t, 'capturing needs root (or CAP_NET_RAW); run the tests as root');
  return true;
}

/** The exchange as tcpdump reads the capture back: "sourcePort>destinationPort" per packet (ICMP: the quoted ports, reversed). */
function directionsInFile(file: string): string[] {
  const text = execFileSync(peerPath('tcpdump')!, ['-r', file, '-nn'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return text.split('\n').filter(Boolean).flatMap((line) => {
    const icmp = /ICMP \S+ udp port (\d+) unreachable/.exec(line);
    if (icmp) return [`${icmp[1]}>?`];
    const ports = /IP6? \S+\.(\d+) > \S+\.(\d+):/.exec(line);
    return ports ? [`${ports[1]}>${ports[2]}`] : [];
  });
}

const port = (endpoint: string) => endpoint.slice(endpoint.lastIndexOf(':') + 1);
const phasesOf = (diagram: Diagram) => diagram.arrows.flatMap((arrow) => (arrow.phaseStart ? [arrow.phaseStart] : []));

for (const tool of ['tshark', 'tcpdump'] as const) {
  test(`TCP echo captured with ${tool}: every phase, each arrow the way the packet went`, async (t) => {
    if (!canCapture(t, tool)) return;
    const echo = await startTcpServer({ host: '127.0.0.1', port: 0 });
    t.after(() => echo.close());
    // The capture file is kept (-w of our own) to check the diagram against it.
    const saved = path.join(tempDir(t), 'echo.pcap');
    const { diagram } = await captureDiagram({
      tool,
      port: echo.address.port,
      count: 1000,
      durationMs: 20_000,
      read: { programs: new Map([[`127.0.0.1:${echo.address.port}`, 'netlab tcp-server']]) },
      traffic: async () => {
        const connection = await TcpConnection.connect({ host: '127.0.0.1', port: echo.address.port, connectTimeoutMs: 2_000 });
        await connection.send('hello\n');
        connection.finish();
        assert.equal(await connection.waitClosed(5_000), 'fin');
      },
      keepFile: saved,
    });
    const server = diagram.lanes.find((lane) => lane.port === echo.address.port)!;
    assert.equal(server.role, 'server');
    assert.equal(server.program, 'netlab tcp-server');
    assert.equal(diagram.lanes.length, 2);
    assert.equal(diagram.lanes[0].role, 'client');
    assert.deepEqual(phasesOf(diagram), ['three-way handshake', 'data', 'half-close', 'four-way close']);
    assert.deepEqual(diagram.arrows.slice(0, 3).map((arrow) => arrow.flags), ['SYN', 'SYN, ACK', 'ACK']);
    assert.equal(diagram.arrows[0].from, diagram.lanes[0].endpoint, 'the SYN goes from the client');
    assert.ok(diagram.arrows.some((arrow) => arrow.label === '"hello\\n"' && arrow.to === server.endpoint));
    assert.deepEqual(diagram.arrows.map((arrow) => `${port(arrow.from)}>${port(arrow.to)}`), directionsInFile(saved).filter((d) => d.includes(String(echo.address.port))));
  });
}

test('UDP to a closed port: the ICMP port unreachable comes back from that port\'s lane to the sender\'s', async (t) => {
  if (!canCapture(t, 'tcpdump')) return;
  const closed = await freePort('udp');
  const saved = path.join(tempDir(t), 'closed.pcap');
  const { diagram } = await captureDiagram({
    tool: 'tcpdump',
    filter: `udp port ${closed} or icmp`,
    count: 1000,
    durationMs: 20_000,
    keepFile: saved,
    traffic: async () => {
      const client = await UdpClient.open({ host: '127.0.0.1', port: closed });
      t.after(() => client.close());
      await client.send('hello');
      await assert.rejects(client.receive(5_000), /port unreachable/);
    },
  });
  const icmp = diagram.arrows.filter((arrow) => arrow.protocol === 'icmp');
  assert.equal(icmp.length, 1, JSON.stringify(diagram.arrows));
  const datagram = diagram.arrows.find((arrow) => arrow.protocol === 'udp')!;
  assert.equal(datagram.label, '"hello"');
  assert.equal(icmp[0].from, datagram.to, 'from the closed port');
  assert.equal(icmp[0].to, datagram.from, 'back to the sender');
  assert.match(icmp[0].label, /^ICMP port unreachable \(3\/3\) for :\d+ → :\d+ "hello"$/);
  assert.deepEqual(diagram.lanes.map((lane) => lane.role), ['client', 'server']);
  assert.deepEqual(directionsInFile(saved).filter((d) => d.includes(String(closed))), [`${port(datagram.from)}>${closed}`, `${closed}>?`]);
});

test('an FTP session with a passive RETR: the control and the data connection, each in lanes of its own', async (t) => {
  if (!canCapture(t, 'tshark')) return;
  const root = tempDir(t);
  mkdirSync(path.join(root, 'pub'));
  writeFileSync(path.join(root, 'pub', 'hello.txt'), 'hello from the lab\n');
  const passive = await freePort('tcp');
  const server = await startFtpServer({ host: '127.0.0.1', port: 0, root, passivePorts: [passive, passive] });
  t.after(() => server.close());
  const control = server.address.port;
  const { diagram } = await captureDiagram({
    tool: 'tshark',
    filter: `tcp port ${control} or tcp port ${passive}`,
    count: 1000,
    durationMs: 20_000,
    read: { decodeAs: decodeAsArguments({ ftp: control }) },
    traffic: async () => {
      const client = await FtpClient.connect({ host: '127.0.0.1', port: control });
      await client.login();
      await client.downloadFile('pub/hello.txt', path.join(root, 'copy.txt'));
      await client.quit();
    },
  });
  const labels = diagram.arrows.map((arrow) => arrow.label);
  assert.ok(labels.some((label) => /^USER anonymous$/.test(label)), labels.join(' | '));
  assert.ok(labels.some((label) => /^RETR pub\/hello.txt$/.test(label)), labels.join(' | '));
  assert.ok(labels.some((label) => /^(227|229) /.test(label)), 'the passive reply');
  assert.ok(labels.some((label) => /^ftp-data \(RETR pub\/hello.txt\)/.test(label)), labels.join(' | '));
  assert.deepEqual(diagram.lanes.map((lane) => `${lane.role}${lane.port === control ? ' control' : lane.port === passive ? ' data' : ''}`), ['client', 'server control', 'client', 'server data']);
  const phases = phasesOf(diagram);
  assert.ok(phases.includes('FTP control: three-way handshake') && phases.includes('FTP data: three-way handshake'), phases.join(' | '));
});

test('a finger query, and the answer in the other direction', async (t) => {
  if (!canCapture(t, 'tshark')) return;
  const server = await startConfiguredFingerd({ host: '127.0.0.1', port: 0, settings: { ...fingerDefaults, backend: 'builtin' } });
  t.after(() => server.close());
  const { diagram } = await captureDiagram({
    tool: 'tshark',
    port: server.address.port,
    count: 1000,
    durationMs: 20_000,
    read: { decodeAs: decodeAsArguments({ finger: server.address.port }) },
    traffic: () => finger({ host: '127.0.0.1', port: server.address.port, line: 'nobody', connectTimeoutMs: 5_000, readTimeoutMs: 5_000 }),
  });
  const query = diagram.arrows.find((arrow) => arrow.label.startsWith('finger query'));
  assert.ok(query, diagram.arrows.map((arrow) => arrow.label).join(' | '));
  assert.equal(query.label, 'finger query "nobody"');
  assert.equal(port(query.to), String(server.address.port));
  const answer = diagram.arrows.find((arrow) => arrow.label.startsWith('finger answer'));
  assert.ok(answer && port(answer.from) === String(server.address.port));
});

test('XML-RPC: the call names its method, the fault its code and string', async (t) => {
  if (!canCapture(t, 'tshark')) return;
  const server = await listenRpc({ host: '127.0.0.1', port: 0, methods: calculatorMethods });
  t.after(() => server.close());
  const { diagram } = await captureDiagram({
    tool: 'tshark',
    port: server.address.port,
    count: 1000,
    durationMs: 20_000,
    read: { decodeAs: decodeAsArguments({ calc: server.address.port }) },
    traffic: async () => {
      const client = new RpcClient({ url: `http://127.0.0.1:${server.address.port}/`, timeoutMs: 5_000 });
      t.after(() => client.close());
      assert.equal(await client.call('add', [2, 3]), 5);
      await assert.rejects(client.call('quotient', [1, 0]));
      client.close();
    },
  });
  const labels = diagram.arrows.map((arrow) => arrow.label).filter(Boolean);
  assert.ok(labels.includes('POST / call add'), labels.join(' | '));
  assert.ok(labels.includes('HTTP 200 OK response'), labels.join(' | '));
  assert.ok(labels.includes('POST / call quotient'), labels.join(' | '));
  assert.ok(labels.some((label) => /^HTTP 200 OK fault \d+: .+/.test(label)), labels.join(' | '));
});

test('netlab capture --port P --diagram --json, live: the exchange drawn once --count packets came, the server lane named by its owner', async (t) => {
  if (!canCapture(t, 'tshark')) return;
  const echo = await startTcpServer({ host: '127.0.0.1', port: 0 });
  t.after(() => echo.close());
  let stdout = '';
  let stderr = '';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const collect = (into: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (into(String(chunk)), done()) });
  const finished = runExercise(captureScript, ['--port', String(echo.address.port), '--diagram', '-c', '10', '-d', '20', '--json'], {
    stdout: collect((text) => (stdout += text)),
    stderr: collect((text) => {
      stderr += text;
      if (/^waiting for 10 packets/m.test(stderr)) markReady();
    }),
  });
  await Promise.race([ready, finished]);
  const connection = await TcpConnection.connect({ host: '127.0.0.1', port: echo.address.port, connectTimeoutMs: 2_000 });
  await connection.send('hello\n');
  connection.finish();
  await connection.waitClosed(5_000);
  assert.equal(await finished, 0, stderr);
  const data = JSON.parse(stdout);
  const server = data.lanes.find((lane: { endpoint: string }) => lane.endpoint === `127.0.0.1:${echo.address.port}`);
  assert.equal(server.role, 'server');
  assert.equal(server.program, ownerName(process.pid, 'node'), 'this test process holds the listening socket');
  assert.equal(data.arrows.length, 10);
  assert.equal(data.arrows[0].flags, 'SYN');
  assert.equal(data.arrows[0].to, server.endpoint);
});

test('a lane is named by the netlab command that owns it: a script, bin/netlab.js, or a daemon of netlab start', (t) => {
  const proc = tempDir(t);
  const commands: Record<number, string[]> = {
    1: ['/usr/bin/node', '/home/me/netlab/dist/lib/cli/main.js', 'fingerd', '--port', '0'],
    2: ['node', '--import', 'tsx', '/home/me/netlab/lib/cli/main.ts', 'calc-server'],
    3: ['node', '/home/me/netlab/bin/netlab.js', 'tcp-client', 'hello'],
    4: ['node', '/home/me/netlab/node_modules/.bin/zx', '/home/me/netlab/scripts/udp-server.ts'],
    5: ['node', '/srv/app/main.js', 'serve'],
  };
  for (const [pid, argv] of Object.entries(commands)) {
    mkdirSync(path.join(proc, pid));
    writeFileSync(path.join(proc, pid, 'cmdline'), `${argv.join('\0')}\0`);
  }
  const names = Object.keys(commands).map((pid) => ownerName(Number(pid), 'node', proc));
  assert.deepEqual(names, ['netlab fingerd', 'netlab calc-server', 'netlab tcp-client', 'netlab udp-server', 'node']);
  assert.equal(ownerName(99, 'socat', proc), 'socat', 'a process gone: its program');
});

test("a running netlab service is decoded as what it is, on whatever port it was started", async (t) => {
  const dir = tempDir(t); // its daemons are stopped when the test ends
  const started = await netlab(dir, ['start', 'ftpd', '--port', '0', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const { port } = JSON.parse(started.stdout).address;
  assert.notEqual(port, 2121);
  const decodeAs = runningDecodeAs(path.join(dir, 'run'));
  assert.deepEqual(decodeAs, ['-d', `tcp.port==${port},ftp`]);
});
