// The ego graph: the user, the accounts they follow (capped, biggest first or as listed), and
// which of those follow which — with the fewest API calls, each answer cached as it arrives.

import { DirectedGraph } from 'graphology';
import type { Logger } from 'pino';
import { markMutualEdges } from '../graph/random.ts';
import type { SocialGraph } from '../graph/types.ts';
import { NetlabError } from '../errors.ts';
import { silentLog } from '../services/log.ts';
import { withCache, type CallCounts, type ResponseCache } from './cache.ts';
import { normalizeHandle, type Account, type SocialProvider } from './provider.ts';
import { interrupted } from './wait.ts';

/** Where the crawl stands; rate-limit waits come from the provider's onWait hook (the script shows both on one bar). */
export interface CrawlProgress {
  /** 'their-follows': reading the follow list of each followed account (the X API's "friends" of each). */
  phase: 'profile' | 'following' | 'counts' | 'their-follows' | 'done';
  /** Accounts whose follow list has been read (the user counts as one). */
  accountsDone: number;
  accountsTotal: number;
  /** Requests sent to the network so far, and answers taken from the cache. */
  calls: number;
  cached: number;
}

export interface CrawlOptions {
  provider: SocialProvider;
  cache?: ResponseCache;
  /** How many followed accounts to keep. */
  max: number;
  /** followers: the most-followed first; listed: the order the API gives (newest follows first on X). */
  order: 'followers' | 'listed';
  onProgress?(progress: CrawlProgress): void;
  signal?: AbortSignal;
  log?: Logger;
}

export interface CrawlResult {
  graph: SocialGraph;
  ego: Account;
  /** How many accounts the user follows in all, before --max. */
  followingTotal: number;
  /** Accounts whose follow list the network no longer has (deleted, suspended). */
  unreadable: string[];
  calls: number;
  cached: number;
}

export async function crawlEgoGraph(handle: string, options: CrawlOptions): Promise<CrawlResult> {
  const log = options.log ?? silentLog;
  const counts: CallCounts = { calls: 0, cached: 0 };
  const provider = withCache(options.provider, options.cache, counts);
  let phase: CrawlProgress['phase'] = 'profile';
  let accountsDone = 0;
  let accountsTotal = 1;
  const report = () => options.onProgress?.({ phase, accountsDone, accountsTotal, ...counts });
  const checkAbort = () => {
    if (options.signal?.aborted) throw interrupted();
  };

  /** Every page of one follow list: one call per page, which is the least any API allows. */
  const followList = async (userId: string): Promise<Account[]> => {
    const accounts: Account[] = [];
    let cursor: string | undefined;
    do {
      checkAbort();
      const page = await provider.following(userId, cursor);
      accounts.push(...page.accounts);
      cursor = page.next;
      report();
    } while (cursor);
    return accounts;
  };

  report();
  const ego = await provider.profile(normalizeHandle(handle));
  phase = 'following';
  report();
  const followed = await followList(ego.id);
  accountsDone = 1;
  log.info({ provider: provider.name, handle: ego.handle, following: followed.length }, 'follow list read');

  // Bluesky lists follows without their counts: fetch those first only when the order needs them.
  phase = 'counts';
  let kept = options.order === 'followers' ? sortByFollowers(await withCounts(provider, followed, checkAbort, report)) : followed;
  kept = kept.slice(0, options.max);
  if (options.order === 'listed') kept = await withCounts(provider, kept, checkAbort, report);
  accountsTotal = kept.length + 1;

  const graph: SocialGraph = new DirectedGraph();
  graph.replaceAttributes({ provider: provider.name, ego: ego.id, handle: ego.handle });
  for (const account of [ego, ...kept]) graph.mergeNode(account.id, nodeAttributes(account, provider.name));
  for (const account of kept) follow(graph, ego.id, account.id);

  phase = 'their-follows';
  const unreadable: string[] = [];
  for (const account of kept) {
    for (const target of await followList(account.id).catch((error: unknown) => {
      // An account deleted or suspended since the user followed it: keep it, without its follows.
      if (!(error instanceof NetlabError && error.code === 'E_NOT_FOUND')) throw error;
      unreadable.push(account.handle);
      log.warn({ provider: provider.name, handle: account.handle }, 'follow list not found');
      return [];
    })) {
      if (target.id !== account.id && graph.hasNode(target.id)) follow(graph, account.id, target.id);
    }
    accountsDone++;
    report();
  }
  // Mutual pairs, the lab's "friends": both follow each other (the API's friends are one-way follows).
  markMutualEdges(graph);

  phase = 'done';
  report();
  log.info({ provider: provider.name, handle: ego.handle, nodes: graph.order, edges: graph.size, ...counts }, 'ego graph built');
  return { graph, ego, followingTotal: followed.length, unreadable, ...counts };
}

/** Edge keys name the pair, so the same crawl always exports the same file. */
function follow(graph: SocialGraph, source: string, target: string): void {
  graph.mergeEdgeWithKey(`${source}->${target}`, source, target, { mutual: false });
}

/** Fills in missing counts with batched profile lookups (25 per call on Bluesky). */
async function withCounts(provider: SocialProvider, accounts: Account[], checkAbort: () => void, report: () => void): Promise<Account[]> {
  const missing = accounts.filter((account) => account.followers === undefined);
  if (!provider.profiles || missing.length === 0) return accounts;
  const full = new Map<string, Account>();
  const batch = provider.profilesBatch ?? 25;
  for (let i = 0; i < missing.length; i += batch) {
    checkAbort();
    for (const account of await provider.profiles(missing.slice(i, i + batch).map((a) => a.id))) full.set(account.id, account);
    report();
  }
  return accounts.map((account) => full.get(account.id) ?? account);
}

/** Most-followed first; equal counts keep the order the API listed them in. */
function sortByFollowers(accounts: Account[]): Account[] {
  return accounts.map((account, index) => ({ account, index }))
    .sort((a, b) => (b.account.followers ?? 0) - (a.account.followers ?? 0) || a.index - b.index)
    .map(({ account }) => account);
}

function nodeAttributes(account: Account, provider: string) {
  return {
    handle: account.handle,
    name: account.name,
    followers: account.followers ?? 0,
    following: account.following ?? 0,
    posts: account.posts ?? 0,
    created: account.created ?? '',
    providerId: account.id,
    provider,
  };
}
