// bench/udp: how many datagrams per second our udp-server's receive loop takes in, and how many
// it loses, against a Python recvfrom loop — same sender, same burst, same run, loopback only.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { printComparison } from './_report.ts';

const datagrams = Number(process.env.NETLAB_BENCH_DATAGRAMS ?? 1_000_000);
const size = 64;
const python = '/usr/bin/python3';
const udpModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../lib/net/udp.ts');

// Each receiver prints "ready PORT", counts datagrams until its stdin closes, then prints
// "COUNT SECONDS" (seconds between the first and the last datagram).
const ours = `
import { startUdpServer } from ${JSON.stringify(udpModule)};
let first = 0, last = 0, count = 0;
const server = await startUdpServer({ host: '127.0.0.1', port: 0, onDatagram: () => {
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
const socket = dgram.createSocket('udp4');
socket.on('message', () => { last = performance.now(); if (count++ === 0) first = last; });
socket.bind(0, '127.0.0.1', () => console.log('ready', socket.address().port));
process.stdin.resume();
process.stdin.on('end', () => { console.log(count, (last - first) / 1000); socket.close(); });
`;
const reference = `
import socket, sys, time, threading
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
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
// The sender: a connected socket and a tight send() loop, as fast as Python can go.
const sender = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(('127.0.0.1', int(sys.argv[1])))
payload = b'x' * ${size}
sent = 0
for _ in range(int(sys.argv[2])):
    try:
        s.send(payload); sent += 1
    except (BlockingIOError, ConnectionRefusedError):
        pass
print(sent)
`;

function lines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
}

async function measure(receiver: ChildProcess): Promise<{ rate: number; lost: number; received: number }> {
  const output = lines(receiver);
  const port = Number((await output.next()).value.split(' ')[1]);
  const send = spawn(python, ['-c', sender, String(port), String(datagrams)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sent = Number((await lines(send).next()).value);
  await new Promise((resolve) => setTimeout(resolve, 500)); // let the receiver drain its buffer
  receiver.stdin!.end();
  const [received, seconds] = (await output.next()).value.split(' ').map(Number);
  return { rate: received / seconds, lost: (sent - received) / sent, received };
}

const node = (code: string) => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
const oursResult = await measure(node(ours));
const pythonResult = await measure(spawn(python, ['-c', reference], { stdio: ['pipe', 'pipe', 'inherit'] }));
const bareResult = await measure(node(bareNode));

printComparison(`UDP receive: ${datagrams.toLocaleString('en-US')} datagrams of ${size} bytes from one Python sender, loopback`, [
  { metric: 'datagrams received per second', ours: oursResult.rate, reference: pythonResult.rate, against: 'python3 recvfrom loop', unit: '/s', target: 1 },
  { metric: 'datagrams lost', ours: oursResult.lost * 100, reference: pythonResult.lost * 100, against: 'python3 recvfrom loop', unit: '%', higherIsBetter: false, target: 1 },
  { metric: 'received per second (context)', ours: oursResult.rate, reference: bareResult.rate, against: 'bare node:dgram loop', unit: '/s' },
]);
// Why: node:dgram calls into JavaScript once per datagram and allocates a 64 KiB buffer for each
// read (Node 20 does not use recvmmsg); Python's loop is one recvfrom system call per datagram.
const kept = Math.max(oursResult.lost, pythonResult.lost) < 0.05;
console.log(
  kept
    ? '(both kept up with the sender: the rates are the sender\'s; the loss is what overflowed a receive buffer meanwhile)'
    : '(the sender outran the receivers: each rate is that receiver\'s ceiling, the loss what it could not take)',
);
console.log(`(udp-server asks for a 4 MiB SO_RCVBUF; Python and bare node keep the default; the kernel caps it at net.core.rmem_max = ${readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()} bytes)`);
