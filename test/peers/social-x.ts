// A local server that speaks the X API v2 wire format (user lookup, following with
// pagination_token, POST /2/tweets) over a given network, checking bearer and OAuth 1.0a auth.

import { createHmac } from 'node:crypto';
import type { FixtureAccount } from '../../lib/social/fixture/generate.ts';
import { resetIn, startWireServer, type RecordedRequest, type Reply, type WireServer } from './social-http.ts';

export interface XKeys {
  bearerToken: string;
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

export interface LocalXOptions {
  accounts: FixtureAccount[];
  keys: XKeys;
  /** The most users one following page holds (X allows up to 1000). */
  pageSize?: number;
  /** Answer following and user timelines with X's 403 for an app whose tier cannot read them (Free). */
  tierForbidden?: boolean;
}

export interface LocalX extends WireServer {
  posts: string[];
}

/** The bodies X sends, copied from real answers. */
export const xBodies = {
  unauthorized: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
  clientForbidden: {
    client_id: '12345678',
    detail: 'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.',
    registration_url: 'https://developer.twitter.com/en/docs/projects/overview',
    title: 'Client Forbidden',
    required_enrollment: 'Appropriate Level of API Access',
    reason: 'client-not-enrolled',
    type: 'https://api.twitter.com/2/problems/client-forbidden',
  },
  tooManyRequests: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
};

export function rateLimitHeaders(remaining: number, reset = resetIn(900)): Record<string, string> {
  return { 'x-rate-limit-limit': '15', 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String(reset) };
}

export async function startLocalX(options: LocalXOptions): Promise<LocalX> {
  const byId = new Map(options.accounts.map((a) => [a.id, a]));
  const byHandle = new Map(options.accounts.map((a) => [a.handle.toLowerCase(), a]));
  const pageSize = options.pageSize ?? 1000;
  const posts: string[] = [];
  let url = '';

  const handle = (request: RecordedRequest): Reply => {
    const ok = (body: unknown, status = 200): Reply => ({ status, body, headers: rateLimitHeaders(14) });
    if (request.method === 'POST' && request.path === '/2/tweets') {
      if (!validOAuth1(request, `${url}/2/tweets`, options.keys)) return { status: 401, body: xBodies.unauthorized };
      const text = (JSON.parse(request.body) as { text: string }).text;
      posts.push(text);
      const id = String(1_900_000_000_000_000_000n + BigInt(posts.length));
      return ok({ data: { id, text, edit_history_tweet_ids: [id] } }, 201);
    }
    if (request.headers.authorization !== `Bearer ${options.keys.bearerToken}`) return { status: 401, body: xBodies.unauthorized };
    let match = /^\/2\/users\/by\/username\/([^/]+)$/.exec(request.path);
    if (match) {
      const user = byHandle.get(decodeURIComponent(match[1]).toLowerCase());
      if (!user) {
        return ok({ errors: [{ value: match[1], detail: `Could not find user with username: [${match[1]}].`, title: 'Not Found Error', resource_type: 'user', parameter: 'username', resource_id: match[1], type: 'https://api.twitter.com/2/problems/resource-not-found' }] });
      }
      return ok({ data: toUser(user, request) });
    }
    match = /^\/2\/users\/([0-9]+)\/following$/.exec(request.path);
    if (match) {
      if (options.tierForbidden) return { status: 403, body: xBodies.clientForbidden };
      const max = Number(request.query.get('max_results') ?? 100);
      if (!(max >= 1 && max <= 1000)) return { status: 400, body: { errors: [{ message: 'The `max_results` query parameter value is not between 1 and 1000' }], title: 'Invalid Request', type: 'https://api.twitter.com/2/problems/invalid-request' } };
      const follows = byId.get(match[1])?.follows ?? [];
      const start = Number(request.query.get('pagination_token') ?? 0);
      const page = follows.slice(start, start + Math.min(max, pageSize));
      const next = start + page.length < follows.length ? String(start + page.length) : undefined;
      return ok({ data: page.map((id) => toUser(byId.get(id)!, request)), meta: { result_count: page.length, ...(next ? { next_token: next } : {}) } });
    }
    match = /^\/2\/users\/([0-9]+)\/tweets$/.exec(request.path);
    if (match) {
      if (options.tierForbidden) return { status: 403, body: xBodies.clientForbidden };
      const status = byId.get(match[1])?.status;
      if (!status) return ok({ meta: { result_count: 0 } });
      const id = String(1_800_000_000_000_000_000n + BigInt(match[1]));
      const fields = new Set((request.query.get('tweet.fields') ?? '').split(','));
      const tweet = { id, text: status.text, edit_history_tweet_ids: [id], ...(fields.has('created_at') ? { created_at: status.created } : {}) };
      return ok({ data: [tweet], meta: { result_count: 1, newest_id: id, oldest_id: id } });
    }
    return { status: 404, body: { title: 'Not Found', detail: `no route ${request.path}` } };
  };

  const server = await startWireServer(handle);
  url = server.url;
  return { ...server, posts };
}

/** Only the fields asked for in user.fields, as X does. */
function toUser(account: FixtureAccount, request: RecordedRequest) {
  const fields = new Set((request.query.get('user.fields') ?? '').split(','));
  return {
    id: account.id,
    name: account.name,
    username: account.handle,
    ...(fields.has('created_at') ? { created_at: account.created } : {}),
    ...(fields.has('description') ? { description: account.description } : {}),
    ...(fields.has('public_metrics') ? { public_metrics: { followers_count: account.followers, following_count: account.following, tweet_count: account.posts, listed_count: 0, like_count: 0 } } : {}),
  };
}

/** RFC 5849 §3.4: recompute the HMAC-SHA1 signature from the request and the keys we expect. */
function validOAuth1(request: RecordedRequest, baseUrl: string, keys: XKeys): boolean {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('OAuth ')) return false;
  const oauth = Object.fromEntries([...header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)].map(([, k, v]) => [k, decodeURIComponent(v)]));
  if (oauth.oauth_consumer_key !== keys.appKey || oauth.oauth_token !== keys.accessToken) return false;
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  // §3.4.1.3: oauth_* parameters and the query; a JSON body is not signed.
  const params = [...Object.entries(oauth).filter(([k]) => k !== 'oauth_signature'), ...request.query.entries()]
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [request.method, encode(baseUrl), encode(params)].join('&');
  const expected = createHmac('sha1', `${encode(keys.appSecret)}&${encode(keys.accessSecret)}`).update(base).digest('base64');
  return expected === oauth.oauth_signature;
}
