// bench/rpc: calls/s and p50/p99 latency of `add` over HTTP/1.1 keep-alive (1 and 8 connections),
// and directory adds/s, ours against Python's SimpleXMLRPCServer, same load generator (wrk), same run.

import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RpcClient } from '../lib/rpc/client.ts';
import { isolatedEnv } from '../peers/isolated-env.ts';
import { spawnRpcServer } from '../peers/rpc-netlab.ts';
import { startPythonAnnuaire, startPythonCalcul } from '../peers/rpc-python.ts';
import { interleaved, printComparison, processCpuSeconds, rounds, withClientCpu, type Measurement } from './_report.ts';

const seconds = 3;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'netlab-bench-rpc-'));
const env = isolatedEnv(scratch);

// The body Python's own xmlrpc.client sends for add(2, 3), byte for byte.
const addBody = "<?xml version='1.0'?>\n<methodCall>\n<methodName>add</methodName>\n<params>\n<param>\n<value><int>2</int></value>\n</param>\n<param>\n<value><int>3</int></value>\n</param>\n</params>\n</methodCall>\n";
const addScript = writeScript('add.lua', `wrk.method = "POST"\nwrk.headers["Content-Type"] = "text/xml"\nwrk.body = ${luaString(addBody)}\n`);
// Each request adds a new name (one wrk thread, so one counter; a prefix per run): every add is a real insert.
let directoryRuns = 0;
function directoryScript(): string {
  const run = ++directoryRuns;
  return writeScript(
    `ajouter-${run}.lua`,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "text/xml"\nlocal n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(nil, nil, nil, "<?xml version='1.0'?><methodCall><methodName>ajouterEntree</methodName><params><param><value><string>bench ${run}-" .. n .. "</string></value></param><param><value><string>+33 6 " .. n .. "</string></value></param></params></methodCall>")\nend\n`,
  );
}

interface WrkResult {
  rate: number;
  p50: number;
  p99: number;
  /** The server process's CPU time (user + system) per call: what the noise of a shared machine hides least. */
  cpu: number;
  /** wrk's own share of a core: near 100 % the load generator, not the server, sets the pace. */
  clientCpu: number;
}

const ours = await spawnRpcServer('calc-server', [], env);
const python = await startPythonCalcul();
const rows: Measurement[] = [];
try {
  // A fresh server's first seconds, for the record; every figure after them is of warm servers.
  const cold = { ours: await wrk(ours.url, addScript, 1, ours.child.pid), reference: await wrk(python.url, addScript, 1, python.pid) };
  rows.push({ metric: 'add, 1 conn: p99, first 3 s of a fresh server', ours: cold.ours.p99, reference: cold.reference.p99, against: 'SimpleXMLRPCServer', unit: 'µs', higherIsBetter: false, clientCpu: { ours: cold.ours.clientCpu, reference: cold.reference.clientCpu } });
  await warmUp(ours.url);
  await warmUp(python.url);
  for (const connections of [1, 8]) {
    // Interleaved rounds: a burst of load from the other users of the machine hits both alike.
    const runs = await interleaved({
      ours: () => wrk(ours.url, addScript, connections, ours.child.pid),
      reference: () => wrk(python.url, addScript, connections, python.pid),
    });
    const figure = (key: keyof WrkResult) => ({ ours: runs.ours.map((run) => run[key]), reference: runs.reference.map((run) => run[key]) });
    const against = 'SimpleXMLRPCServer';
    const clientCpu = figure('clientCpu');
    // The targets (issue 13) are for one connection: ≥ 2.5× the calls, a p99 no worse.
    const single = connections === 1;
    rows.push(
      { metric: `add, ${connections} conn: calls/s`, ...figure('rate'), against, unit: 'calls/s', target: single ? 2.5 : undefined, clientCpu },
      { metric: `add, ${connections} conn: p50`, ...figure('p50'), against, unit: 'µs', higherIsBetter: false, clientCpu },
      { metric: `add, ${connections} conn: p99`, ...figure('p99'), against, unit: 'µs', higherIsBetter: false, target: single ? 1 : undefined, clientCpu },
      { metric: `add, ${connections} conn: server CPU/call`, ...figure('cpu'), against, unit: 'µs', higherIsBetter: false, clientCpu },
    );
  }
  // The floor of a server that sleeps between calls: a fixed reply, nothing parsed, no busy
  // polling, against the same Python. Each call wakes both processes from epoll; that wake-up, not
  // our code, is most of a call's time here (a bare node:net fixed reply costs ~50 µs of CPU per
  // call with one connection, against ~7 µs with 8). calc-server's busy polling is what gets past it.
  for (const kind of ['http', 'net'] as const) {
    const floor = await startFloor(kind);
    try {
      await warmUp(floor.url);
      const runs = await interleaved({ ours: () => wrk(floor.url, addScript, 1, floor.pid), reference: () => wrk(python.url, addScript, 1, python.pid) });
      const figure = (key: keyof WrkResult) => ({ ours: runs.ours.map((run) => run[key]), reference: runs.reference.map((run) => run[key]) });
      const name = kind === 'http' ? 'bare node:http, fixed reply' : 'bare node:net, fixed reply';
      rows.push(
        { metric: `${name}, 1 conn: calls/s`, ...figure('rate'), against: 'SimpleXMLRPCServer', unit: 'calls/s', clientCpu: figure('clientCpu') },
        { metric: `${name}, 1 conn: p99`, ...figure('p99'), against: 'SimpleXMLRPCServer', unit: 'µs', higherIsBetter: false, clientCpu: figure('clientCpu') },
      );
    } finally {
      floor.kill('SIGTERM');
    }
  }
} finally {
  ours.child.kill('SIGTERM');
  await ours.exited;
  await python.close();
}

const ourDirectory = await spawnRpcServer('annuaire-server', ['--db', path.join(scratch, 'ours.db')], env);
const pythonDirectory = await startPythonAnnuaire(path.join(scratch, 'python.db'));
try {
  const adds = await interleaved({ ours: () => addsPerSecond(ourDirectory.url), reference: () => addsPerSecond(pythonDirectory.url) });
  rows.push({
    metric: 'ajouterEntree, 8 conn: adds/s',
    ours: adds.ours.map((run) => run.rate),
    reference: adds.reference.map((run) => run.rate),
    against: 'SimpleXMLRPCServer + sqlite3',
    unit: 'adds/s',
    clientCpu: { ours: adds.ours.map((run) => run.clientCpu), reference: adds.reference.map((run) => run.clientCpu) },
  });
} finally {
  ourDirectory.child.kill('SIGTERM');
  await ourDirectory.exited;
  await pythonDirectory.close();
  rmSync(scratch, { recursive: true, force: true });
}

printComparison(
  `XML-RPC over HTTP/1.1 keep-alive, wrk -t1, median of ${rounds} interleaved runs of ${seconds} s after a warm-up of 7 s (ours: calc-server with its request log; Python: ThreadingMixIn, logRequests=False)`,
  rows,
);

/** bench/_rpc-floor.ts in its own process, once it prints its port. */
async function startFloor(kind: 'http' | 'net'): Promise<{ url: string; pid: number; kill: (signal: NodeJS.Signals) => void }> {
  const file = fileURLToPath(new URL('./_rpc-floor.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [port] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid!, kill: (signal) => child.kill(signal) };
}

/** Stored adds per second, counted by the server itself (faults would not count); each run adds to the count. */
async function addsPerSecond(url: string): Promise<{ rate: number; clientCpu: number }> {
  const client = new RpcClient({ url });
  try {
    const before = (await client.call('nbNumeros')) as number;
    const { clientCpu } = await wrk(url, directoryScript(), 8); // runs for exactly `seconds`
    return { rate: (((await client.call('nbNumeros')) as number) - before) / seconds, clientCpu };
  } finally {
    client.close();
  }
}

/**
 * Node compiles a server's hot functions while it serves. Under one connection's load, a fresh
 * calc-server went on optimising functions (424 times) and throwing the optimised code away (63
 * deoptimisations, most of them "wrong map" in node:http's request path) for 12 s, with a p99 of
 * 1.2–1.9 ms in those seconds against 240–370 µs afterwards (--trace-opt --trace-deopt,
 * 3 December). So every server, Python's too (it has no JIT), gets the same warm-up before it is
 * measured: 5 s at 8 connections (some 180,000 calls), then 2 s at 1. The row "first 3 s of a
 * fresh server" keeps the cold figure.
 */
async function warmUp(url: string): Promise<void> {
  await wrk(url, addScript, 8, undefined, 5);
  await wrk(url, addScript, 1, undefined, 2);
}

async function wrk(url: string, script: string, connections: number, serverPid?: number, duration = seconds): Promise<WrkResult> {
  const cpuBefore = serverPid ? processCpuSeconds(serverPid) : 0;
  const { stdout, clientCpu } = await withClientCpu('child processes', () =>
    promisify(execFile)('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '-s', script, url]),
  );
  const cpu = serverPid ? processCpuSeconds(serverPid) - cpuBefore : NaN;
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const total = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  if (!rate) throw new Error(`wrk said:\n${stdout}`);
  return { rate, p50: latency(stdout, '50%'), p99: latency(stdout, '99%'), cpu: (cpu * 1e6) / total, clientCpu };
}

/** wrk's "50%   49.00us" (or ms, s) in microseconds. */
function latency(report: string, percentile: string): number {
  const match = new RegExp(`${percentile}\\s+([\\d.]+)(us|ms|s)`).exec(report);
  if (!match) return NaN;
  return Number(match[1]) * { us: 1, ms: 1_000, s: 1_000_000 }[match[2] as 'us' | 'ms' | 's'];
}

function writeScript(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
