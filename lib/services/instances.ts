// Instances, as systemd templates have them: several servers of one exercise at once, each named
// SERVICE@ID — fingerd@7979 (by the port it listens on) or fingerd@west (a name given with --name).
// Each running instance keeps a record, pidDir/SERVICE@ID.json, written by the server itself when
// it listens: its pid with the identity that pid must still have (identity.ts), its address, its
// arguments and where its pidfile is. status, stop and restart read the records, so they find every
// instance whatever pidfile it was given. The classic pidfile (pidDir/SERVICE.pid, or pidFiles.SERVICE
// from the config: the lab's /tmp/finger.pid) goes to the first instance that starts, daemon or
// foreground; the others run without one. No run ever blocks another.

import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NetlabError, systemErrorCode } from '../errors.ts';
import type { StateDirs } from '../state-dirs.ts';
import type { ServerAddress } from './handle.ts';
import { checkIdentity, identityOf, type IdentityCheck, type ProcessIdentity } from './identity.ts';
import { createPidfile, describePidfile, judgePidfile, releasePidfile, type PidfileVerdict } from './pidfile.ts';

export interface ServiceConfig {
  dataDir: string;
  pidDir: string;
  logDir: string;
  pidFiles: Record<string, string>;
  /** The folders moved because this user cannot write the defaults (lib/state-dirs.ts). */
  stateDirs?: StateDirs;
}

export interface InstanceRecord extends ProcessIdentity {
  /** The exercise: fingerd. */
  service: string;
  /** What follows the @: the port, or the name given with --name. */
  id: string;
  /** True when the id was given (--name): restart keeps it. */
  named: boolean;
  mode: 'daemon' | 'foreground';
  /** The classic pidfile, when this instance holds it. */
  pidfile?: string;
  log: string;
  startedAt: string;
  /** The arguments it was started with, so `restart` can reuse them. */
  args: string[];
  address: ServerAddress;
}

export interface Instance {
  record: InstanceRecord;
  /** Whether its process is still the one that wrote the record. */
  check: IdentityCheck;
}

export function instanceName(record: Pick<InstanceRecord, 'service' | 'id'>): string {
  return `${record.service}@${record.id}`;
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** "fingerd@7979" → { service: 'fingerd', id: '7979' }; "fingerd" → { service: 'fingerd' }. */
export function parseInstanceName(text: string): { service: string; id?: string } {
  const at = text.indexOf('@');
  if (at < 0) return { service: text };
  const id = text.slice(at + 1);
  checkInstanceId(id);
  return { service: text.slice(0, at), id };
}

/** An id becomes part of a file name: letters, digits, '.', '_' and '-' only. */
export function checkInstanceId(id: string): string {
  if (!idPattern.test(id)) {
    throw new NetlabError('E_USAGE', `${JSON.stringify(id)} cannot name an instance`, {
      hint: 'use up to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. --name west)',
    });
  }
  return id;
}

/** The classic pidfile: pidFiles[service] (relative to pidDir) or pidDir/SERVICE.pid. */
export function servicePidfile(config: ServiceConfig, service: string): string {
  const chosen = config.pidFiles[service];
  return chosen ? path.resolve(config.pidDir, chosen) : path.join(config.pidDir, `${service}.pid`);
}

/** Every instance of a service appends to the same request log; each line carries its pid. */
export function serviceLog(config: ServiceConfig, service: string): string {
  return path.join(config.logDir, `${service}.log`);
}

function recordFile(pidDir: string, record: Pick<InstanceRecord, 'service' | 'id'>): string {
  return path.join(pidDir, `${instanceName(record)}.json`);
}

/** The instances recorded in pidDir (of one service, or all), each with its identity checked. */
export function listInstances(pidDir: string, service?: string): Instance[] {
  let files: string[];
  try {
    files = readdirSync(pidDir);
  } catch {
    return [];
  }
  return files
    .filter((file) => file.endsWith('.json') && (service ? file.startsWith(`${service}@`) : file.includes('@')))
    .map((file) => readRecord(path.join(pidDir, file)))
    .filter((record): record is InstanceRecord => record !== undefined && (!service || record.service === service))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || instanceName(a).localeCompare(instanceName(b))) // the first started first
    .map((record) => ({ record, check: checkIdentity(record) }));
}

function readRecord(file: string): InstanceRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as InstanceRecord;
    return Number.isInteger(record.pid) && typeof record.startTime === 'string' && typeof record.service === 'string' ? record : undefined;
  } catch {
    return undefined; // not a record of ours
  }
}

/** Writes the record whole under a temporary name, then links it in: exclusive and never half-written. */
function createRecord(pidDir: string, record: InstanceRecord): boolean {
  const file = recordFile(pidDir, record);
  const temporary = `${file}.${record.pid}.tmp`;
  mkdirSync(pidDir, { recursive: true });
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if (systemErrorCode(error) === 'EEXIST') return false; // the name is taken
    throw new NetlabError('E_PERMISSION', `cannot write ${file}: ${(error as Error).message}`, {
      hint: 'choose a writable pidDir in netlab.config.ts or NETLAB_PID_DIR',
    });
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Removes an instance's record and pidfile, only while they still describe that process. */
export function forgetInstance(pidDir: string, record: InstanceRecord): void {
  const file = recordFile(pidDir, record);
  const current = readRecord(file);
  if (current?.pid === record.pid && current.startTime === record.startTime) rmSync(file, { force: true });
  if (record.pidfile) releasePidfile(record.pidfile, record.pid);
}

/** The classic pidfile of a service, judged against every instance recorded in pidDir. */
export function judgeServicePidfile(config: ServiceConfig, service: string, instances = listInstances(config.pidDir)): PidfileVerdict {
  const pids = (alive: boolean) => new Set(instances.filter((i) => (i.check === 'same') === alive).map((i) => i.record.pid));
  return judgePidfile(servicePidfile(config, service), pids(true), pids(false));
}

export interface Registration {
  record: InstanceRecord;
  /** Why this instance has no pidfile, when the pidfile was wrong (foreign, invalid). */
  notes: string[];
  release(): void;
}

/**
 * Registers this process as an instance of `service` once it listens. Its id is the name it was
 * given, or else its port (port-2, port-3 … when two hosts share a port). A live instance of the
 * same given name refuses the start; a record whose process is gone is replaced. The pidfile is
 * claimed first, so that the record is complete the moment it appears.
 */
export function registerInstance(
  config: ServiceConfig,
  options: { service: string; args: string[]; address: ServerAddress; mode: InstanceRecord['mode']; name?: string; startedAt: string },
): Registration {
  const { service } = options;
  const identity = identityOf();
  const base = options.name !== undefined ? checkInstanceId(options.name) : String(options.address.port);
  const claim = claimPidfile(config, service, identity.pid);
  try {
    for (let n = 1; ; ) {
      const record: InstanceRecord = {
        service,
        id: n === 1 ? base : `${base}-${n}`,
        named: options.name !== undefined,
        mode: options.mode,
        ...identity,
        pidfile: claim.pidfile,
        log: serviceLog(config, service),
        startedAt: options.startedAt,
        args: options.args,
        address: options.address,
      };
      if (createRecord(config.pidDir, record)) {
        return { record, notes: claim.notes, release: () => forgetInstance(config.pidDir, record) };
      }
      const holder = readRecord(recordFile(config.pidDir, record));
      if (!holder || checkIdentity(holder) !== 'same') {
        rmSync(recordFile(config.pidDir, record), { force: true }); // its process is gone
      } else if (options.name === undefined) {
        n++;
      } else {
        throw new NetlabError('E_SERVICE_RUNNING', `${instanceName(record)} is already running (pid ${holder.pid})`, {
          hint: `give another --name, or netlab stop ${instanceName(record)}`,
        });
      }
    }
  } catch (error) {
    if (claim.pidfile) releasePidfile(claim.pidfile, identity.pid);
    throw error;
  }
}

/** The first instance takes the service's pidfile; a stale one is replaced, a foreign one left alone. */
function claimPidfile(config: ServiceConfig, service: string, pid: number): { pidfile?: string; notes: string[] } {
  const pidfile = servicePidfile(config, service);
  const without = `${service} runs without a pidfile`;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createPidfile(pidfile, pid)) return { pidfile, notes: [] };
    const verdict = judgeServicePidfile(config, service);
    if (verdict.kind === 'held') return { notes: [] }; // another instance has it, as it should
    if (verdict.kind !== 'stale') return { notes: [`${describePidfile(verdict)}; this ${without}`] };
    // Two starts may find the same stale file; the loser's exclusive create fails and it goes without.
    releasePidfile(pidfile, verdict.pid);
  }
  return { notes: [`${pidfile} was claimed by another start at the same moment; this ${without}`] };
}
