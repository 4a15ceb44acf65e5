// The system backend: the machine's own `finger` program answers, as in.fingerd does it —
// but with the user as ONE argument after `--` (never a shell string), a timeout and a size cap.

import { spawn } from 'node:child_process';
import { noSuchUser, type FingerAnswer, type FingerBackend } from './backend.ts';
import type { LocalQuery } from './query.ts';

export interface SystemBackendOptions {
  /** The finger program (a path, or a name looked up in PATH). */
  binary: string;
  timeoutMs: number;
  /** Bytes of output kept; the program is stopped once it has written more. */
  maxBytes: number;
}

/** The program's arguments for a query: `-l` for /W (RFC 1288 §2.5.4), `--` so a name is never an option. */
export function systemFingerArguments(query: LocalQuery): string[] {
  const long = query.verbose ? ['-l'] : [];
  return query.user === undefined ? long : [...long, '--', query.user];
}

export function createSystemBackend(options: SystemBackendOptions): FingerBackend {
  return {
    name: 'system',
    async answer(query: LocalQuery): Promise<FingerAnswer> {
      const text = await runCapped(options.binary, systemFingerArguments(query), options);
      // BSD finger says "finger: NAME: no such user." on stderr and exits 0; we merged the streams.
      if (query.user !== undefined && /no such user\.?\s*$/.test(text) && !/^Login:/m.test(text)) return noSuchUser(query.user);
      return { text, outcome: 'ok' };
    },
  };
}

/**
 * Runs a program without a shell; its stdout and stderr, cut at maxBytes. It gets its own process
 * group, so that on timeout or overflow the whole group (children it started too) is killed.
 */
function runCapped(binary: string, args: string[], options: SystemBackendOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
      detached: true,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const timer = setTimeout(() => {
      killGroup();
      settle(() => reject(new Error(`${binary} did not answer within ${options.timeoutMs / 1000} s`)));
    }, options.timeoutMs);
    const keep = (chunk: Buffer) => {
      chunks.push(chunk.subarray(0, options.maxBytes - size));
      size += chunk.length;
      if (size < options.maxBytes) return;
      killGroup();
      settle(() => resolve(`${Buffer.concat(chunks).toString('utf8')}\n[answer cut at ${options.maxBytes} bytes]\n`));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => settle(() => reject(error)));
    child.on('close', () => settle(() => resolve(Buffer.concat(chunks).toString('utf8'))));
  });
}
