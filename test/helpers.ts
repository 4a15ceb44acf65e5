// Shared by the tests: run an exercise in-process and capture what it prints, give it a private
// configuration (temp data/pid/log dirs), and wait for conditions without fixed sleeps.

import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Exercise } from '../lib/cli/exercise.ts';
import { runExercise, type RunIO } from '../lib/cli/run.ts';
import { loadConfig, type LoadedConfig } from '../lib/config/load.ts';
import { packageRoot } from '../lib/paths.ts';
import { isolatedEnv } from '../peers/isolated-env.ts';
import { stopInstance, tsxLoader } from '../lib/services/daemon.ts';
import type { ServerHandle } from '../lib/services/handle.ts';
import { listInstances } from '../lib/services/instances.ts';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A scratch folder removed when the test ends. Daemons recorded in it (dir/run/SERVICE@ID.json)
 * are stopped first: node:test runs after-hooks in the order they were added, so a later
 * `t.after(() => netlab stop …)` would otherwise find its record already deleted.
 */
export function tempDir(t: { after(fn: () => unknown): void }, prefix = 'netlab-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(async () => {
    await stopDaemonsIn(path.join(dir, 'run'));
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Stops the servers recorded there, with the same identity check as `netlab stop`: never a stranger. */
async function stopDaemonsIn(pidDir: string): Promise<void> {
  const others = listInstances(pidDir).filter((i) => i.check === 'same' && i.record.pid !== process.pid);
  await Promise.all(others.map((i) => stopInstance(i.record, pidDir, 3_000).catch(() => undefined)));
}

/** The netlab command, as a user runs it (bin/netlab.js loads tsx itself). */
export const netlabBin = path.join(packageRoot, 'bin/netlab.js');

export { isolatedEnv };

/** The command that runs a TypeScript file in a child process, from any working directory. */
export const nodeWithTsx = [process.execPath, '--import', tsxLoader] as const;

/** The configuration a test's servers use (defaults, with isolated folders). */
export function isolatedConfig(dir: string): Promise<LoadedConfig> {
  return loadConfig({ env: isolatedEnv(dir) });
}

/** Runs an exercise to completion and returns its exit code and output. */
export async function capture(exercise: Exercise, args: string[], io: Omit<RunIO, 'stdout' | 'stderr'> = {}): Promise<Captured> {
  const stdout = collect();
  const stderr = collect();
  const code = await runExercise(exercise, args, { ...io, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * Starts a server exercise in-process (it runs until the returned stop() is called).
 * Resolves once it listens, with its handle and what it has printed so far.
 */
export async function startServerExercise(
  exercise: Exercise,
  args: string[],
  io: Omit<RunIO, 'stdout' | 'stderr' | 'signal' | 'onListening'> = {},
): Promise<{ server: ServerHandle; output: () => Captured; stop: () => Promise<Captured> }> {
  const stdout = collect();
  const stderr = collect();
  const controller = new AbortController();
  let listening!: (server: ServerHandle) => void;
  const ready = new Promise<ServerHandle>((resolve) => (listening = resolve));
  const done = runExercise(exercise, args, { ...io, stdout: stdout.stream, stderr: stderr.stream, signal: controller.signal, onListening: listening });
  const server = await Promise.race([
    ready,
    done.then((code) => {
      throw new Error(`server exited with ${code} before listening: ${stderr.text()}`);
    }),
  ]);
  const output = () => ({ code: -1, stdout: stdout.text(), stderr: stderr.text() });
  return {
    server,
    output,
    stop: async () => {
      controller.abort();
      const code = await done;
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    },
  };
}

/** Referenced immediates queued in this process (a busy-polling loop keeps one queued while it polls). */
export const immediates = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Immediate').length;

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function collect() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * Sends raw bytes (no CRLF added) over TCP and resolves with all the server sent until it closed:
 * for what a polite client never sends (an overlong line, a lone CR, shell metacharacters).
 * halfClose ends our side after the bytes, as `nc -N` does.
 */
export function rawExchange(port: number, bytes: string | Buffer, options: { halfClose?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(bytes);
      if (options.halfClose) socket.end();
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
    socket.on('error', reject);
  });
}
