// bench/finger: requests per second over N concurrent clients, our fingerd (builtin backend,
// request log on) against Debian's in.fingerd started by inetd — same client, same run, loopback.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { finger } from '../lib/finger/client.ts';
import { inetdFingerdUnavailable, startInetdFingerd } from '../peers/finger-inetd.ts';
import { freePort } from '../peers/free-port.ts';
import { printComparison } from './_report.ts';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const query = 'root';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Load {
  requestsPerSecond: number;
  errors: number;
}

/** N clients, each asking again as soon as its answer is complete; counts answers for `seconds`. */
async function load(port: number, durationMs: number): Promise<Load> {
  const deadline = performance.now() + durationMs;
  let answers = 0;
  let errors = 0;
  const client = async () => {
    while (performance.now() < deadline) {
      try {
        const reply = await finger({ host: '127.0.0.1', port, line: query, connectTimeoutMs: 5_000, readTimeoutMs: 5_000 });
        if (/^Login: root/.test(reply.text)) answers++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  return { requestsPerSecond: answers / ((performance.now() - started) / 1000), errors };
}

/** Warm up for a second, then measure. */
async function measure(name: string, port: number): Promise<Load> {
  await load(port, 1_000);
  const result = await load(port, seconds * 1000);
  console.log(`${name}: ${Math.round(result.requestsPerSecond)} requests/s, ${result.errors} errors (${concurrency} clients, ${seconds} s)`);
  return result;
}

/** Our fingerd in its own process, as `netlab fingerd` runs it: pidfile and request log in a scratch folder. */
async function startOurFingerd(scratch: string, backend: 'builtin' | 'system'): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const dir = path.join(scratch, backend);
  const env = { ...process.env, NETLAB_PID_DIR: path.join(dir, 'run'), NETLAB_LOG_DIR: path.join(dir, 'log'), NETLAB_FINGER_MAX_CONNECTIONS: '256' };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/fingerd.ts'), '--port', String(port), '--backend', backend], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`fingerd exited with ${code}`)));
  });
  return { port, child };
}

const unavailable = inetdFingerdUnavailable();
if (unavailable) {
  console.error(`bench/finger needs the reference server: ${unavailable}`);
  process.exitCode = 1;
} else {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'netlab-bench-finger-'));
  const ours = await startOurFingerd(scratch, 'builtin');
  // For the lesson, not the target: the same server running finger(1) per query, as the lab first asked.
  const oursSystem = await startOurFingerd(scratch, 'system');
  const reference = await startInetdFingerd();
  try {
    const builtin = await measure('netlab fingerd (builtin)', ours.port);
    const system = await measure('netlab fingerd (system: runs finger)', oursSystem.port);
    const inetd = await measure('in.fingerd under inetd', reference.port);
    printComparison(`finger: "${query}" answered per second, ${concurrency} concurrent clients, loopback`, [
      { metric: 'requests/s, builtin backend', ours: builtin.requestsPerSecond, reference: inetd.requestsPerSecond, against: 'inetd + in.fingerd', unit: 'req/s', target: 5 },
      { metric: 'requests/s, system backend', ours: system.requestsPerSecond, reference: inetd.requestsPerSecond, against: 'inetd + in.fingerd', unit: 'req/s' },
    ]);
  } finally {
    await reference.stop();
    for (const { child } of [ours, oursSystem]) {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}
