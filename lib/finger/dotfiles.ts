// A user's ~/.plan, ~/.project and ~/.pgpkey, read the way a careful fingerd must: only regular
// files the user owns and lets everyone read, never through a symbolic link, never too much.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { PasswdEntry } from './passwd.ts';

export type DotFile = '.plan' | '.project' | '.pgpkey';

/**
 * The file's text, or undefined when it is missing or not safe to show. The daemon may run as
 * root: without these checks a ~/.plan linked to /etc/shadow would be served to anyone.
 */
export async function readDotFile(user: PasswdEntry, name: DotFile, maxBytes: number): Promise<string | undefined> {
  if (!path.isAbsolute(user.home)) return undefined;
  // O_NONBLOCK: a FIFO named .plan must not hang the answer; RFC 1288 §3.2.5 warns against
  // letting users run programs through finger, and a FIFO is how that is done. Refused below.
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const file = await open(path.join(user.home, name), flags).catch(() => undefined);
  if (!file) return undefined;
  try {
    const info = await file.stat();
    const worldReadable = (info.mode & 0o004) !== 0;
    if (!info.isFile() || info.uid !== user.uid || !worldReadable) return undefined;
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}
