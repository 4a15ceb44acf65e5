// Who a process is, not only which number it has. A pid is reused once its process is reaped, so
// a pid alone cannot say "this is still our server". Linux gives each process a start time (clock
// ticks since boot, proc(5) /proc/PID/stat field 22) that never changes while it lives; with the
// boot id (/proc/sys/kernel/random/boot_id, new at each boot) the three name one process for ever.
// Every signal netlab sends to a service goes through signalIfSame(), which checks that first.

import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { NetlabError, systemErrorCode } from '../errors.ts';

export interface ProcessIdentity {
  pid: number;
  /** /proc/PID/stat field 22, as written there (a decimal count of clock ticks since boot). */
  startTime: string;
  bootId: string;
}

export interface ProcessState {
  /** proc(5) field 3: R running, S sleeping, … Z zombie (exited, not yet reaped), X dead. */
  state: string;
  startTime: string;
}

/** The state and start time of a pid, or undefined when no such process exists. */
export function readProcess(pid: number): ProcessState | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 is the command name in parentheses, and may itself hold spaces and ')': the fields
  // after it start after the last ')'. There, index 0 is field 3 (state), index 19 field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTime: fields[19] };
}

/** A process that has exited but whose parent has not reaped it yet is a zombie: not alive. */
export function isAlive(pid: number): boolean {
  const process = readProcess(pid);
  return process !== undefined && !hasExited(process);
}

let bootId: string | undefined;
export function currentBootId(): string {
  return (bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
}

/** This process's identity (or another's), to record when a service starts. */
export function identityOf(pid = process.pid): ProcessIdentity {
  const found = readProcess(pid);
  if (!found) throw new Error(`no process ${pid}`);
  return { pid, startTime: found.startTime, bootId: currentBootId() };
}

/**
 * 'same': the recorded process is alive. 'gone': nothing alive has that pid (or it is a zombie, or
 * the machine rebooted since). 'reused': a live process has the pid, but it is another one.
 */
export type IdentityCheck = 'same' | 'gone' | 'reused';

export function checkIdentity(recorded: ProcessIdentity): IdentityCheck {
  const live = readProcess(recorded.pid);
  if (!live || hasExited(live)) return 'gone';
  if (recorded.bootId !== currentBootId() || live.startTime !== recorded.startTime) return 'reused';
  return 'same';
}

/**
 * Sends `signal` only if the live process is still the recorded one; false (nothing sent) if not.
 * The check and kill(2) are two system calls apart: a pid could only be reused between them if the
 * process exited and a new one got its number within microseconds, which Linux's pid allocation
 * (sequential up to pid_max before wrapping) makes practically impossible.
 */
export function signalIfSame(recorded: ProcessIdentity, signal: NodeJS.Signals, what: string): boolean {
  if (checkIdentity(recorded) !== 'same') return false;
  try {
    process.kill(recorded.pid, signal);
    return true;
  } catch (error) {
    if (systemErrorCode(error) === 'ESRCH') return false; // it exited just now
    if (systemErrorCode(error) === 'EPERM') {
      throw new NetlabError('E_PERMISSION', `may not signal ${what} (pid ${recorded.pid}): it runs as another user`, {
        hint: 'run the command as that user, or as root',
      });
    }
    throw error;
  }
}

/** Resolves true once the recorded process has exited, false if it still runs after timeoutMs. */
export async function waitForExit(recorded: ProcessIdentity, timeoutMs: number, pollMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // Polling /proc every few ms costs one small read: a stop ends within a few ms of the exit.
  while (checkIdentity(recorded) === 'same') {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

function hasExited(process: ProcessState): boolean {
  return process.state === 'Z' || process.state === 'X';
}
