// Shared by the services tests: run `netlab …` as a user would (a real process, isolated folders),
// and the decoys that a stop must never touch.

import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { isAlive } from '../lib/services/identity.ts';
import { isolatedEnv, netlabBin } from './helpers.ts';

const execFileAsync = promisify(execFile);

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `netlab ARGS` in an isolated setup (extra variables in `env`); never throws. */
export async function netlab(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await execFileAsync(netlabBin, args, { cwd: dir, env: isolatedEnv(dir, env) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** What a qotd server sends (RFC 865: one line, then it closes). */
export function quoteFrom(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    net.connect(port, '127.0.0.1').on('data', (chunk) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
  });
}

export interface Decoy {
  pid: number;
  /** The signals it has received (it writes each down before acting on it). */
  signals(): string[];
  /** False once it has exited (SIGKILL included). */
  alive(): boolean;
}

/**
 * A process that is not a netlab service: it notes every SIGTERM, SIGINT and SIGHUP, then exits
 * (an ordinary program) or carries on (`ignoresTerm`, a program that ignores SIGTERM).
 */
export async function startDecoy(t: { after(fn: () => unknown): void }, options: { ignoresTerm: boolean }): Promise<Decoy> {
  const program = `
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => {
      process.stdout.write(signal + '\\n');
      ${options.ignoresTerm ? '' : 'process.exit(0);'}
    });
    setInterval(() => {}, 1e6);
    process.stdout.write('ready\\n');`;
  const child = spawn(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  let exited = false;
  child.on('exit', () => (exited = true));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('ready\n')) resolve();
    });
    child.on('error', reject);
  });
  return {
    pid: child.pid!,
    signals: () => output.split('\n').filter((line) => line && line !== 'ready'),
    alive: () => !exited && isAlive(child.pid!),
  };
}
