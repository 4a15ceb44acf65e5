// What finger says about an account beyond passwd: its last login (the binary lastlog file,
// one record per uid) and its mailbox (new mail, or when it was last read).

import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileVersion, type Freshness } from './cached-file.ts';
import { cString } from './utmp.ts';

export interface LastLogin {
  time: Date;
  line: string;
  host: string;
}

// <lastlog.h> on Linux: int32 ll_time, char ll_line[32], char ll_host[256]; record n is uid n.
const recordSize = 292;

/**
 * The lastlog file, with the records already read kept until the file changes (checked at most
 * once per `freshness.ms`): a login updates it a few times a day, fingerd reads it at every query.
 */
export class LastlogFile {
  private readonly records = new Map<number, Promise<LastLogin | undefined>>();
  private version = '';
  private checkedAt = -Infinity;

  private readonly file: string;
  private readonly freshness: Freshness;

  constructor(
    file: string,
    freshness: Freshness,
  ) {
    this.file = file;
    this.freshness = freshness;
  }

  async lastLogin(uid: number): Promise<LastLogin | undefined> {
    const now = this.freshness.clock();
    if (now - this.checkedAt >= this.freshness.ms) {
      this.checkedAt = now;
      const version = await fileVersion(this.file);
      if (version !== this.version) {
        this.version = version;
        this.records.clear();
      }
    }
    let record = this.records.get(uid);
    if (!record) {
      record = readLastLogin(this.file, uid);
      this.records.set(uid, record);
    }
    return record;
  }
}

/** The account's last login, or undefined when it never logged in (or there is no lastlog). */
async function readLastLogin(file: string, uid: number): Promise<LastLogin | undefined> {
  if (!Number.isInteger(uid) || uid < 0) return undefined;
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const record = Buffer.alloc(recordSize);
    const { bytesRead } = await handle.read(record, 0, recordSize, uid * recordSize);
    const seconds = bytesRead === recordSize ? record.readInt32LE(0) : 0;
    if (seconds <= 0) return undefined;
    return { time: new Date(seconds * 1000), line: cString(record, [4, 32]), host: cString(record, [36, 256]) };
  } finally {
    await handle.close();
  }
}

export type MailStatus =
  | { kind: 'none' }
  | { kind: 'unread'; received: Date; unreadSince: Date }
  | { kind: 'read'; lastRead: Date };

/** As BSD finger judges a mailbox: empty, or newer than its last reading, or read. */
export async function readMailStatus(mailDir: string, login: string): Promise<MailStatus> {
  if (login.includes('/') || login.startsWith('.')) return { kind: 'none' };
  const info = await stat(path.join(mailDir, login)).catch(() => undefined);
  if (!info?.isFile() || info.size === 0) return { kind: 'none' };
  return info.mtimeMs > info.atimeMs ? { kind: 'unread', received: info.mtime, unreadSince: info.atime } : { kind: 'read', lastRead: info.atime };
}
