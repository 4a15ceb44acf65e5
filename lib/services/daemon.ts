// Services as on Unix: start a server detached in the background, stop it, ask how it is.
// The daemon is the same `netlab NAME …` command, with stderr sent to its log (a crash trace, the
// reason a start failed); its stdout, the terminal's view ("listening … Ctrl-C to stop", each
// datagram shown), has no reader and goes nowhere: the request log is the daemon's record.
// Nothing here signals a pid on the word of a file: stopInstance() checks first that the live
// process is the one its record names (identity.ts), and sends nothing otherwise.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { NetlabError, type ErrorCode } from '../errors.ts';
import { prepareStateDir } from '../state-dirs.ts';
import { checkIdentity, signalIfSame, waitForExit } from './identity.ts';
import {
  checkInstanceId,
  forgetInstance,
  instanceName,
  judgeServicePidfile,
  listInstances,
  parseInstanceName,
  serviceLog,
  type InstanceRecord,
  type ServiceConfig,
} from './instances.ts';
import { fileSize, readLogSince } from './logfile.ts';
import { describePidfile, releasePidfile } from './pidfile.ts';

export type { InstanceRecord, ServiceConfig } from './instances.ts';

/** tsx's loader by absolute URL: `--import tsx` alone would be resolved from the daemon's cwd. */
export const tsxLoader = import.meta.resolve('tsx');

export interface StartOptions {
  service: string;
  args: string[];
  /** The instance's name (--name); without one it is named by its port. */
  name?: string;
  config: ServiceConfig;
  /** The program that runs `NAME args` in the foreground (lib/cli/main.ts). */
  entry: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long the server may take to start listening. */
  timeoutMs?: number;
}

/** Starts an instance in the background and resolves once it listens (its record names its port). */
export async function startDaemon(options: StartOptions): Promise<InstanceRecord> {
  const { service, config, name } = options;
  if (name !== undefined) {
    checkInstanceId(name);
    const running = listInstances(config.pidDir, service).find((i) => i.record.id === name && i.check === 'same');
    if (running) {
      throw new NetlabError('E_SERVICE_RUNNING', `${instanceName(running.record)} is already running (pid ${running.record.pid})`, {
        hint: `netlab stop ${instanceName(running.record)}, or netlab restart ${instanceName(running.record)}`,
      });
    }
  }
  prepareStateDir(config, 'logDir');
  prepareStateDir(config, 'pidDir');
  const log = serviceLog(config, service);
  const logStart = fileSize(log);
  const logFd = openSync(log, 'a');
  // The server learns it is a daemon, and its name, from the environment (read in lib/cli/run.ts);
  // and the folders we chose, so that it uses the very same ones (moved or not).
  const { NETLAB_INSTANCE, ...env } = options.env ?? process.env;
  void NETLAB_INSTANCE;
  const folders = { NETLAB_DATA_DIR: config.dataDir, NETLAB_LOG_DIR: config.logDir, NETLAB_PID_DIR: config.pidDir };
  // A TypeScript entry needs tsx's loader; the compiled one (dist/, bin/build.js) starts without it.
  const loader = options.entry.endsWith('.ts') ? ['--import', tsxLoader] : [];
  const child = spawn(process.execPath, [...loader, options.entry, service, ...options.args], {
    cwd: options.cwd,
    env: { ...env, ...folders, NETLAB_DAEMON: '1', ...(name !== undefined ? { NETLAB_INSTANCE: name } : {}) },
    detached: true, // its own session: closing the terminal does not stop it
    stdio: ['ignore', 'ignore', logFd],
  });
  closeSync(logFd);
  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  child.on('exit', (code) => (exitCode = code ?? -1));
  child.once('error', (error) => (spawnError = error)); // node itself could not be run
  child.unref();

  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) {
      throw new NetlabError('E_SERVICE_FAILED', `${service} did not start: cannot run ${process.execPath} (${spawnError.message})`, {
        hint: 'run netlab with a node this user may execute',
        cause: spawnError,
      });
    }
    const started = listInstances(config.pidDir, service).find((i) => i.record.pid === child.pid && i.check === 'same');
    if (started) return started.record;
    if (exitCode !== undefined) throw startFailure(service, exitCode, readLogSince(log, logStart).filter((line) => line.trim()).pop());
    await sleep(20);
  }
  child.kill('SIGKILL'); // our own child, not yet reaped: its pid cannot belong to anyone else
  throw new NetlabError('E_SERVICE_FAILED', `${service} did not start listening within ${timeoutMs / 1000} s`, {
    hint: `see netlab logs ${service}`,
  });
}

/** The child's exit codes (lib/errors.ts) back to the error that made them: `start --port abc` is a usage error, exit 2, as in the foreground. */
const failureByExitCode: Record<number, ErrorCode> = { 2: 'E_USAGE', 3: 'E_CONFIG', 4: 'E_NETWORK', 5: 'E_PERMISSION', 6: 'E_NOT_FOUND' };

/** A daemon that exited before it listened: its own last error line, with its own hint when it gave one. */
function startFailure(service: string, exitCode: number | null, lastError: string | undefined): NetlabError {
  const [reason, hint] = (lastError?.replace(/^error: /, '') ?? (exitCode === null ? 'killed by a signal' : `exit code ${exitCode}`)).split(' — ');
  return new NetlabError((exitCode !== null && failureByExitCode[exitCode]) || 'E_SERVICE_FAILED', `${service} did not start: ${reason}`, {
    hint: hint ?? `see netlab logs ${service}`,
  });
}

/** What `stop`, `restart` and `status` are pointed at: every instance of a service, or one. */
export interface Selection {
  service: string;
  id?: string;
  live: InstanceRecord[];
  /** Records whose process is gone (crashed, killed -9) or whose pid another process now has. */
  stale: InstanceRecord[];
  /** What is wrong with the service's pidfile, when something is ("foreign", "stale" …). */
  pidfileNote?: string;
}

/** "fingerd" (all its instances) or "fingerd@7979" (one). */
export function selectInstances(target: string, config: ServiceConfig): Selection {
  const { service, id } = parseInstanceName(target);
  const all = listInstances(config.pidDir);
  const mine = all.filter((i) => i.record.service === service && (id === undefined || i.record.id === id));
  const verdict = judgeServicePidfile(config, service, all);
  return {
    service,
    id,
    live: mine.filter((i) => i.check === 'same').map((i) => i.record),
    stale: mine.filter((i) => i.check !== 'same').map((i) => i.record),
    pidfileNote: describePidfile(verdict),
  };
}

/**
 * The one live instance a command acts on. None: not running (saying what the pidfile held). Several
 * and no @ID: the user must choose, so the error lists them (exit 2).
 */
export function theInstance(selection: Selection, verb: string): InstanceRecord {
  const target = selection.id === undefined ? selection.service : `${selection.service}@${selection.id}`;
  if (selection.live.length === 1) return selection.live[0];
  if (selection.live.length === 0) {
    const notes = [...selection.stale.map(describeStale), selection.pidfileNote].filter(Boolean);
    throw new NetlabError('E_SERVICE_NOT_RUNNING', `${target} is not running${notes.length ? ` (${notes.join('; ')})` : ''}`, {
      hint: `start it with: netlab start ${selection.service}`,
    });
  }
  const listed = selection.live.map((r) => `${instanceName(r)} (pid ${r.pid}, ${r.address.protocol} ${r.address.host}:${r.address.port})`);
  throw new NetlabError('E_USAGE', `${selection.service} has ${selection.live.length} instances running: ${listed.join(', ')}`, {
    hint: `say which: netlab ${verb} ${instanceName(selection.live[0])}${verb === 'stop' ? `, or all of them: netlab stop ${selection.service} --all` : ''}`,
  });
}

/** Removes the records (and pidfiles) of instances whose process is gone: nothing is signalled. */
export function forgetStale(selection: Selection, config: ServiceConfig): void {
  for (const record of selection.stale) forgetInstance(config.pidDir, record);
  const verdict = judgeServicePidfile(config, selection.service);
  if (verdict.kind === 'stale') releasePidfile(verdict.pidfile, verdict.pid);
}

export function describeStale(record: InstanceRecord): string {
  const reused = checkIdentity(record) === 'reused' ? ', its pid now another process’s' : '';
  return `${instanceName(record)} (pid ${record.pid}) is gone${reused}: removed its record`;
}

/** Why a record is stale: its process ended, or its pid was given to another process since. */
function staleNote(record: InstanceRecord): string {
  return checkIdentity(record) === 'reused'
    ? `pid ${record.pid} now belongs to another process (sent it nothing); netlab stop clears the record`
    : 'its process is gone (crashed or killed); netlab stop clears the record';
}

export interface StopResult {
  instance: string;
  pid: number;
  /** True when SIGTERM was not enough and SIGKILL was sent. */
  killed: boolean;
}

/**
 * SIGTERM; SIGKILL if it still runs after timeoutMs. Each signal goes only to the process the
 * record names (pid, start time and boot id all equal); a server with no open connection exits
 * within milliseconds, and the exit is seen as soon as /proc shows it (a zombie counts as gone).
 */
export async function stopInstance(record: InstanceRecord, pidDir: string, timeoutMs = 5_000): Promise<StopResult> {
  const name = instanceName(record);
  const result = { instance: name, pid: record.pid, killed: false };
  if (!signalIfSame(record, 'SIGTERM', name)) {
    forgetInstance(pidDir, record);
    throw new NetlabError('E_SERVICE_NOT_RUNNING', `${name} is not running (pid ${record.pid} is gone or is another process now; sent nothing)`, {
      hint: `start it with: netlab start ${record.service}`,
    });
  }
  if (!(await waitForExit(record, timeoutMs)) && signalIfSame(record, 'SIGKILL', name)) {
    result.killed = true;
    await waitForExit(record, 5_000);
  }
  forgetInstance(pidDir, record); // normally the server removed them itself
  return result;
}

/** `stop NAME`: the only instance, or an error that lists them; for scripts and the tour. */
export async function stopService(target: string, config: ServiceConfig, timeoutMs = 5_000): Promise<StopResult> {
  const selection = selectInstances(target, config);
  forgetStale(selection, config);
  return stopInstance(theInstance(selection, 'stop'), config.pidDir, timeoutMs);
}

export type ServiceStatus = 'running' | 'stopped' | 'stale' | 'foreign' | 'invalid';

export interface ServiceReport {
  /** The service (exercise) name. */
  name: string;
  /** SERVICE@ID for an instance; the service name for a row about the service as a whole. */
  instance: string;
  status: ServiceStatus;
  pid?: number;
  mode?: InstanceRecord['mode'];
  host?: string;
  port?: number;
  protocol?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  pidfile?: string;
  log: string;
  args?: string[];
  note?: string;
}

/** One row per instance (running, or stale: its process gone), or one row for a stopped service. */
export function serviceStatus(target: string, config: ServiceConfig, now = Date.now()): ServiceReport[] {
  const selection = selectInstances(target, config);
  const log = serviceLog(config, selection.service);
  const rows: ServiceReport[] = [
    ...selection.live.map((record) => instanceReport(record, 'running', now)),
    ...selection.stale.map((record) => ({ ...instanceReport(record, 'stale', now), uptimeSeconds: undefined, note: staleNote(record) })),
  ];
  const verdict = judgeServicePidfile(config, selection.service);
  if (selection.id === undefined && verdict.kind !== 'missing' && verdict.kind !== 'held') {
    rows.push({
      name: selection.service,
      instance: selection.service,
      status: verdict.kind,
      pid: 'pid' in verdict ? verdict.pid : undefined,
      pidfile: verdict.pidfile,
      log,
      note: describePidfile(verdict),
    });
  }
  if (rows.length === 0) rows.push({ name: selection.service, instance: target, status: 'stopped', log });
  return rows;
}

function instanceReport(record: InstanceRecord, status: ServiceStatus, now: number): ServiceReport {
  const notes = [
    record.mode === 'foreground' ? 'foreground' : undefined,
    record.pidfile ? `pidfile ${record.pidfile}` : undefined,
    asksForAnyPort(record.args) ? 'started with --port 0: a restart may get another port' : undefined,
  ].filter(Boolean);
  return {
    name: record.service,
    instance: instanceName(record),
    status,
    pid: record.pid,
    mode: record.mode,
    ...record.address,
    startedAt: record.startedAt,
    uptimeSeconds: Math.max(0, Math.round((now - Date.parse(record.startedAt)) / 1000)),
    pidfile: record.pidfile,
    log: record.log,
    args: record.args,
    note: notes.join('; ') || undefined,
  };
}

/** `--port 0`, `--port=0`, `-p 0`: the system chose the port, and will choose again. */
export function asksForAnyPort(args: string[]): boolean {
  return args.some((arg, i) => arg === '--port=0' || arg === '-p=0' || ((arg === '--port' || arg === '-p') && args[i + 1] === '0'));
}
