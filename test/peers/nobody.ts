// Running netlab as an ordinary user (nobody, through setpriv), in folders the test prepares:
// as root a chmod 555 folder is still writable, so only another user can meet an unwritable one.

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../lib/paths.ts';
import { netlabBin, tempDir } from '../helpers.ts';
import { skipBecause, skipWithout } from './available.ts';

export const nobodyUid = 65534;
/** setpriv's options that make a command run as nobody. */
export const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];

export { netlabBin };

/** True when nobody may read `file` (a clone under a private folder is out of its reach). */
export function nobodyCanRead(file: string): boolean {
  return spawnSync('setpriv', [...asNobody, 'test', '-r', file]).status === 0;
}

/**
 * Skips the test (true) unless it can run commands as nobody and nobody can read this checkout;
 * `respawns`: and nobody's node may start node again (netlab start), which a node under /root may not.
 */
export function skipUnlessNobody(t: { skip(message?: string): void }, options: { respawns?: boolean } = {}): boolean {
  if (skipWithout(t, 'setpriv')) return true;
  if (process.getuid?.() !== 0) return skipBecause(t, 'needs root to run commands as nobody (setpriv)');
  if (!nobodyCanRead(netlabBin)) {
    return skipBecause(t, `nobody cannot read ${packageRoot} (a clone under a private folder)`);
  }
  const respawn = `process.exitCode = require('node:child_process').spawnSync(process.execPath, ['--version']).status ?? 1`;
  if (options.respawns && spawnSync('setpriv', [...asNobody, process.execPath, '-e', respawn]).status !== 0) {
    return skipBecause(t, `nobody may not run ${process.execPath} (a node under a private folder)`);
  }
  return false;
}

/** The command line that runs `command args` as nobody. */
export function nobodyCommand(command: string, args: string[]): [string, string[]] {
  return ['setpriv', [...asNobody, command, ...args]];
}

/**
 * A scratch folder nobody can enter, with folders it owns (`writable`) and folders it may only
 * read (`readOnly`, root's, mode 555).
 */
export function nobodyScratch(t: { after(fn: () => unknown): void }) {
  const dir = tempDir(t);
  chmodSync(dir, 0o755);
  const make = (name: string, mode: number, owner: number) => {
    const folder = path.join(dir, name);
    mkdirSync(folder, { recursive: true });
    chownSync(folder, owner, owner);
    chmodSync(folder, mode);
    return folder;
  };
  return {
    dir,
    writable: (name: string) => make(name, 0o700, nobodyUid),
    readOnly: (name: string) => make(name, 0o555, 0),
  };
}
