// bench/cli: what each command a student types pays before it does anything — the start-up of
// `netlab` — as a ratio to a bare `node -e 0` measured in the same run, beside the classic tools
// (Python's xmlrpc.client, BSD finger, nc -u) for scale. Commands run one after another, the
// rows interleaved round by round so that the machine's noise falls on all of them alike; each
// row is the median of BENCH_RUNS runs, and the whole is done 3 times for the spread.

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerDefaults } from '../lib/finger/config.ts';
import { startConfiguredFingerd } from '../lib/finger/service.ts';
import { calculatorMethods } from '../lib/rpc/calculator.ts';
import { listenRpc } from '../lib/rpc/server.ts';
import type { ServerHandle } from '../lib/services/handle.ts';
import { freshBuild } from '../bin/sources.js';
import { peerPath } from '../peers/available.ts';
import { isolatedEnv } from '../peers/isolated-env.ts';
import { printComparison, type Measurement } from './_report.ts';

const runs = Number(process.env.BENCH_RUNS ?? 9);
const series = 3;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const netlab = [process.execPath, path.join(root, 'bin/netlab.js')];

interface Command {
  name: string;
  argv: string[];
  stdin?: string;
  /** The budget, × bare node; none for the reference programs. */
  target?: number;
  /** Run after each measured run, untimed (stop what `start` started). */
  after?: () => Promise<unknown>;
}

/** The CPU time (user + system, ms) of this process's children that have been waited for. */
function childrenCpuMs(): number {
  // /proc/self/stat fields 16 and 17 (cutime, cstime), in clock ticks (100 per second on Linux).
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

/** Runs one command to its end: wall-clock milliseconds, and fails loudly if it failed. */
function timeOnce(command: Command, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command.argv[0], command.argv.slice(1), { env, stdio: [command.stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    if (command.stdin !== undefined) child.stdin!.on('error', () => {}).end(command.stdin); // EPIPE: it read enough
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${command.name} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'netlab-bench-cli-'));
  const env = isolatedEnv(scratch);
  const servers: ServerHandle[] = [];
  const sink = dgram.createSocket('udp4');
  try {
    // The servers the clients talk to live in this process: it is idle while a client starts.
    const calc = await listenRpc({ host: '127.0.0.1', port: 0, methods: calculatorMethods });
    servers.push(calc);
    // BSD finger only knows port 79: our fingerd listens there when it may (root, port free).
    const fingerd = await startConfiguredFingerd({ host: '127.0.0.1', port: 79, settings: { ...fingerDefaults, backend: 'builtin' } }).catch(() =>
      startConfiguredFingerd({ host: '127.0.0.1', port: 0, settings: { ...fingerDefaults, backend: 'builtin' } }),
    );
    servers.push(fingerd);
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
    const udpPort = sink.address().port;
    const fingerPort = fingerd.address.port;
    const python = peerPath('python3');
    const bsdFinger = fingerPort === 79 ? peerPath('finger') : undefined;
    const nc = peerPath('nc');

    const baseline: Command = { name: 'node -e 0', argv: [process.execPath, '-e', '0'] };
    const commands: Command[] = [
      { name: `netlab calc add 2 3`, argv: [...netlab, 'calc', 'add', '2', '3', '--port', String(calc.address.port)], target: 2.5 },
      ...(python
        ? [{ name: 'python3 xmlrpc.client add(2, 3)', argv: [python, '-c', `import xmlrpc.client as x; print(x.ServerProxy('http://127.0.0.1:${calc.address.port}/').add(2, 3))`] }]
        : []),
      { name: 'netlab finger root@127.0.0.1', argv: [...netlab, 'finger', 'root@127.0.0.1', '--port', String(fingerPort)], target: 2.5 },
      ...(bsdFinger ? [{ name: 'finger root@127.0.0.1 (BSD)', argv: [bsdFinger, 'root@127.0.0.1'] }] : []),
      { name: 'netlab udp-client hi', argv: [...netlab, 'udp-client', 'hi', '--port', String(udpPort)], target: 2.5 },
      ...(nc ? [{ name: 'nc -u (hi)', argv: [nc, '-u', '-q0', '127.0.0.1', String(udpPort)], stdin: 'hi\n' }] : []),
      { name: 'netlab --help', argv: [...netlab, '--help'], target: 2 },
      { name: 'netlab list', argv: [...netlab, 'list'], target: 5 },
      {
        name: 'netlab start udp-server (until it listens)',
        argv: [...netlab, 'start', 'udp-server', '--port', '0'],
        target: 7,
        after: () => timeOnce({ name: 'netlab stop udp-server', argv: [...netlab, 'stop', 'udp-server'] }, env),
      },
    ];

    const compiled = freshBuild() !== undefined;
    console.log(`netlab runs ${compiled ? 'the compiled copy (dist/, fresh)' : 'its TypeScript sources under tsx (dist/ missing or stale: npm run build)'}; Node ${process.version}`);
    console.log(`${series} series × ${runs} runs, rows interleaved; ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    if (!bsdFinger) console.log(`BSD finger not shown: ${fingerPort === 79 ? 'finger is not installed (Debian package finger)' : 'port 79 needs root and must be free'}`);

    const all = [baseline, ...commands];
    const ratios = new Map<string, number[]>(commands.map((command) => [command.name, []]));
    const medians = new Map<string, number[]>(all.map((command) => [command.name, []]));
    const cpu = new Map<string, number>(all.map((command) => [command.name, 0]));
    const ownCpuStart = process.cpuUsage();
    const wallStart = performance.now();
    for (const command of all) await timeOnce(command, env).then(() => command.after?.()); // warm the caches once
    for (let s = 0; s < series; s++) {
      const times = new Map<string, number[]>(all.map((command) => [command.name, []]));
      for (let r = 0; r < runs; r++) {
        for (const command of all) {
          const cpuBefore = childrenCpuMs();
          times.get(command.name)!.push(await timeOnce(command, env));
          cpu.set(command.name, cpu.get(command.name)! + childrenCpuMs() - cpuBefore);
          await command.after?.();
        }
      }
      const base = median(times.get(baseline.name)!);
      medians.get(baseline.name)!.push(base);
      for (const command of commands) {
        const ms = median(times.get(command.name)!);
        medians.get(command.name)!.push(ms);
        ratios.get(command.name)!.push(ms / base);
      }
    }
    const own = process.cpuUsage(ownCpuStart);
    const wall = performance.now() - wallStart;

    const baseMs = median(medians.get(baseline.name)!);
    const rows: Measurement[] = commands.map((command) => ({
      metric: command.name,
      ours: median(medians.get(command.name)!),
      reference: baseMs,
      against: 'node -e 0',
      unit: 'ms',
      higherIsBetter: false,
      target: command.target,
    }));
    printComparison('Start-up, median wall time of each command, as a ratio to a bare node -e 0 of the same run', rows);
    console.log('\nratio per series (spread of 3), and CPU time per run (user + system, the child alone):');
    for (const command of all) {
      const perRun = cpu.get(command.name)! / (series * runs);
      const spread = ratios.get(command.name)?.map((ratio) => `${ratio.toFixed(2)}×`).join(' ') ?? `${medians.get(command.name)!.map((ms) => ms.toFixed(0)).join(' ')} ms`;
      console.log(`  ${command.name.padEnd(44)} ${spread.padEnd(20)} cpu ${perRun.toFixed(0)} ms`);
    }
    console.log('(udp-client waits 2 ms on loopback after its datagram for an ICMP port unreachable, scripts/udp-client.ts: part of its job, not of its start-up)');
    console.log(`\nthe bench itself (servers included) used ${(((own.user + own.system) / 1000 / wall) * 100).toFixed(1)} % of one core: it is not the bottleneck`);
  } finally {
    sink.close();
    await Promise.all(servers.map((server) => server.close()));
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
