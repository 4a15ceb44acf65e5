// bench/tcp-echo: bytes per second through our TCP echo server and through socat's
// (TCP-LISTEN,fork EXEC:cat), and 1-byte round trips per second, same client, same run.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { printComparison } from './_report.ts';

/** 1 GiB by default (the figure); NETLAB_BENCH_BYTES for a quicker look. */
const totalBytes = Number(process.env.NETLAB_BENCH_BYTES ?? 2 ** 30);
const roundTripSeconds = Number(process.env.NETLAB_BENCH_RTT_SECONDS ?? 3);
const host = '127.0.0.1';
const tcpModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../lib/net/tcp.ts');

// Our server exactly as `netlab tcp-server` runs it, minus the per-chunk printing, in its own process.
const ourServer = `
import { startTcpServer } from ${JSON.stringify(tcpModule)};
const server = await startTcpServer({ host: '127.0.0.1', port: 0 });
console.log(server.address.port);
process.stdin.resume();
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
`;

// Whatever happens, no server outlives the benchmark.
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function startOurs(): Promise<{ port: number; child: ChildProcess }> {
  const child = track(spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ourServer], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const [line] = await once(createInterface({ input: child.stdout! }), 'line');
  return { port: Number(line), child };
}

async function startSocat(): Promise<{ port: number; child: ChildProcess }> {
  const probe = net.createServer().listen(0, host);
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  // EXEC:cat, not PIPE: socat's PIPE can deadlock when the client pipelines (DESIGN.md).
  const child = track(spawn('socat', [`TCP-LISTEN:${port},bind=${host},reuseaddr,fork`, 'EXEC:cat'], { stdio: 'ignore' }));
  for (let tries = 0; ; tries++) {
    const socket = net.connect({ port, host });
    const ok = await new Promise<boolean>((resolve) => socket.once('connect', () => resolve(true)).once('error', () => resolve(false)));
    socket.destroy();
    if (ok) break;
    if (tries > 100) throw new Error('socat did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, child };
}

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ port, host, noDelay: true });
  await once(socket, 'connect');
  return socket;
}

/** Pipelines writes of 256 KiB (respecting backpressure) while counting echoed bytes: MB/s. */
async function throughput(port: number): Promise<number> {
  const socket = await connect(port);
  const chunk = Buffer.alloc(256 * 1024, 0x78);
  let received = 0;
  const started = performance.now();
  const allBack = new Promise<void>((resolve) =>
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= totalBytes) resolve();
    }),
  );
  for (let sent = 0; sent < totalBytes; ) {
    const size = Math.min(chunk.length, totalBytes - sent);
    sent += size;
    if (!socket.write(size === chunk.length ? chunk : chunk.subarray(0, size))) await once(socket, 'drain');
  }
  await allBack;
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  return totalBytes / seconds / 1e6;
}

/** One byte out, wait for it to come back, again, for a few seconds: round trips per second. */
async function roundTrips(port: number): Promise<number> {
  const socket = await connect(port);
  const one = Buffer.from('x');
  let count = 0;
  const started = performance.now();
  const deadline = started + roundTripSeconds * 1000;
  await new Promise<void>((resolve) => {
    socket.on('data', (data: Buffer) => {
      count += data.length;
      if (performance.now() < deadline) socket.write(one);
      else resolve();
    });
    socket.write(one);
  });
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  return count / seconds;
}

async function measure(start: () => Promise<{ port: number; child: ChildProcess }>) {
  const { port, child } = await start();
  try {
    return { mbps: await throughput(port), rtt: await roundTrips(port) };
  } finally {
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}

const ours = await measure(startOurs);
const socat = await measure(startSocat);
printComparison(`TCP echo on loopback: ${(totalBytes / 2 ** 20).toLocaleString('en-US')} MiB pipelined, then 1-byte round trips for ${roundTripSeconds} s`, [
  { metric: 'echo throughput', ours: ours.mbps, reference: socat.mbps, against: 'socat fork EXEC:cat', unit: 'MB/s', target: 1.5 },
  { metric: '1-byte round trips', ours: ours.rtt, reference: socat.rtt, against: 'socat fork EXEC:cat', unit: '/s', target: 1 },
]);
