// The social-graph settings in netlab.config.ts (the `social` section).
// Owned by the social lab; lib/config merges it into the whole configuration.

export type ProviderName = 'x' | 'bluesky' | 'fixture';

export interface SocialConfig {
  /** Which network to ask when --provider is not given: auto = x with an X bearer token, else fixture. */
  provider: ProviderName | 'auto';
  /** X API v2 origin (NETLAB_X_API_BASE): a mirror or a local test server instead of api.x.com. */
  xApiBase: string;
  /** Bluesky AppView for public reads, no account needed (NETLAB_BSKY_API_BASE). */
  blueskyApiBase: string;
  /** Bluesky PDS that holds your account, for posting with an app password. */
  blueskyPdsBase: string;
  /** The offline network; a relative path starts at the netlab checkout. */
  fixtureFile: string;
  /** Response cache (SQLite), relative to dataDir. */
  cacheFile: string;
  /** How long a cached response stays valid. */
  cacheTtlHours: number;
  /** Default --max: how many followed accounts the ego graph keeps. */
  maxAccounts: number;
  /** Default --order: keep the most-followed accounts first, or the order the API lists them. */
  order: 'followers' | 'listed';
  /** A rate-limit wait longer than this fails (and the next run resumes from the cache). */
  maxWaitSeconds: number;
  /** Per HTTP request. */
  timeoutSeconds: number;
}

export const socialDefaults: SocialConfig = {
  provider: 'auto',
  xApiBase: 'https://api.x.com',
  blueskyApiBase: 'https://public.api.bsky.app',
  blueskyPdsBase: 'https://bsky.social',
  fixtureFile: 'data/fixtures/social/network.json',
  cacheFile: 'social-cache.db',
  cacheTtlHours: 24,
  maxAccounts: 200,
  order: 'followers',
  maxWaitSeconds: 960,
  timeoutSeconds: 30,
};
