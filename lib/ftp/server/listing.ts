// LIST lines as `ls -l` and vsftpd write them, symbolic links shown as links ("up -> ..") so that
// mirroring clients (lftp, wget -m) do not recurse through them; owners hidden, as vsftpd's hide_ids.

import type { Stats } from 'node:fs';

export type ListedStats = Stats & { name: string; link?: string };

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const halfYearMs = 182 * 24 * 3600 * 1000;

/** "drwxr-xr-x    2 ftp      ftp          4096 Nov 24 18:49 pub" (ls(1): recent files show the time, older ones the year). */
export function formatListLine(stats: ListedStats, now = Date.now()): string {
  const type = stats.link !== undefined ? 'l' : stats.isDirectory() ? 'd' : '-';
  const mode = stats.link !== undefined ? 'rwxrwxrwx' : permissions(stats.mode);
  const date = stats.mtime;
  const recent = Math.abs(now - date.getTime()) < halfYearMs;
  const when = `${months[date.getMonth()]} ${String(date.getDate()).padStart(2)} ${recent ? `${pad(date.getHours())}:${pad(date.getMinutes())}` : ` ${date.getFullYear()}`}`;
  const name = stats.link !== undefined ? `${stats.name} -> ${stats.link}` : stats.name;
  return `${type}${mode} ${String(stats.nlink).padStart(4)} ftp      ftp      ${String(stats.size).padStart(12)} ${when} ${name}`;
}

function permissions(mode: number): string {
  const letters = 'rwxrwxrwx';
  return [...letters].map((letter, i) => (mode & (1 << (8 - i)) ? letter : '-')).join('');
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
