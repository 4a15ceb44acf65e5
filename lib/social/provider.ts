// The one interface every social network speaks to the crawl: a profile, one page of the
// accounts someone follows, and posting where the network allows it.

import { NetlabError } from '../errors.ts';
import type { ProviderName } from './config.ts';

/** An account as the graph needs it; counts are missing where a network lists accounts without them. */
export interface Account {
  /** The network's stable id: an X user id, a Bluesky DID, a fixture id. */
  id: string;
  handle: string;
  name: string;
  description?: string;
  followers?: number;
  following?: number;
  posts?: number;
  /** ISO 8601. */
  created?: string;
}

/** The lab's "status": the account's latest post. */
export interface LatestPost {
  text: string;
  /** ISO 8601. */
  created?: string;
  id?: string;
}

export interface FollowingPage {
  accounts: Account[];
  /** The cursor of the next page; absent on the last one. */
  next?: string;
}

export interface PostResult {
  id: string;
  url?: string;
}

/** One HTTP exchange, for --trace and the log: never headers, never bodies. */
export interface RequestEvent {
  provider: ProviderName;
  method: string;
  url: string;
  status: number;
  ms: number;
}

/** A rate-limit wait, reported once a second so that a script can show a countdown. */
export interface WaitEvent {
  provider: ProviderName;
  secondsLeft: number;
  until: Date;
}

export interface ProviderHooks {
  onRequest?(event: RequestEvent): void;
  onWait?(event: WaitEvent): void;
  signal?: AbortSignal;
}

export interface SocialProvider {
  readonly name: ProviderName;
  /** Where the answers come from (provider and base URL): the cache keeps sources apart. */
  readonly source: string;
  profile(handle: string): Promise<Account>;
  /** One page of the accounts `userId` follows (one API call). */
  following(userId: string, cursor?: string): Promise<FollowingPage>;
  /** Full profiles for accounts a following page listed without counts (Bluesky), in batches. */
  profiles?(ids: string[]): Promise<Account[]>;
  /** The most ids one profiles() call takes. */
  readonly profilesBatch?: number;
  /** The latest post (not a reply, not a repost): one more call, so only `social user` asks. */
  latestPost?(userId: string): Promise<LatestPost | undefined>;
  /** Absent where the network (or the fixture) does not take posts. */
  post?(text: string): Promise<PostResult>;
}

/** "@alice", "alice", "https://x.com/alice" → "alice" (a handle never carries its decorations). */
export function normalizeHandle(handle: string): string {
  return handle.trim().replace(/^https?:\/\/[^/]+\/(?:profile\/)?/, '').replace(/^@/, '').replace(/\/+$/, '');
}

/** A network failure, with the way out for a classroom without Internet access. */
export function networkFailure(error: NetlabError): NetlabError {
  const hint = [error.hint, 'without network access, --provider fixture works offline'].filter(Boolean).join('; ');
  return new NetlabError(error.code, error.message, { hint, cause: error.cause, details: error.details });
}
