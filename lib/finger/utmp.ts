// Who is logged in, read from the binary login records (struct utmp, glibc on Linux) that
// `who` reads: 384-byte records, of which USER_PROCESS ones are sessions.

import { stat } from 'node:fs/promises';

export interface LoginSession {
  user: string;
  /** The terminal, relative to /dev ("pts/0", "tty1"). */
  line: string;
  /** Where the session came from (a host name or address), '' for a local console. */
  host: string;
  since: Date;
  pid: number;
}

// <utmp.h> on Linux (x86_64, aarch64 alike): the offsets and sizes of the fields we read.
const recordSize = 384;
const USER_PROCESS = 7;
const field = {
  type: 0,
  pid: 4,
  line: [8, 32],
  user: [44, 32],
  host: [76, 256],
  seconds: 340,
} as const;

/** The sessions in a utmp file's bytes (a truncated last record is ignored). */
export function parseUtmp(bytes: Buffer): LoginSession[] {
  const sessions: LoginSession[] = [];
  for (let offset = 0; offset + recordSize <= bytes.length; offset += recordSize) {
    const record = bytes.subarray(offset, offset + recordSize);
    if (record.readInt16LE(field.type) !== USER_PROCESS) continue;
    const user = cString(record, field.user);
    if (!user) continue;
    sessions.push({
      user,
      line: cString(record, field.line),
      host: cString(record, field.host),
      since: new Date(record.readInt32LE(field.seconds) * 1000),
      pid: record.readInt32LE(field.pid),
    });
  }
  return sessions;
}

/** Seconds since the terminal was last used (its access time), as finger's IDLE column. */
export async function idleSeconds(session: LoginSession, now = Date.now()): Promise<number | undefined> {
  if (!/^[A-Za-z0-9/_.-]+$/.test(session.line) || session.line.includes('..')) return undefined;
  const info = await stat(`/dev/${session.line}`).catch(() => undefined);
  return info ? Math.max(0, Math.floor((now - info.atimeMs) / 1000)) : undefined;
}

/** A fixed-size NUL-padded field as text (not NUL-terminated when it fills the field). */
export function cString(record: Buffer, [start, length]: readonly [number, number]): string {
  const raw = record.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}
