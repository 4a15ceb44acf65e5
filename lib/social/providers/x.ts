// The X API v2 provider, through twitter-api-v2: user lookup, one page of follows, posting.
// Reads use the app's bearer token; posting uses OAuth 1.0a user keys. No secret is ever printed.

import http from 'node:http';
import { TwitterApiRateLimitPlugin } from '@twitter-api-v2/plugin-rate-limit';
import { ApiRequestError, ApiResponseError, TwitterApi, type ITwitterApiClientPlugin, type TwitterApiReadOnly, type UserV2 } from 'twitter-api-v2';
import { NetlabError } from '../../errors.ts';
import { socketError } from '../../net/errors.ts';
import { credentialVariables as names, hasXUserKeys, type SocialCredentials } from '../credentials.ts';
import { networkFailure, type Account, type FollowingPage, type PostResult, type ProviderHooks, type SocialProvider } from '../provider.ts';
import { interrupted, waitForRateLimit } from '../wait.ts';

/** The origin twitter-api-v2 has built in (it has no option to change it). */
const libraryOrigin = 'https://api.x.com';
/** What a call does, for explaining a 403 in the right words. */
type Operation = 'read' | 'follows' | 'posts' | 'post';
const userFields: (keyof UserV2)[] = ['created_at', 'description', 'public_metrics'];

export interface XProviderOptions extends ProviderHooks {
  credentials: SocialCredentials['x'];
  /** https://api.x.com, a mirror, or http://127.0.0.1:PORT in tests. */
  apiBase: string;
  timeoutMs: number;
  maxWaitSeconds: number;
}

export function createXProvider(options: XProviderOptions): SocialProvider {
  const apiBase = options.apiBase.replace(/\/+$/, '');
  const rateLimits = new TwitterApiRateLimitPlugin();
  const plugins = [redirectTo(apiBase, options), rateLimits];
  // twitter-api-v2 always calls https.request: a plain-http base needs an http.Agent to be accepted.
  const httpAgent = apiBase.startsWith('http:') ? new http.Agent({ keepAlive: true }) : undefined;
  // Clients are made on first use, so that reading needs no posting keys and posting no bearer token.
  let readClient: TwitterApiReadOnly['v2'] | undefined;
  let writeClient: TwitterApi['v2'] | undefined;
  const reader = () => {
    if (!options.credentials.bearerToken) {
      throw new NetlabError('E_AUTH', 'no X bearer token configured', {
        hint: `set ${names.xBearerToken} in the environment or in .env (developer portal → your app → Keys and tokens), or use --provider bluesky|fixture`,
      });
    }
    return (readClient ??= new TwitterApi(options.credentials.bearerToken.reveal(), { plugins, httpAgent }).readOnly.v2);
  };
  const writer = () => {
    const keys = options.credentials;
    if (!hasXUserKeys(keys)) {
      throw new NetlabError('E_AUTH', 'posting on X needs OAuth 1.0a user keys', {
        hint: `set ${names.xAppKey}, ${names.xAppSecret}, ${names.xAccessToken} and ${names.xAccessSecret} (app permissions "Read and write") in the environment or .env`,
      });
    }
    const token = { appKey: keys.appKey!.reveal(), appSecret: keys.appSecret!.reveal(), accessToken: keys.accessToken!.reveal(), accessSecret: keys.accessSecret!.reveal() };
    return (writeClient ??= new TwitterApi(token, { plugins, httpAgent }).v2);
  };

  /** One call, waiting out the rate limit before (when the last answer said 0 left) and after a 429. */
  async function call<T>(endpoint: string, method: string, operation: Operation, send: () => Promise<T>): Promise<T> {
    for (let refusals = 0; ; ) {
      if (options.signal?.aborted) throw interrupted();
      const known = await rateLimits.getRateLimit(`${apiBase}/2/${endpoint}`, method);
      if (known && rateLimits.hasHitRateLimit(known)) await waitForRateLimit({ provider: 'x', resetEpochSeconds: known.reset, maxWaitSeconds: options.maxWaitSeconds }, options);
      try {
        return await send();
      } catch (error) {
        if (error instanceof ApiResponseError && error.code === 429) {
          // A post may hit a 24-hour cap (x-user-limit-24hour-*, x-app-limit-24hour-*) rather than the 15-minute window.
          const limits = [error.rateLimit, error.rateLimit?.userDay, error.rateLimit?.day].filter((limit) => limit && limit.remaining === 0);
          const reset = limits.length ? Math.max(...limits.map((limit) => limit!.reset)) : Number(error.headers?.['x-rate-limit-reset']);
          await waitForRateLimit({ provider: 'x', resetEpochSeconds: reset, maxWaitSeconds: options.maxWaitSeconds, refusals: ++refusals }, options);
          continue;
        }
        throw explainXError(error, operation, apiBase);
      }
    }
  }

  return {
    name: 'x',
    source: `x ${apiBase}`,
    async profile(handle) {
      // X usernames: 1–15 letters, digits and underscores; anything else would only earn a 400.
      if (!/^\w{1,15}$/.test(handle)) {
        throw new NetlabError('E_INPUT', `${JSON.stringify(handle)} is not an X username`, { hint: 'X usernames have 1 to 15 letters, digits or underscores' });
      }
      const answer = await call('users/by/username/:username', 'GET', 'read', () => reader().userByUsername(handle, { 'user.fields': userFields }));
      if (!answer.data) {
        throw new NetlabError('E_NOT_FOUND', `no X account @${handle}`, { hint: answer.errors?.[0]?.detail ?? 'check the spelling of the handle' });
      }
      return toAccount(answer.data);
    },
    async following(userId, cursor) {
      const answer = await call('users/:id/following', 'GET', 'follows', () =>
        reader().following(userId, { max_results: 1000, pagination_token: cursor, 'user.fields': userFields }),
      );
      return { accounts: (answer.data ?? []).map(toAccount), next: answer.meta?.next_token } satisfies FollowingPage;
    },
    async latestPost(userId) {
      // max_results is at least 5 on this endpoint; the newest comes first.
      const timeline = await call('users/:id/tweets', 'GET', 'posts', () =>
        reader().userTimeline(userId, { max_results: 5, exclude: ['replies', 'retweets'], 'tweet.fields': ['created_at'] }),
      );
      const [newest] = timeline.tweets;
      return newest && { text: newest.text, created: newest.created_at, id: newest.id };
    },
    async post(text): Promise<PostResult> {
      const answer = await call('tweets', 'POST', 'post', () => writer().tweet(text));
      return { id: answer.data.id, url: `https://x.com/i/status/${answer.data.id}` };
    },
  };
}

/**
 * twitter-api-v2 builds every URL on https://api.x.com; this plugin moves it to the configured
 * base, sets the timeout, and reports each exchange (method, URL and status only) for --trace.
 */
function redirectTo(apiBase: string, hooks: XProviderOptions): ITwitterApiClientPlugin {
  const started = new WeakMap<object, number>();
  const report = (params: { method: string }, url: URL, requestOptions: object, status: number) =>
    hooks.onRequest?.({ provider: 'x', method: params.method.toUpperCase(), url: url.href, status, ms: performance.now() - (started.get(requestOptions) ?? performance.now()) });
  return {
    onBeforeRequestConfig({ params }) {
      if (params.url.startsWith(libraryOrigin)) params.url = apiBase + params.url.slice(libraryOrigin.length);
      params.timeout = hooks.timeoutMs;
    },
    onBeforeRequest({ requestOptions }) {
      started.set(requestOptions, performance.now());
    },
    onAfterRequest({ params, computedParams, requestOptions }) {
      report(params, computedParams.url, requestOptions, 200);
    },
    onResponseError({ params, computedParams, requestOptions, error }) {
      report(params, computedParams.url, requestOptions, error.code);
    },
  };
}

function toAccount(user: UserV2): Account {
  return {
    id: user.id,
    handle: user.username,
    name: user.name,
    description: user.description,
    followers: user.public_metrics?.followers_count,
    following: user.public_metrics?.following_count,
    posts: user.public_metrics?.tweet_count,
    created: user.created_at,
  };
}

/** X's answers, in words a student can act on. */
function explainXError(error: unknown, operation: Operation, apiBase: string): NetlabError {
  if (error instanceof NetlabError) return error;
  if (error instanceof ApiRequestError) {
    const url = new URL(apiBase);
    // twitter-api-v2 1.29 keeps the socket error in _options.error while its requestError getter reads _options.requestError.
    const socketFailure = error.requestError ?? (error as unknown as { _options?: { error?: unknown } })._options?.error;
    return networkFailure(socketError(socketFailure, { host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80), operation: 'connect' }));
  }
  if (!(error instanceof ApiResponseError)) return new NetlabError('E_REMOTE', `X API call failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  const body = (error.data ?? {}) as { title?: string; detail?: string; reason?: string; errors?: { message?: string; detail?: string }[] };
  const said = body.detail ?? body.errors?.[0]?.detail ?? body.errors?.[0]?.message ?? body.title ?? '';
  const details = { status: error.code, title: body.title, reason: body.reason };
  if (error.code === 401) {
    return new NetlabError('E_AUTH', `X rejected the credentials (401 ${body.title ?? 'Unauthorized'})`, {
      details,
      hint: operation === 'post'
        ? `check ${names.xAppKey}, ${names.xAppSecret}, ${names.xAccessToken} and ${names.xAccessSecret}; regenerate the access token if you changed the app's permissions`
        : `check ${names.xBearerToken} (developer portal → your app → Keys and tokens → Bearer Token)`,
    });
  }
  if (error.code === 403 && operation === 'post') {
    return new NetlabError('E_AUTH', `X refused the post (403): ${said || 'forbidden'}`, {
      details,
      hint: /permission/i.test(said)
        ? 'set the app\'s permissions to "Read and write", regenerate the access token and secret, and try again'
        : 'X refuses duplicate and over-long posts: change the text',
    });
  }
  if (error.code === 403) {
    const what = operation === 'follows' ? 'read follow lists' : operation === 'posts' ? "read other accounts' posts" : 'look up other users';
    return new NetlabError('E_AUTH', `X answered 403 Forbidden: your app's API access level (the Free tier, for one) cannot ${what}`, {
      details,
      hint: 'upgrade the app to a plan that includes user and follows lookups in the X developer portal, or build the graph from --provider bluesky (free, no account) or --provider fixture (offline)',
    });
  }
  if (error.code === 404) return new NetlabError('E_NOT_FOUND', `X found nothing there (404): ${said}`, { details });
  return new NetlabError('E_REMOTE', `X API answered ${error.code}${said ? `: ${said}` : ''}`, { details, hint: 'try again later; --trace shows the request' });
}
