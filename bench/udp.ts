// bench/udp: how many datagrams per second our udp-server's receive loop takes in, and how many
// it loses, against a Python recvfrom loop — same sender, same burst, same run, loopback only —
// at the distribution's default receive buffer (net.core.rmem_default) and at 4 MiB.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { addonPath } from '../lib/net/_udp-batch.ts';
import { interleaved, printComparison, processCpuSeconds, withClientCpu, type Measurement } from './_report.ts';

const datagrams = Number(process.env.NETLAB_BENCH_DATAGRAMS ?? 1_000_000);
const size = 64;
const python = '/usr/bin/python3';
const defaultBuffer = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8'));
const bigBuffer = 4 * 2 ** 20;
const udpModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../lib/net/udp.ts');
const udpBatchModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../lib/net/_udp-batch.ts');
const floods = existsSync(addonPath);

// Each receiver takes its SO_RCVBUF as argument (every one sets it, so that the kernel doubles
// each alike), prints "ready PORT", counts datagrams until its stdin closes, then prints
// "COUNT SECONDS" (seconds between the first and the last datagram).
const ours = `
import { startUdpServer } from ${JSON.stringify(udpModule)};
let first = 0, last = 0, count = 0;
const server = await startUdpServer({ host: '127.0.0.1', port: 0, receiveBufferBytes: Number(process.argv[1]), onDatagram: () => {
  last = performance.now(); if (count++ === 0) first = last;
} });
console.log('ready', server.address.port);
process.stdin.resume();
process.stdin.on('end', async () => { console.log(count, (last - first) / 1000); await server.close(); });
`;
// The floor: node:dgram with nothing on top, to tell our code's cost from Node's own.
const bareNode = `
import dgram from 'node:dgram';
let first = 0, last = 0, count = 0;
const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: Number(process.argv[1]) });
socket.on('message', () => { last = performance.now(); if (count++ === 0) first = last; });
socket.bind(0, '127.0.0.1', () => console.log('ready', socket.address().port));
process.stdin.resume();
process.stdin.on('end', () => { console.log(count, (last - first) / 1000); socket.close(); });
`;
const reference = `
import socket, sys, time, threading
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(sys.argv[1]))
s.bind(('127.0.0.1', 0))
print('ready', s.getsockname()[1], flush=True)
count = 0; first = last = 0.0
def stop():
    sys.stdin.read()
    try: s.shutdown(socket.SHUT_RDWR)  # wakes the blocked recvfrom (Linux does, then says ENOTCONN)
    except OSError: pass
threading.Thread(target=stop, daemon=True).start()
try:
    while True:
        data, _ = s.recvfrom(65535)
        if not data: break  # the sender never sends an empty datagram: this is the shutdown
        last = time.perf_counter()
        if count == 0: first = last
        count += 1
except OSError:
    pass
print(count, last - first, flush=True)
`;
// The load generator must outrun every receiver, or it, not they, sets the rate: a connected
// socket flooded with sendmmsg(2), 64 datagrams per system call (native/udp_batch.c). Where the
// addon was not built, a Python loop of send(), one system call per datagram, as the receivers.
const flooder = `
import dgram from 'node:dgram';
import { dgramHandle, loadAddon } from ${JSON.stringify(udpBatchModule)};
const socket = dgram.createSocket('udp4');
socket.connect(Number(process.argv[1]), '127.0.0.1', () => {
  const started = performance.now();
  const sent = loadAddon().flood(dgramHandle(socket).fd, Buffer.alloc(${size}, 'x'), Number(process.argv[2]));
  console.log(sent, (performance.now() - started) / 1000);
  socket.close();
});
`;
const sender = `
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(('127.0.0.1', int(sys.argv[1])))
payload = b'x' * ${size}
sent = 0
started = time.perf_counter()
for _ in range(int(sys.argv[2])):
    try:
        s.send(payload); sent += 1
    except (BlockingIOError, ConnectionRefusedError):
        pass
print(sent, time.perf_counter() - started)
`;

function lines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
}

interface Received {
  rate: number;
  /** What the load generator sent per second: above a receiver's rate, it was not the bottleneck. */
  sendRate: number;
  lost: number;
  /** The sender's share of a core: near 100 % it, not the receiver, sets the pace. */
  clientCpu: number;
  /**
   * The receiver's CPU (user + system, from its "ready" to the end) per datagram received, in µs:
   * the receiver's own cost, whichever side sets the pace.
   */
  cpuPerDatagram: number;
}

async function measure(receiver: ChildProcess): Promise<Received> {
  const exited = once(receiver, 'exit');
  const output = lines(receiver);
  const port = Number((await output.next()).value.split(' ')[1]);
  const cpuAtReady = processCpuSeconds(receiver.pid!);
  const { sent, sendRate, clientCpu } = await withClientCpu('child processes', async () => {
    const send = floods
      ? spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', flooder, String(port), String(datagrams)], { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn(python, ['-c', sender, String(port), String(datagrams)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [count, seconds] = (await lines(send).next()).value.split(' ').map(Number);
    await once(send, 'exit');
    return { sent: count, sendRate: count / seconds };
  });
  await new Promise((resolve) => setTimeout(resolve, 500)); // let the receiver drain its buffer
  const receiverCpu = processCpuSeconds(receiver.pid!) - cpuAtReady;
  receiver.stdin!.end();
  const [received, seconds] = (await output.next()).value.split(' ').map(Number);
  await exited; // reaped now, so that its CPU is not counted as the next run's sender's
  return { rate: received / seconds, sendRate, lost: (sent - received) / sent, clientCpu, cpuPerDatagram: (receiverCpu / received) * 1e6 };
}

const node = (code: string, buffer: number) => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, String(buffer)], { stdio: ['pipe', 'pipe', 'inherit'] });
const pythonReceiver = (buffer: number) => spawn(python, ['-c', reference, String(buffer)], { stdio: ['pipe', 'pipe', 'inherit'] });
const rows: Measurement[] = [];
const against = 'python3 recvfrom loop';
for (const buffer of [defaultBuffer, bigBuffer]) {
  const label = buffer === bigBuffer ? '4 MiB' : `${Math.round(buffer / 1024)} KiB (rmem_default)`;
  const runs = await interleaved({ ours: () => measure(node(ours, buffer)), reference: () => measure(pythonReceiver(buffer)) });
  const bare: Received[] = [];
  for (let round = 0; round < runs.ours.length; round++) bare.push(await measure(node(bareNode, buffer)));
  const figure = (pick: (run: Received) => number) => ({ ours: runs.ours.map(pick), reference: runs.reference.map(pick) });
  const clientCpu = figure((run) => run.clientCpu);
  rows.push(
    // The targets (issue 13): ≥ 1× Python's rate, and no more loss than Python's.
    { metric: `received/s, SO_RCVBUF ${label}`, ...figure((run) => run.rate), against, unit: '/s', target: 1, clientCpu },
    { metric: `lost, SO_RCVBUF ${label}`, ...figure((run) => run.lost * 100), against, unit: '%', higherIsBetter: false, target: 1, clientCpu },
    { metric: `receiver CPU per datagram, SO_RCVBUF ${label} (context)`, ...figure((run) => run.cpuPerDatagram), against, unit: 'µs', higherIsBetter: false },
    { metric: `received/s, SO_RCVBUF ${label} (context)`, ours: runs.ours.map((run) => run.rate), reference: bare.map((run) => run.rate), against: 'bare node:dgram loop', unit: '/s' },
    { metric: `sent/s by the load generator, SO_RCVBUF ${label} (context)`, ...figure((run) => run.sendRate), against: `${against} run`, unit: '/s' },
  );
}

printComparison(`UDP receive: ${datagrams.toLocaleString('en-US')} datagrams of ${size} bytes from one sender (${floods ? 'sendmmsg, 64 a call' : 'a Python send() loop: the batch reader was not built'}), loopback (SO_RCVBUF as asked; Linux doubles it)`, rows);
// udp-server reads with recvmmsg where npm install built native/udp_batch.c; the bare node:dgram
// loop shows what one recvmsg and one call into JavaScript per datagram gives (docs/sockets.md, UDP).
console.log(`(udp-server ${floods ? 'read in batches (recvmmsg, native/udp_batch.c)' : 'read one datagram at a time: the batch reader was not built (npm run build:native)'})`);
console.log(`(the kernel caps SO_RCVBUF at net.core.rmem_max = ${readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()} bytes; a loss ratio above 1× against 0 % means we lost some and Python none)`);
