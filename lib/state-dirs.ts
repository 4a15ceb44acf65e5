// Where netlab writes: data/, data/log and data/run of the checkout when this user can write
// there, else per-user folders after the XDG Base Directory rules (a teacher's shared install).

import { accessSync, constants, existsSync, lstatSync, mkdirSync, chmodSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetlabError, systemErrorCode } from './errors.ts';

export type StateDirKey = 'dataDir' | 'logDir' | 'pidDir';

/** The variable that moves each folder: every message about a folder names it. */
export const stateDirVariables = { dataDir: 'NETLAB_DATA_DIR', logDir: 'NETLAB_LOG_DIR', pidDir: 'NETLAB_PID_DIR' } as const satisfies Record<StateDirKey, string>;

const contents: Record<StateDirKey, string> = { dataDir: 'data', logDir: 'logs', pidDir: 'pidfiles' };

/** A default folder this user cannot write, and the per-user folder used instead. */
export interface StateDirMove {
  key: StateDirKey;
  from: string;
  to: string;
  /** The XDG variable that moves `to`. */
  base: 'XDG_STATE_HOME' | 'XDG_RUNTIME_DIR';
  /** /tmp/netlab-UID: in a folder every user writes, so created 0700 and checked to be ours. */
  inSharedTmp: boolean;
}

/**
 * The moves for the folders nobody chose (neither netlab.config.ts, NETLAB_* nor a flag set them)
 * and this user cannot write. Chosen folders are never replaced: writing them fails loudly instead.
 * State (data, logs) goes under $XDG_STATE_HOME/netlab (default ~/.local/state/netlab); pidfiles
 * and run records under $XDG_RUNTIME_DIR/netlab (default /tmp/netlab-UID), since they must not
 * outlive a reboot.
 */
export function planStateDirMoves(
  dirs: Record<StateDirKey, string>,
  chosen: ReadonlySet<StateDirKey>,
  env: NodeJS.ProcessEnv,
  uid = process.getuid?.() ?? 0,
): StateDirMove[] {
  const home = env.HOME || os.homedir();
  // The XDG spec: a relative value is invalid and must be ignored.
  const xdg = (name: string) => (env[name] && path.isAbsolute(env[name]!) ? env[name] : undefined);
  const stateHome = path.join(xdg('XDG_STATE_HOME') ?? path.join(home, '.local/state'), 'netlab');
  const runtime = xdg('XDG_RUNTIME_DIR');
  const targets: Record<StateDirKey, string> = {
    dataDir: stateHome,
    logDir: path.join(stateHome, 'log'),
    pidDir: runtime ? path.join(runtime, 'netlab') : path.join('/tmp', `netlab-${uid}`),
  };
  return (Object.keys(targets) as StateDirKey[])
    .filter((key) => !chosen.has(key) && !canCreateOrWrite(dirs[key]))
    .map((key) => ({
      key,
      from: dirs[key],
      to: targets[key],
      base: key === 'pidDir' ? 'XDG_RUNTIME_DIR' : 'XDG_STATE_HOME',
      inSharedTmp: key === 'pidDir' && !runtime,
    }));
}

/** The moves of one configuration, and the one line that tells the user about them. */
export class StateDirs {
  private announced = false;

  readonly moves: readonly StateDirMove[];
  private readonly announce: (note: string) => void;
  private readonly home: string;

  constructor(
    moves: readonly StateDirMove[],
    announce: (note: string) => void = () => {},
    home = os.homedir(),
  ) {
    this.moves = moves;
    this.announce = announce;
    this.home = home;
  }

  /** The move that made `dir` the folder for `key`, if it is one. */
  moveOf(key: StateDirKey, dir: string): StateDirMove | undefined {
    return this.moves.find((move) => move.key === key && move.to === dir);
  }

  /** Once per command, when a moved folder is first used: every move, in one line. */
  announceOnce(): void {
    if (this.announced || this.moves.length === 0) return;
    this.announced = true;
    this.announce(describeMoves(this.moves, this.home));
  }
}

/**
 * Makes sure config[key] exists and this user can write in it, before a service, a database or a
 * graph goes there. A folder netlab moved is announced on first use; one that cannot be written
 * is a permission error naming it and the variable that moves it.
 */
export function prepareStateDir(config: Record<StateDirKey, string> & { stateDirs?: StateDirs }, key: StateDirKey): string {
  const dir = config[key];
  const move = config.stateDirs?.moveOf(key, dir);
  try {
    if (move?.inSharedTmp) makePrivateDir(dir);
    else mkdirSync(dir, { recursive: true, mode: move?.base === 'XDG_RUNTIME_DIR' ? 0o700 : 0o777 });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof NetlabError) throw error;
    throw unwritable(key, dir, move, error);
  }
  if (move) config.stateDirs!.announceOnce();
  return dir;
}

/** "…/data/log is not writable; logs go to ~/.local/state/netlab/log (set NETLAB_LOG_DIR to choose)" */
export function describeMoves(moves: readonly StateDirMove[], home: string): string {
  const tilde = (dir: string) => (home && home !== '/' && dir.startsWith(`${home}/`) ? `~${dir.slice(home.length)}` : dir);
  const froms = moves.map((move) => move.from);
  const subject = froms.length === 1 ? `${froms[0]} is` : `${froms.slice(0, -1).join(', ')} and ${froms[froms.length - 1]} are`;
  const where = moves.map((move, i) => `${contents[move.key]}${i === 0 ? (move.key === 'dataDir' ? ' goes' : ' go') : ''} to ${tilde(move.to)}`);
  return `${subject} not writable; ${where.join(', ')} (set ${moves.map((move) => stateDirVariables[move.key]).join(', ')} to choose)`;
}

/** True when `dir` is a writable folder, or could be created: its nearest existing parent is one. */
function canCreateOrWrite(dir: string): boolean {
  let existing = path.resolve(dir);
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
    return statSync(existing).isDirectory();
  } catch {
    return false;
  }
}

/**
 * /tmp/netlab-UID: whoever creates it first owns it, so a folder someone else made (or a symlink
 * planted there) could let them replace our pidfiles. Ours, a real folder, mode 0700, or refused.
 */
function makePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (systemErrorCode(error) !== 'EEXIST') throw error;
  }
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new NetlabError('E_PERMISSION', `${dir} is not a folder of yours (${stat.isDirectory() ? `it belongs to uid ${stat.uid}` : 'not a plain folder'}), so netlab keeps no pidfiles there`, {
      hint: 'remove it, or set XDG_RUNTIME_DIR or NETLAB_PID_DIR to a folder of yours',
    });
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function unwritable(key: StateDirKey, dir: string, move: StateDirMove | undefined, error: unknown): NetlabError {
  const reasons: Record<string, string> = { EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system', ENOTDIR: 'a file is in the way', EEXIST: 'a file is in the way' };
  const reason = reasons[systemErrorCode(error) ?? ''] ?? (error as Error).message;
  const variable = stateDirVariables[key];
  return move
    ? new NetlabError('E_PERMISSION', `cannot write netlab's ${contents[key]} in ${dir} (${reason}), nor in ${move.from}`, {
        hint: `set ${variable} (or ${move.base}) to a folder you can write`,
        cause: error,
      })
    : new NetlabError('E_PERMISSION', `cannot write netlab's ${contents[key]} in ${dir} (${reason})`, {
        hint: `set ${variable} to a folder you can write`,
        cause: error,
      });
}
