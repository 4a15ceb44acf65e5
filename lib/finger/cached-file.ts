// Files fingerd reads at every query (passwd, utmp, lastlog, mailboxes, dot-files), reused for a
// short freshness window: a flood of queries then costs no system call, and an edit shows in time.

import { readFile, stat } from 'node:fs/promises';

/**
 * How long a read is trusted, measured on `clock` (milliseconds on a clock that never jumps, as
 * performance.now: a time-of-day change must not freeze or flush every cache). Tests pass a clock
 * they move by hand, so a window opens and closes exactly when they say.
 */
export interface Freshness {
  ms: number;
  clock: () => number;
}

export function freshFor(ms: number, clock: () => number = () => performance.now()): Freshness {
  return { ms, clock };
}

export class CachedFile<T> {
  private value: T;
  private version = '';
  private checkedAt = -Infinity;
  private pending?: Promise<T>;

  private readonly file: string;
  private readonly parse: (bytes: Buffer) => T;
  private readonly missing: T;
  private readonly freshness: Freshness;

  /** @param freshness how long a checked copy is trusted without asking the file system again. */
  constructor(
    file: string,
    parse: (bytes: Buffer) => T,
    missing: T,
    freshness: Freshness,
  ) {
    this.file = file;
    this.parse = parse;
    this.missing = missing;
    this.freshness = freshness;
    this.value = missing;
  }

  get(): Promise<T> {
    if (this.freshness.clock() - this.checkedAt < this.freshness.ms) return Promise.resolve(this.value);
    return (this.pending ??= this.refresh().finally(() => (this.pending = undefined)));
  }

  private async refresh(): Promise<T> {
    const version = await fileVersion(this.file);
    if (version !== this.version) {
      const bytes = version ? await readFile(this.file).catch(() => undefined) : undefined;
      this.value = bytes ? this.parse(bytes) : this.missing;
      this.version = bytes ? version : '';
    }
    this.checkedAt = this.freshness.clock();
    return this.value;
  }
}

/** Reads kept for `freshness.ms` by key (a path): within the window the same read is not repeated. */
export class FreshReads<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  private readonly freshness: Freshness;
  private readonly maxEntries: number;

  constructor(
    freshness: Freshness,
    maxEntries = 10_000,
  ) {
    this.freshness = freshness;
    this.maxEntries = maxEntries;
  }

  get(key: string, read: () => Promise<T>): Promise<T> {
    const now = this.freshness.clock();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.freshness.ms) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear(); // bounded, whatever is asked
    const value = read();
    this.entries.set(key, { at: now, value });
    return value;
  }
}

/** Changes whenever the file is replaced or written; '' when it does not exist. */
export async function fileVersion(file: string): Promise<string> {
  const info = await stat(file).catch(() => undefined);
  return info ? `${info.ino}:${info.size}:${info.mtimeMs}` : '';
}
