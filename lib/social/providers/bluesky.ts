// The Bluesky provider: public AppView reads over XRPC with no account (getProfile, getFollows,
// getProfiles), and posting through your PDS with an app password (createSession + createRecord).

import { NetlabError } from '../../errors.ts';
import { socketError } from '../../net/errors.ts';
import { credentialVariables as names, type SocialCredentials } from '../credentials.ts';
import { networkFailure, type Account, type PostResult, type ProviderHooks, type SocialProvider } from '../provider.ts';
import { interrupted, waitForRateLimit } from '../wait.ts';

export interface BlueskyProviderOptions extends ProviderHooks {
  credentials: SocialCredentials['bluesky'];
  /** The AppView for reads: https://public.api.bsky.app. */
  apiBase: string;
  /** The PDS that holds the account, for posting: https://bsky.social. */
  pdsBase: string;
  timeoutMs: number;
  maxWaitSeconds: number;
}

/** app.bsky.actor.defs#profileView(Detailed): counts only in the detailed view. */
interface ProfileView {
  did: string;
  handle: string;
  displayName?: string;
  description?: string;
  followersCount?: number;
  followsCount?: number;
  postsCount?: number;
  createdAt?: string;
}

/** Bluesky's post limit (app.bsky.feed.post: maxGraphemes 300). */
const maxGraphemes = 300;

export function createBlueskyProvider(options: BlueskyProviderOptions): SocialProvider {
  const apiBase = options.apiBase.replace(/\/+$/, '');
  const pdsBase = options.pdsBase.replace(/\/+$/, '');

  /** One XRPC call; a 429 waits for ratelimit-reset and asks again. */
  async function xrpc<T>(base: string, nsid: string, request: { query?: URLSearchParams; body?: unknown; token?: string }): Promise<T> {
    const url = `${base}/xrpc/${nsid}${request.query?.size ? `?${request.query}` : ''}`;
    const method = request.body === undefined ? 'GET' : 'POST';
    for (let refusals = 0; ; ) {
      if (options.signal?.aborted) throw interrupted();
      const started = performance.now();
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            accept: 'application/json',
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
          },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        throw fetchError(error, url, options);
      }
      options.onRequest?.({ provider: 'bluesky', method, url, status: response.status, ms: performance.now() - started });
      if (response.status === 429) {
        await response.body?.cancel();
        // ratelimit-reset is in epoch seconds (the IETF draft's header names, epoch values).
        const reset = Number(response.headers.get('ratelimit-reset') ?? Number.NaN);
        await waitForRateLimit({ provider: 'bluesky', resetEpochSeconds: reset, maxWaitSeconds: options.maxWaitSeconds, refusals: ++refusals }, options);
        continue;
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        throw new NetlabError('E_PROTOCOL', `${nsid} answered ${response.status} with something that is not JSON`, { hint: `is ${base} an XRPC service?` });
      }
      if (!response.ok) throw explainXrpcError(nsid, response.status, body as { error?: string; message?: string });
      return body as T;
    }
  }

  const read = <T>(nsid: string, query: URLSearchParams) => xrpc<T>(apiBase, nsid, { query });

  return {
    name: 'bluesky',
    source: `bluesky ${apiBase}`,
    profilesBatch: 25,
    async profile(handle) {
      return toAccount(await read<ProfileView>('app.bsky.actor.getProfile', new URLSearchParams({ actor: handle })));
    },
    async following(userId, cursor) {
      const query = new URLSearchParams({ actor: userId, limit: '100' });
      if (cursor) query.set('cursor', cursor);
      const answer = await read<{ follows: ProfileView[]; cursor?: string }>('app.bsky.graph.getFollows', query);
      // The AppView may hand back a cursor with an empty last page; an empty page ends the list.
      return { accounts: answer.follows.map(toAccount), next: answer.follows.length > 0 ? answer.cursor : undefined };
    },
    async profiles(ids) {
      const query = new URLSearchParams(ids.map((id) => ['actors', id]));
      return (await read<{ profiles: ProfileView[] }>('app.bsky.actor.getProfiles', query)).profiles.map(toAccount);
    },
    async latestPost(userId) {
      const query = new URLSearchParams({ actor: userId, limit: '10', filter: 'posts_no_replies' });
      const answer = await read<{ feed: { post: { uri: string; record: { text?: string; createdAt?: string } }; reason?: unknown }[] }>('app.bsky.feed.getAuthorFeed', query);
      // A repost shows up with a `reason`: it is someone else's words, not this account's status.
      const own = answer.feed.find((item) => !item.reason);
      return own && { text: own.post.record.text ?? '', created: own.post.record.createdAt, id: own.post.uri };
    },
    async post(text): Promise<PostResult> {
      const { identifier, appPassword } = options.credentials;
      if (!identifier || !appPassword) {
        throw new NetlabError('E_AUTH', 'posting on Bluesky needs your handle and an app password', {
          hint: `set ${names.blueskyIdentifier} and ${names.blueskyAppPassword} (Settings → Privacy and security → App passwords) in the environment or .env`,
        });
      }
      const graphemes = [...new Intl.Segmenter().segment(text)].length;
      if (graphemes > maxGraphemes) {
        throw new NetlabError('E_INPUT', `the post is ${graphemes} characters long; Bluesky takes at most ${maxGraphemes}`);
      }
      const session = await xrpc<{ accessJwt: string; did: string; handle: string }>(pdsBase, 'com.atproto.server.createSession', {
        body: { identifier, password: appPassword.reveal() },
      });
      const record = { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() };
      const created = await xrpc<{ uri: string; cid: string }>(pdsBase, 'com.atproto.repo.createRecord', {
        body: { repo: session.did, collection: 'app.bsky.feed.post', record },
        token: session.accessJwt,
      });
      const recordKey = created.uri.split('/').pop();
      return { id: created.uri, url: `https://bsky.app/profile/${session.handle}/post/${recordKey}` };
    },
  };
}

function toAccount(view: ProfileView): Account {
  return {
    id: view.did,
    handle: view.handle,
    name: view.displayName || view.handle,
    description: view.description,
    followers: view.followersCount,
    following: view.followsCount,
    posts: view.postsCount,
    created: view.createdAt,
  };
}

/** XRPC errors are {"error": "Name", "message": "…"} with an HTTP status. */
function explainXrpcError(nsid: string, status: number, body: { error?: string; message?: string }): NetlabError {
  const said = [body.error, body.message].filter(Boolean).join(': ') || `HTTP ${status}`;
  const details = { status, error: body.error };
  if (status === 400 && /not found|could not find|unable to resolve/i.test(body.message ?? '')) {
    return new NetlabError('E_NOT_FOUND', `Bluesky: ${body.message}`, { details, hint: 'give the full handle (alice.bsky.social) or a did:plc:… identifier' });
  }
  if (status === 401 || body.error === 'AuthenticationRequired' || body.error === 'AuthFactorTokenRequired') {
    return new NetlabError('E_AUTH', `Bluesky refused the login (${said})`, {
      details,
      hint: `check ${names.blueskyIdentifier} and ${names.blueskyAppPassword}: use an app password, not the account password`,
    });
  }
  return new NetlabError('E_REMOTE', `Bluesky ${nsid} answered ${status} (${said})`, { details, hint: 'try again later; --trace shows the request' });
}

function fetchError(error: unknown, url: string, hooks: ProviderHooks): NetlabError {
  if (hooks.signal?.aborted) return interrupted();
  const { hostname, port, protocol } = new URL(url);
  const cause = (error as { cause?: unknown }).cause ?? error;
  if ((error as Error).name === 'TimeoutError') {
    return networkFailure(new NetlabError('E_TIMEOUT', `no answer from ${hostname} in time`, { hint: 'check your connection, or raise social.timeoutSeconds' }));
  }
  return networkFailure(socketError(cause, { host: hostname, port: Number(port) || (protocol === 'https:' ? 443 : 80), operation: 'connect' }));
}
