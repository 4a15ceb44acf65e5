// Pidfiles, as Unix daemons keep them: one number and a newline, created exclusively.
// A pidfile only says which number to look at; whether that number is still our server is for the
// instance record (instances.ts) and the process identity (identity.ts) to tell.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NetlabError, systemErrorCode } from '../errors.ts';
import { isAlive } from './identity.ts';

export type PidfileContent = { kind: 'missing' } | { kind: 'pid'; pid: number } | { kind: 'invalid'; text: string };

/** Linux's largest pid_max (2^22): a bigger number cannot be a pid. */
const maxPid = 4_194_304;

/** Read strictly: decimal digits and one final newline (which `echo $! > file` adds), nothing else. */
export function readPidfile(pidfile: string): PidfileContent {
  let text: string;
  try {
    text = readFileSync(pidfile, 'utf8');
  } catch {
    return { kind: 'missing' };
  }
  const match = /^([1-9][0-9]{0,6})\n?$/.exec(text);
  const pid = match ? Number(match[1]) : 0;
  return pid > 0 && pid <= maxPid ? { kind: 'pid', pid } : { kind: 'invalid', text: text.slice(0, 40) };
}

/** The pid a pidfile holds, or undefined when it is missing or holds anything but a pid. */
export function readPid(pidfile: string): number | undefined {
  const content = readPidfile(pidfile);
  return content.kind === 'pid' ? content.pid : undefined;
}

/** Writes `pid` to a pidfile that must not exist yet (O_EXCL); false when one is there already. */
export function createPidfile(pidfile: string, pid: number): boolean {
  try {
    mkdirSync(path.dirname(pidfile), { recursive: true });
    writeFileSync(pidfile, `${pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if (systemErrorCode(error) === 'EEXIST') return false;
    throw new NetlabError('E_PERMISSION', `cannot write the pidfile ${pidfile}: ${(error as Error).message}`, {
      hint: 'choose a writable pidDir (or pidFiles entry) in netlab.config.ts or NETLAB_PID_DIR',
    });
  }
}

/** Removes the pidfile only if it is still ours, so a stop never deletes a successor's file. */
export function releasePidfile(pidfile: string, pid = process.pid): void {
  if (readPid(pidfile) === pid) rmSync(pidfile, { force: true });
}

/**
 * What a pidfile says, judged against the live instances netlab knows of:
 * - held: it names a live instance (whose identity checks out);
 * - stale: it names a process that is gone, or a pid one of our dead instances had: safe to replace;
 * - foreign: it names a live process netlab did not start: left alone, never signalled;
 * - invalid: it holds something other than a pid: left alone.
 */
export type PidfileVerdict =
  | { kind: 'missing'; pidfile: string }
  | { kind: 'held'; pidfile: string; pid: number }
  | { kind: 'stale'; pidfile: string; pid: number }
  | { kind: 'foreign'; pidfile: string; pid: number }
  | { kind: 'invalid'; pidfile: string; text: string };

export function judgePidfile(pidfile: string, livePids: Set<number>, deadPids: Set<number>): PidfileVerdict {
  const content = readPidfile(pidfile);
  if (content.kind === 'missing') return { kind: 'missing', pidfile };
  if (content.kind === 'invalid') return { kind: 'invalid', pidfile, text: content.text };
  const { pid } = content;
  if (livePids.has(pid)) return { kind: 'held', pidfile, pid };
  if (deadPids.has(pid) || !isAlive(pid)) return { kind: 'stale', pidfile, pid };
  return { kind: 'foreign', pidfile, pid };
}

/** One sentence for status and errors: what is wrong with the pidfile, and that nothing was signalled. */
export function describePidfile(verdict: PidfileVerdict): string | undefined {
  switch (verdict.kind) {
    case 'stale':
      return `pidfile ${verdict.pidfile} names pid ${verdict.pid}, which is no longer our server (stale)`;
    case 'foreign':
      return `pidfile ${verdict.pidfile} names pid ${verdict.pid}, a live process netlab did not start: sent it nothing`;
    case 'invalid':
      return `pidfile ${verdict.pidfile} holds ${JSON.stringify(verdict.text)}, not a pid: left it alone`;
    default:
      return undefined;
  }
}
