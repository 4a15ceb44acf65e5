// Real peers for the sockets lab's tests: socat servers on a free port, and our own scripts run as
// child processes (for stdin, for `npx zx`, for another user), all stopped when the test ends.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { test as nodeTest, type TestContext as NodeTestContext } from 'node:test';
import { packageRoot } from '../../lib/paths.ts';
import { freePort } from '../../peers/free-port.ts';
import { waitFor } from '../helpers.ts';

type TestContext = { after(fn: () => unknown): void };

/** node:test's test with a time limit: a peer that hangs fails its test instead of the whole run. */
export function test(name: string, fn: (t: NodeTestContext) => void | Promise<void>): void {
  nodeTest(name, { timeout: 60_000 }, (t) => fn(t));
}

/** Stops a child when the test ends, even if it failed: its whole process group when it leads one. */
function stopAfter(t: TestContext, child: ChildProcess, group = false): void {
  t.after(() => signalChild(child, 'SIGKILL', group));
}

/** Signals a child, or with `group` every process in its group (npx starts node as a grandchild). */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals, group = true): void {
  try {
    if (group && child.pid) process.kill(-child.pid, signal);
    else if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  } catch {
    // already gone
  }
}

/**
 * An echo server made of socat (ask skipWithout(t, 'socat') first): TCP forks `cat` per
 * connection, since socat's PIPE can deadlock when the client pipelines; UDP answers each
 * datagram from the same socket.
 */
export async function startSocatEcho(t: TestContext, protocol: 'tcp' | 'udp'): Promise<number> {
  const port = await freePort(protocol);
  const address =
    protocol === 'tcp' ? [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'EXEC:cat'] : [`UDP-RECVFROM:${port},bind=127.0.0.1,fork`, 'EXEC:cat'];
  const child = spawn('socat', address, { stdio: 'ignore' });
  stopAfter(t, child);
  await waitFor(() => isBound(protocol, port), 5_000, `socat on ${protocol} port ${port}`);
  return port;
}

async function isBound(protocol: 'tcp' | 'udp', port: number): Promise<boolean> {
  const { readSockets } = await import('../../lib/net/procnet.ts');
  return readSockets({ protocols: [protocol], listening: true, port }, { owners: false }).some((entry) => entry.localPort === port);
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion with some stdin; kills it after `timeoutMs`. With `keepStdinOpen`
 * stdin is not ended after the input, as when a person has typed nothing more yet.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { input?: string | Buffer; keepStdinOpen?: boolean; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? packageRoot, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    if (options.keepStdinOpen) child.stdin.write(options.input ?? '');
    else child.stdin.end(options.input ?? '');
  });
}

/** `node --import tsx scripts/NAME.ts args…` */
export function runScript(name: string, args: string[], options: Parameters<typeof runCommand>[2] = {}): Promise<ChildResult> {
  return runCommand(process.execPath, ['--import', 'tsx', path.join(packageRoot, 'scripts', `${name}.ts`), ...args], options);
}

/**
 * Starts a long-running command (in a process group of its own) and resolves once its output matches `ready` (e.g. the
 * "listening on … :PORT" line), with the match; the process is killed when the test ends.
 */
export async function startCommand(
  t: TestContext,
  command: string,
  args: string[],
  ready: RegExp,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string; exited: Promise<number | null> }> {
  // Its own process group, so that the grandchildren of `npx …` are stopped with it.
  const child = spawn(command, args, { cwd: packageRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  stopAfter(t, child, true);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const match = await waitFor(() => ready.exec(output) ?? (child.exitCode !== null ? Promise.reject(new Error(`exited early: ${output}`)) : null), 15_000, `${ready}`);
  return { child, match, output: () => output, exited };
}
