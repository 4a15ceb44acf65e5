// Pidfiles, as Unix daemons keep them: one number and a newline, created exclusively.
// Beside each, a small JSON state file tells `status` the port and start time.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NetlabError, systemErrorCode } from '../cli/errors.ts';
import type { ServerAddress } from './handle.ts';

export interface ServiceState {
  name: string;
  pid: number;
  pidfile: string;
  log: string;
  startedAt: string;
  /** The arguments it was started with, so `restart` can reuse them. */
  args: string[];
  address?: ServerAddress;
}

export interface ServicePaths {
  pidfile: string;
  state: string;
  log: string;
}

/** Where a service's files live: pidFiles[name] overrides pidDir/NAME.pid (the lab's /tmp/finger.pid). */
export function servicePaths(
  config: { pidDir: string; logDir: string; pidFiles: Record<string, string> },
  name: string,
): ServicePaths {
  return {
    pidfile: config.pidFiles[name] ? path.resolve(config.pidDir, config.pidFiles[name]) : path.join(config.pidDir, `${name}.pid`),
    state: path.join(config.pidDir, `${name}.json`),
    log: path.join(config.logDir, `${name}.log`),
  };
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return systemErrorCode(error) === 'EPERM'; // alive, but another user's
  }
}

/** The pid written in a pidfile, or undefined when there is none (or it holds no number). */
export function readPid(pidfile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidfile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Claims the pidfile for this process. A live owner refuses the start; a stale file (its process
 * is gone) is replaced. Exclusive creation makes two simultaneous starts race safely.
 */
export function acquirePidfile(name: string, pidfile: string, pid = process.pid): void {
  mkdirSync(path.dirname(pidfile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(pidfile, `${pid}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if (systemErrorCode(error) !== 'EEXIST') {
        throw new NetlabError('E_PERMISSION', `cannot write the pidfile ${pidfile}: ${(error as Error).message}`, {
          hint: 'choose a writable pidDir in netlab.config.ts or NETLAB_PID_DIR',
        });
      }
      const owner = readPid(pidfile);
      if (owner !== undefined && owner !== pid && isProcessAlive(owner)) {
        throw new NetlabError('E_SERVICE_RUNNING', `${name} is already running (pid ${owner}, pidfile ${pidfile})`, {
          hint: `stop it first with: netlab stop ${name}`,
        });
      }
      rmSync(pidfile, { force: true }); // stale: its process is gone
    }
  }
  throw new NetlabError('E_SERVICE_RUNNING', `${name}: another process claimed ${pidfile} at the same moment`, {
    hint: 'run netlab status to see who holds it',
  });
}

/** Removes the pidfile only if it is still ours, so a stop never deletes a successor's file. */
export function releasePidfile(pidfile: string, pid = process.pid): void {
  if (readPid(pidfile) === pid) rmSync(pidfile, { force: true });
}

export function writeState(file: string, state: ServiceState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

export function readState(file: string): ServiceState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ServiceState;
  } catch {
    return undefined;
  }
}

export function removeState(file: string, pid = process.pid): void {
  if (readState(file)?.pid === pid) rmSync(file, { force: true });
}
