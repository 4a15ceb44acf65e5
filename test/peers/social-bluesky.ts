// A local server that speaks Bluesky's XRPC wire format: the AppView reads (getProfile,
// getFollows with cursor, getProfiles) and the PDS calls for posting (createSession, createRecord).

import type { FixtureAccount } from '../../lib/social/fixture/generate.ts';
import { startWireServer, type RecordedRequest, type Reply, type WireServer } from './social-http.ts';

export interface LocalBlueskyOptions {
  accounts: FixtureAccount[];
  /** The most follows one getFollows page holds (the AppView allows limit ≤ 100). */
  pageSize?: number;
  login: { identifier: string; appPassword: string };
}

export interface LocalBluesky extends WireServer {
  posts: { repo: string; text: string }[];
}

export const didOf = (account: FixtureAccount) => `did:plc:${account.id}`;
export const bskyHandleOf = (account: FixtureAccount) => `${account.handle.toLowerCase()}.bsky.social`;

export async function startLocalBluesky(options: LocalBlueskyOptions): Promise<LocalBluesky> {
  const byKey = new Map<string, FixtureAccount>();
  for (const account of options.accounts) byKey.set(didOf(account), account).set(bskyHandleOf(account), account);
  const byId = new Map(options.accounts.map((a) => [a.id, a]));
  const pageSize = options.pageSize ?? 100;
  const posts: LocalBluesky['posts'] = [];
  const session = { accessJwt: 'access.jwt.local', did: 'did:plc:poster', handle: options.login.identifier };
  const invalid = (message: string): Reply => ({ status: 400, body: { error: 'InvalidRequest', message } });

  const handle = (request: RecordedRequest): Reply => {
    const nsid = request.path.replace(/^\/xrpc\//, '');
    const actor = (key: string | null) => (key ? byKey.get(key.toLowerCase()) ?? byKey.get(key) : undefined);
    switch (nsid) {
      case 'app.bsky.actor.getProfile': {
        const account = actor(request.query.get('actor'));
        return account ? { status: 200, body: detailed(account) } : invalid('Profile not found');
      }
      case 'app.bsky.actor.getProfiles': {
        const actors = request.query.getAll('actors');
        if (actors.length > 25) return invalid('actors must not have more than 25 elements');
        return { status: 200, body: { profiles: actors.map(actor).filter(Boolean).map((a) => detailed(a!)) } };
      }
      case 'app.bsky.graph.getFollows': {
        const account = actor(request.query.get('actor'));
        if (!account) return invalid('Profile not found');
        const limit = Number(request.query.get('limit') ?? 50);
        if (!(limit >= 1 && limit <= 100)) return invalid('limit must be between 1 and 100');
        const start = Number(request.query.get('cursor') ?? 0);
        const page = account.follows.slice(start, start + Math.min(limit, pageSize));
        const next = start + page.length < account.follows.length ? String(start + page.length) : undefined;
        return { status: 200, body: { subject: basic(account), follows: page.map((id) => basic(byId.get(id)!)), ...(next ? { cursor: next } : {}) } };
      }
      case 'app.bsky.feed.getAuthorFeed': {
        const account = actor(request.query.get('actor'));
        if (!account) return invalid('Profile not found');
        const post = { uri: `at://${didOf(account)}/app.bsky.feed.post/3kstatus`, cid: 'bafyreistatus', author: basic(account), record: { $type: 'app.bsky.feed.post', text: account.status.text, createdAt: account.status.created }, indexedAt: account.status.created };
        return { status: 200, body: { feed: [{ post }] } };
      }
      case 'com.atproto.server.createSession': {
        const { identifier, password } = JSON.parse(request.body) as { identifier: string; password: string };
        if (identifier !== options.login.identifier || password !== options.login.appPassword) {
          return { status: 401, body: { error: 'AuthenticationRequired', message: 'Invalid identifier or password' } };
        }
        return { status: 200, body: { ...session, refreshJwt: 'refresh.jwt.local', active: true } };
      }
      case 'com.atproto.repo.createRecord': {
        if (request.headers.authorization !== `Bearer ${session.accessJwt}`) return { status: 401, body: { error: 'AuthenticationRequired', message: 'Authentication Required' } };
        const { repo, record } = JSON.parse(request.body) as { repo: string; record: { text: string } };
        posts.push({ repo, text: record.text });
        return { status: 200, body: { uri: `at://${repo}/app.bsky.feed.post/3l${posts.length}abc`, cid: 'bafyreilocal' } };
      }
      default:
        return { status: 501, body: { error: 'MethodNotImplemented', message: 'Method Not Implemented' } };
    }
  };
  return { ...(await startWireServer(handle)), posts };
}

/** app.bsky.actor.defs#profileView: what getFollows lists (no counts). */
function basic(account: FixtureAccount) {
  return { did: didOf(account), handle: bskyHandleOf(account), displayName: account.name, description: account.description, createdAt: account.created, indexedAt: account.created, labels: [] };
}

/** app.bsky.actor.defs#profileViewDetailed: getProfile and getProfiles, with counts. */
function detailed(account: FixtureAccount) {
  return { ...basic(account), followersCount: account.followers, followsCount: account.following, postsCount: account.posts };
}
