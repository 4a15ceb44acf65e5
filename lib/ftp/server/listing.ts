// LIST lines as `ls -l` and vsftpd write them, symbolic links shown as links ("up -> ..") so that
// mirroring clients (lftp, wget -m) do not recurse through them; owners hidden, as vsftpd's hide_ids.

import type { Stats } from 'node:fs';
import { lsDate, lsHalfYearMs } from '../../net/unix-dates.ts';
import { shownName } from './names.ts';

export type ListedStats = Stats & { name: string; link?: string };

/**
 * "drwxr-xr-x    2 ftp      ftp          4096 Dec  2 09:05 pub": ls(1) and vsftpd show the time for
 * a file modified in the last six months, and the year ("Dec  2  2025") for an older one or one
 * dated in the future. The day is padded with a space as ls pads it (vsftpd writes "Dec 02").
 */
export function formatListLine(stats: ListedStats, now = Date.now()): string {
  const type = stats.link !== undefined ? 'l' : stats.isDirectory() ? 'd' : '-';
  const mode = stats.link !== undefined ? 'rwxrwxrwx' : permissions(stats.mode);
  // In whole seconds, as vsftpd compares them: a file written this second is not "in the future".
  const ageMs = (Math.floor(now / 1000) - Math.floor(stats.mtime.getTime() / 1000)) * 1000;
  const when = lsDate(stats.mtime, 'local', ageMs >= 0 && ageMs <= lsHalfYearMs);
  // A name (or link target) holding a CR or LF would split the line in two (names.ts).
  const name = stats.link !== undefined ? `${shownName(stats.name)} -> ${shownName(stats.link)}` : shownName(stats.name);
  return `${type}${mode} ${String(stats.nlink).padStart(4)} ftp      ftp      ${String(stats.size).padStart(12)} ${when} ${name}`;
}

function permissions(mode: number): string {
  const letters = 'rwxrwxrwx';
  return [...letters].map((letter, i) => (mode & (1 << (8 - i)) ? letter : '-')).join('');
}
