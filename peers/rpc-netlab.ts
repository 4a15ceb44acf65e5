// Our RPC servers as separate processes (`node --import tsx scripts/NAME.ts --port 0 …`), for the
// tests that SIGKILL them and for the benchmark, which must not share an event loop with them.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const scripts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scripts');

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  /** Resolves to the exit code, or the signal's name when a signal ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts scripts/NAME.ts on a free port and resolves with its URL once it says it listens. */
export async function spawnRpcServer(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<SpawnedServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(scripts, `${name}.ts`), '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', () => reject(new Error(`${name} exited before listening: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on http (\S+:\d+)/.exec(line);
      if (match) resolve(`http://${match[1]}/`);
    });
  });
  return { child, url, exited };
}
