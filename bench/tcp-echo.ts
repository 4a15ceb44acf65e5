// bench/tcp-echo: bytes per second through our TCP echo server and through socat's
// (TCP-LISTEN,fork EXEC:cat), and 1-byte round trips per second, same client, same run; and
// iperf3 on the same loopback, for the limit an echo could reach.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { peerPath } from '../peers/available.ts';
import { interleaved, printComparison, withClientCpu } from './_report.ts';

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

/**
 * The load generator must cost less than the servers it drives, or it sets the figure (issue 13):
 * it reads into one buffer it reuses (net's onread), so no 64 KiB Buffer is allocated per read,
 * and reports only byte counts. Its CPU share is printed beside each figure.
 */
async function connect(port: number, onBytes: (count: number) => void): Promise<net.Socket> {
  const socket = net.connect({ port, host, noDelay: true, onread: { buffer: Buffer.alloc(256 * 1024), callback: (count) => (onBytes(count), true) } });
  await once(socket, 'connect');
  return socket;
}

/** Pipelines writes of 256 KiB (respecting backpressure) while counting echoed bytes: MB/s. */
async function throughput(port: number): Promise<{ mbps: number }> {
  let received = 0;
  let allBack!: () => void;
  const finished = new Promise<void>((resolve) => (allBack = resolve));
  const socket = await connect(port, (count) => {
    received += count;
    if (received >= totalBytes) allBack();
  });
  const chunk = Buffer.alloc(256 * 1024, 0x78);
  const started = performance.now();
  for (let sent = 0; sent < totalBytes; ) {
    const size = Math.min(chunk.length, totalBytes - sent);
    sent += size;
    if (!socket.write(size === chunk.length ? chunk : chunk.subarray(0, size))) await once(socket, 'drain');
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  return { mbps: totalBytes / seconds / 1e6 };
}

/** One byte out, wait for it to come back, again, for a few seconds: round trips per second. */
async function roundTrips(port: number): Promise<{ perSecond: number }> {
  const one = Buffer.from('x');
  let count = 0;
  let deadline = Infinity;
  let over!: () => void;
  const finished = new Promise<void>((resolve) => (over = resolve));
  const socket = await connect(port, (bytes) => {
    count += bytes;
    if (performance.now() < deadline) socket.write(one);
    else over();
  });
  const started = performance.now();
  deadline = started + roundTripSeconds * 1000;
  socket.write(one);
  await finished;
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  return { perSecond: count / seconds };
}

/**
 * Runs `measure` with the client (this process) and the server (all threads; socat's fork for the
 * next connection and its cat inherit it) on one CPU, then gives both back all CPUs.
 *
 * Why: on this 2-core VM a 1-byte round trip between two cores costs a cross-core wake-up each
 * way (the idle vCPU halts; the hypervisor wakes it): ~9,000 round trips/s for our echo and for
 * socat alike, whatever the server does, and the bench's round trips flipped between ~10,000 and
 * ~90,000/s from run to run (±121 % spread) as the scheduler placed the processes. On one CPU the
 * figure is the server's own cost per round trip (ours 88,000/s, socat 50,000/s, measured with
 * taskset by hand). Throughput is measured unpinned: it needs both cores.
 */
async function onOneCpu<T>(serverPid: number, measure: () => Promise<T>): Promise<T & { pinned: boolean }> {
  const pin = (cpus: string, pid: number) => promisify(execFile)('taskset', ['-a', '-p', '-c', cpus, String(pid)]);
  const all = `0-${os.availableParallelism() - 1}`;
  try {
    await pin('0', process.pid);
    await pin('0', serverPid);
  } catch {
    return { ...(await measure()), pinned: false }; // no taskset (not Linux, or not installed)
  }
  try {
    return { ...(await measure()), pinned: true };
  } finally {
    await pin(all, process.pid);
    await pin(all, serverPid).catch(() => undefined);
  }
}

async function measure(start: () => Promise<{ port: number; child: ChildProcess }>) {
  const { port, child } = await start();
  try {
    const bulk = await withClientCpu('this process', () => throughput(port));
    return { ...bulk, rtt: await onOneCpu(child.pid!, () => withClientCpu('this process', () => roundTrips(port))) };
  } finally {
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}

/**
 * iperf3 on the same loopback, one stream, one way: what the kernel can move with one copy in
 * and one out. An echo copies every byte four times (client out, server in, server out, client
 * in), two per process, so half of it is what an echo on two cores could reach at best. With
 * 1 MiB writes (-l 1M, the size of our server's reads): iperf3's default 128 KiB made a slower
 * "limit" (2,373 MB/s one way) than our echo itself reached.
 */
async function loopbackLimit(): Promise<number | undefined> {
  const iperf3 = peerPath('iperf3');
  if (!iperf3) return undefined;
  const probe = net.createServer().listen(0, host);
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const server = track(spawn(iperf3, ['-s', '-1', '--forceflush', '-B', host, '-p', String(port)], { stdio: ['ignore', 'pipe', 'ignore'] }));
  await once(createInterface({ input: server.stdout! }), 'line'); // "Server listening on PORT"
  const { stdout } = await promisify(execFile)(iperf3, ['-c', host, '-p', String(port), '-t', '2', '-l', '1M', '-J']);
  return (JSON.parse(stdout) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second / 8 / 1e6;
}

const runs = await interleaved({ ours: () => measure(startOurs), reference: () => measure(startSocat) });
const figure = <T>(pick: (run: Awaited<ReturnType<typeof measure>>) => T) => ({ ours: runs.ours.map(pick), reference: runs.reference.map(pick) });
const against = 'socat fork EXEC:cat';
const limit = await loopbackLimit();
printComparison(`TCP echo on loopback: ${(totalBytes / 2 ** 20).toLocaleString('en-US')} MiB pipelined, then 1-byte round trips for ${roundTripSeconds} s`, [
  // The targets (issue 13): ≥ 2.5× socat's throughput, ≥ 1.5× its round trips.
  { metric: 'echo throughput', ...figure((run) => run.mbps), against, unit: 'MB/s', target: 2.5, clientCpu: figure((run) => run.clientCpu) },
  { metric: runs.ours[0].rtt.pinned ? '1-byte round trips, one CPU' : '1-byte round trips', ...figure((run) => run.rtt.perSecond), against, unit: '/s', target: 1.5, clientCpu: figure((run) => run.rtt.clientCpu) },
  ...(limit === undefined
    ? []
    : [{ metric: 'echo throughput (context)', ours: runs.ours.map((run) => run.mbps), reference: limit / 2, against: 'half of iperf3, one stream', unit: 'MB/s' }]),
]);
if (limit === undefined) console.log('(iperf3 is not installed (Debian package iperf3): no loopback limit to compare with)');
else console.log(`(iperf3 moved ${Math.round(limit).toLocaleString('en-US')} MB/s one way; an echo copies each byte twice per process, so half of that is its limit: the context row)`);
