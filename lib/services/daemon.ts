// Services as on Unix: start a server detached in the background, stop it, ask how it is.
// The daemon is the same `netlab NAME …` command, with stdout and stderr sent to its log.

import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { NetlabError } from '../cli/errors.ts';
import { prepareStateDir, type StateDirs } from '../config/state-dirs.ts';
import { readLogSince } from './logfile.ts';
import { isProcessAlive, readPid, readState, servicePaths, type ServiceState } from './pidfile.ts';

/** tsx's loader by absolute URL: `--import tsx` alone would be resolved from the daemon's cwd. */
export const tsxLoader = import.meta.resolve('tsx');

export interface ServiceConfig {
  dataDir: string;
  pidDir: string;
  logDir: string;
  pidFiles: Record<string, string>;
  /** The folders moved because this user cannot write the defaults (config/state-dirs.ts). */
  stateDirs?: StateDirs;
}

export interface StartOptions {
  name: string;
  args: string[];
  config: ServiceConfig;
  /** The program that runs `NAME args` in the foreground (lib/cli/main.ts). */
  entry: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long the server may take to start listening. */
  timeoutMs?: number;
}

/** Starts NAME in the background and resolves once it listens (its state file names its port). */
export async function startDaemon(options: StartOptions): Promise<ServiceState> {
  const { name, config } = options;
  const paths = servicePaths(config, name);
  const running = readPid(paths.pidfile);
  if (running !== undefined && isProcessAlive(running)) {
    throw new NetlabError('E_SERVICE_RUNNING', `${name} is already running (pid ${running})`, {
      hint: `netlab stop ${name}, or netlab restart ${name}`,
    });
  }
  prepareStateDir(config, 'logDir');
  prepareStateDir(config, 'pidDir');
  const logStart = fileSize(paths.log);
  const logFd = openSync(paths.log, 'a');
  // The daemon is told the folders we chose, so that it uses the very same ones (moved or not).
  const folders = { NETLAB_DATA_DIR: config.dataDir, NETLAB_LOG_DIR: config.logDir, NETLAB_PID_DIR: config.pidDir };
  const child = spawn(process.execPath, ['--import', tsxLoader, options.entry, name, ...options.args], {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), ...folders, NETLAB_DAEMON: '1' },
    detached: true, // its own session: closing the terminal does not stop it
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  child.on('exit', (code) => (exitCode = code ?? -1));
  child.once('error', (error) => (spawnError = error)); // node itself could not be run
  child.unref();

  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (spawnError) {
      throw new NetlabError('E_SERVICE_FAILED', `${name} did not start: cannot run ${process.execPath} (${spawnError.message})`, {
        hint: 'run netlab with a node this user may execute',
        cause: spawnError,
      });
    }
    const state = readState(paths.state);
    if (state && state.pid === child.pid && state.address) return state;
    if (exitCode !== undefined) {
      const lastError = readLogSince(paths.log, logStart).filter((line) => line.trim()).pop();
      throw new NetlabError('E_SERVICE_FAILED', `${name} did not start: ${lastError?.replace(/^error: /, '') ?? `exit code ${exitCode}`}`, {
        hint: `see netlab logs ${name}`,
      });
    }
    await sleep(50);
  }
  process.kill(child.pid!, 'SIGKILL');
  throw new NetlabError('E_SERVICE_FAILED', `${name} did not start listening within ${(options.timeoutMs ?? 15_000) / 1000} s`, {
    hint: `see netlab logs ${name}`,
  });
}

export interface StopResult {
  pid: number;
  /** True when SIGTERM was not enough and SIGKILL was sent. */
  killed: boolean;
}

/** SIGTERM, wait; SIGKILL after the timeout. A stale pidfile is cleaned up and reported. */
export async function stopService(name: string, config: ServiceConfig, timeoutMs = 5_000): Promise<StopResult> {
  const paths = servicePaths(config, name);
  const pid = readPid(paths.pidfile);
  if (pid === undefined || !isProcessAlive(pid)) {
    const stale = pid !== undefined;
    removeServiceFiles(paths);
    throw new NetlabError('E_SERVICE_NOT_RUNNING', `${name} is not running${stale ? ` (removed a stale pidfile for pid ${pid})` : ''}`, {
      hint: `start it with: netlab start ${name}`,
    });
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) {
      removeServiceFiles(paths); // normally the server removed them itself
      return { pid, killed: false };
    }
    await sleep(25);
  }
  process.kill(pid, 'SIGKILL');
  while (isProcessAlive(pid)) await sleep(10);
  removeServiceFiles(paths);
  return { pid, killed: true };
}

export type ServiceStatus = 'running' | 'stopped' | 'stale';

export interface ServiceReport {
  name: string;
  status: ServiceStatus;
  pid?: number;
  host?: string;
  port?: number;
  protocol?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  pidfile: string;
  log: string;
}

export function serviceStatus(name: string, config: ServiceConfig, now = Date.now()): ServiceReport {
  const paths = servicePaths(config, name);
  const pid = readPid(paths.pidfile);
  const base = { name, pidfile: paths.pidfile, log: paths.log };
  if (pid === undefined) return { ...base, status: 'stopped' };
  if (!isProcessAlive(pid)) return { ...base, status: 'stale', pid };
  const state = readState(paths.state);
  const current = state?.pid === pid ? state : undefined;
  return {
    ...base,
    status: 'running',
    pid,
    host: current?.address?.host,
    port: current?.address?.port,
    protocol: current?.address?.protocol,
    startedAt: current?.startedAt,
    uptimeSeconds: current ? Math.round((now - Date.parse(current.startedAt)) / 1000) : undefined,
  };
}

function removeServiceFiles(paths: { pidfile: string; state: string }): void {
  rmSync(paths.pidfile, { force: true });
  rmSync(paths.state, { force: true });
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
