// The response cache: every API answer the crawl receives, in SQLite, kept for a TTL.
// A second run reads from it instead of the network, and an interrupted crawl resumes from it.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Account, FollowingPage, SocialProvider } from './provider.ts';

export interface ResponseCache {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  close(): void;
}

export function openResponseCache(file: string, options: { ttlMs: number; now?: () => number }): ResponseCache {
  const now = options.now ?? Date.now;
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  // WAL: a reader (a second netlab) never blocks the crawl that is writing.
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, fetched_at INTEGER NOT NULL, body TEXT NOT NULL) WITHOUT ROWID');
  db.prepare('DELETE FROM responses WHERE fetched_at < ?').run(now() - options.ttlMs);
  const select = db.prepare<[string, number], { body: string }>('SELECT body FROM responses WHERE key = ? AND fetched_at >= ?');
  const upsert = db.prepare('INSERT OR REPLACE INTO responses (key, fetched_at, body) VALUES (?, ?, ?)');
  return {
    get<T>(key: string) {
      const row = select.get(key, now() - options.ttlMs);
      return row ? (JSON.parse(row.body) as T) : undefined;
    },
    set(key, value) {
      upsert.run(key, now(), JSON.stringify(value));
    },
    close() {
      if (db.open) db.close();
    },
  };
}

export interface CallCounts {
  /** Requests that went to the network. */
  calls: number;
  /** Answers read from the cache instead. */
  cached: number;
}

/**
 * The same provider, answering from the cache when it can. Each answer is stored the moment it
 * arrives, so a crawl stopped half-way repeats none of the calls it already made.
 */
export function withCache(provider: SocialProvider, cache: ResponseCache | undefined, counts: CallCounts): SocialProvider {
  const remember = async <T>(key: string, ask: () => Promise<T>): Promise<T> => {
    const fullKey = `${provider.source}|${key}`;
    const known = cache?.get<T>(fullKey);
    if (known !== undefined) {
      counts.cached++;
      return known;
    }
    counts.calls++;
    const answer = await ask();
    cache?.set(fullKey, answer);
    return answer;
  };
  return {
    ...provider,
    profile: (handle) => remember<Account>(`profile|${handle.toLowerCase()}`, () => provider.profile(handle)),
    following: (userId, cursor) => remember<FollowingPage>(`following|${userId}|${cursor ?? ''}`, () => provider.following(userId, cursor)),
    profiles: provider.profiles && ((ids) => remember<Account[]>(`profiles|${ids.join(',')}`, () => provider.profiles!(ids))),
  };
}
