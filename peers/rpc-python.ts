// Python's side of the RPC lab for tests and the benchmark: its xmlrpc.client calling our servers,
// and its SimpleXMLRPCServer serving the lab's Calcul class (or a directory) on a free loopback port.

import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { peers } from './available.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Debian's python3 (its xmlrpc modules), not another one earlier on PATH: ask missingPeers('python3') first. */
export const python = peers.python3.file;

export type PythonAnswer =
  | { result: unknown; type: string }
  | { fault: [number, string] }
  | { multicall: ([unknown] | { faultCode: number; faultString: string })[] }
  | { error: string };

/**
 * Runs calls through xmlrpc.client.ServerProxy. `callsJson` is JSON text written by hand, so that
 * 3.0 stays a Python float (JSON.stringify would turn it into 3).
 */
export async function pythonCalls(url: string, callsJson: string): Promise<PythonAnswer[]> {
  const { stdout } = await promisify(execFile)(python, [path.join(here, 'rpc_python_calls.py'), url, callsJson], { timeout: 20_000 });
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as PythonAnswer);
}

export interface PythonServer {
  url: string;
  port: number;
  pid: number;
  close(): Promise<void>;
}

/** Python's SimpleXMLRPCServer (HTTP/1.1, threading) serving Calcul; resolves once it listens. */
export function startPythonCalcul(): Promise<PythonServer> {
  return startPythonServer('rpc_calcul_server.py', []);
}

/** The benchmark's reference directory: SimpleXMLRPCServer over sqlite3 (WAL, synchronous=FULL). */
export function startPythonAnnuaire(dbFile: string): Promise<PythonServer> {
  return startPythonServer('rpc_annuaire_server.py', [dbFile]);
}

async function startPythonServer(script: string, args: string[]): Promise<PythonServer> {
  // stderr is kept, not shown: Python prints a traceback for every client that resets a connection.
  const child = spawn(python, [path.join(here, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(Number(line)));
  });
  return {
    port,
    pid: child.pid!,
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
