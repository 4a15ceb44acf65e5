// bench/rpc: calls/s and p50/p99 latency of `add` over HTTP/1.1 keep-alive (1 and 8 connections),
// and directory adds/s, ours against Python's SimpleXMLRPCServer, same load generator (wrk), same run.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { RpcClient } from '../lib/rpc/client.ts';
import { isolatedEnv } from '../peers/isolated-env.ts';
import { spawnRpcServer } from '../peers/rpc-netlab.ts';
import { startPythonAnnuaire, startPythonCalcul } from '../peers/rpc-python.ts';
import { printComparison, type Measurement } from './_report.ts';

const seconds = 3;
const rounds = 3;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'netlab-bench-rpc-'));
const env = isolatedEnv(scratch);

// The body Python's own xmlrpc.client sends for add(2, 3), byte for byte.
const addBody = "<?xml version='1.0'?>\n<methodCall>\n<methodName>add</methodName>\n<params>\n<param>\n<value><int>2</int></value>\n</param>\n<param>\n<value><int>3</int></value>\n</param>\n</params>\n</methodCall>\n";
const addScript = writeScript('add.lua', `wrk.method = "POST"\nwrk.headers["Content-Type"] = "text/xml"\nwrk.body = ${luaString(addBody)}\n`);
// Each request adds a new name (one wrk thread, so one counter): every add is a real insert.
const directoryScript = writeScript(
  'ajouter.lua',
  `wrk.method = "POST"\nwrk.headers["Content-Type"] = "text/xml"\nlocal n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(nil, nil, nil, "<?xml version='1.0'?><methodCall><methodName>ajouterEntree</methodName><params><param><value><string>bench " .. n .. "</string></value></param><param><value><string>+33 6 " .. n .. "</string></value></param></params></methodCall>")\nend\n`,
);

interface WrkResult {
  rate: number;
  p50: number;
  p99: number;
  /** The server process's CPU time (user + system) per call: what the noise of a shared machine hides least. */
  cpu: number;
}

const ours = await spawnRpcServer('calc-server', [], env);
const python = await startPythonCalcul();
const rows: Measurement[] = [];
try {
  for (const connections of [1, 8]) {
    const ourRuns: WrkResult[] = [];
    const pythonRuns: WrkResult[] = [];
    // Interleaved rounds: a burst of load from the other users of the machine hits both alike.
    for (let round = 0; round < rounds; round++) {
      ourRuns.push(await wrk(ours.url, addScript, connections, ours.child.pid));
      pythonRuns.push(await wrk(python.url, addScript, connections, python.pid));
    }
    const [o, p] = [median(ourRuns), median(pythonRuns)];
    const against = 'SimpleXMLRPCServer';
    rows.push(
      { metric: `add, ${connections} conn: calls/s`, ours: o.rate, reference: p.rate, against, unit: 'calls/s', target: connections === 1 ? 2 : undefined },
      { metric: `add, ${connections} conn: p50`, ours: o.p50, reference: p.p50, against, unit: 'µs', higherIsBetter: false },
      { metric: `add, ${connections} conn: p99`, ours: o.p99, reference: p.p99, against, unit: 'µs', higherIsBetter: false },
      { metric: `add, ${connections} conn: server CPU/call`, ours: o.cpu, reference: p.cpu, against, unit: 'µs', higherIsBetter: false },
    );
  }
} finally {
  ours.child.kill('SIGTERM');
  await ours.exited;
  await python.close();
}

const ourDirectory = await spawnRpcServer('annuaire-server', ['--db', path.join(scratch, 'ours.db')], env);
const pythonDirectory = await startPythonAnnuaire(path.join(scratch, 'python.db'));
try {
  rows.push({
    metric: 'ajouterEntree, 8 conn: adds/s',
    ours: await addsPerSecond(ourDirectory.url),
    reference: await addsPerSecond(pythonDirectory.url),
    against: 'SimpleXMLRPCServer + sqlite3',
    unit: 'adds/s',
  });
} finally {
  ourDirectory.child.kill('SIGTERM');
  await ourDirectory.exited;
  await pythonDirectory.close();
  rmSync(scratch, { recursive: true, force: true });
}

printComparison(
  `XML-RPC over HTTP/1.1 keep-alive, wrk -t1, median of ${rounds} × ${seconds} s (ours: calc-server with its request log; Python: ThreadingMixIn, logRequests=False)`,
  rows,
);

/** Stored adds per second, counted by the server itself (faults would not count). */
async function addsPerSecond(url: string): Promise<number> {
  await wrk(url, directoryScript, 8); // runs for exactly `seconds`
  const client = new RpcClient({ url });
  try {
    return ((await client.call('nbNumeros')) as number) / seconds;
  } finally {
    client.close();
  }
}

async function wrk(url: string, script: string, connections: number, serverPid?: number): Promise<WrkResult> {
  const cpuBefore = serverPid ? cpuMicroseconds(serverPid) : 0;
  const { stdout } = await promisify(execFile)('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url]);
  const cpu = serverPid ? cpuMicroseconds(serverPid) - cpuBefore : NaN;
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const total = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  if (!rate) throw new Error(`wrk said:\n${stdout}`);
  return { rate, p50: latency(stdout, '50%'), p99: latency(stdout, '99%'), cpu: cpu / total };
}

/** utime + stime of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms). */
function cpuMicroseconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** wrk's "50%   49.00us" (or ms, s) in microseconds. */
function latency(report: string, percentile: string): number {
  const match = new RegExp(`${percentile}\\s+([\\d.]+)(us|ms|s)`).exec(report);
  if (!match) return NaN;
  return Number(match[1]) * { us: 1, ms: 1_000, s: 1_000_000 }[match[2] as 'us' | 'ms' | 's'];
}

function median(runs: WrkResult[]): WrkResult {
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { rate: middle(runs.map((r) => r.rate)), p50: middle(runs.map((r) => r.p50)), p99: middle(runs.map((r) => r.p99)), cpu: middle(runs.map((r) => r.cpu)) };
}

function writeScript(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
