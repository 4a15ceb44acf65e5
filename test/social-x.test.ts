// The X provider, through the real twitter-api-v2 library, against a local server that speaks
// the X API v2 wire format: fields, pagination, 429 waits, 401/403 explanations, OAuth 1.0a posts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetlabError } from '../lib/errors.ts';
import { Secret, type SocialCredentials } from '../lib/social/credentials.ts';
import { generateFixture } from '../lib/social/fixture/generate.ts';
import type { WaitEvent } from '../lib/social/provider.ts';
import { createXProvider } from '../lib/social/providers/x.ts';
import { resetIn } from './peers/social-http.ts';
import { rateLimitHeaders, startLocalX, xBodies, type XKeys } from './peers/social-x.ts';

const network = generateFixture(7, 40);
const keys: XKeys = { bearerToken: 'AAAA-bearer-sekrit-111', appKey: 'app-key-222', appSecret: 'app-secret-333', accessToken: 'access-token-444', accessSecret: 'access-secret-555' };
const credentials = (k: Partial<XKeys> = keys): SocialCredentials['x'] => ({
  bearerToken: k.bearerToken ? new Secret(k.bearerToken) : undefined,
  appKey: k.appKey ? new Secret(k.appKey) : undefined,
  appSecret: k.appSecret ? new Secret(k.appSecret) : undefined,
  accessToken: k.accessToken ? new Secret(k.accessToken) : undefined,
  accessSecret: k.accessSecret ? new Secret(k.accessSecret) : undefined,
});

async function localX(t: { after(fn: () => unknown): void }, options: { pageSize?: number; tierForbidden?: boolean } = {}) {
  const server = await startLocalX({ accounts: network.accounts, keys, ...options });
  t.after(() => server.close());
  return server;
}

const provider = (apiBase: string, extra: Partial<Parameters<typeof createXProvider>[0]> = {}) =>
  createXProvider({ credentials: credentials(), apiBase, timeoutMs: 5000, maxWaitSeconds: 30, ...extra });

test('profile() asks GET /2/users/by/username with the bearer token and reads public_metrics', async (t) => {
  const server = await localX(t);
  const centre = network.accounts[0];
  const account = await provider(server.url).profile(centre.handle);
  assert.deepEqual(account, {
    id: centre.id, handle: centre.handle, name: centre.name, description: centre.description,
    followers: centre.followers, following: centre.following, posts: centre.posts, created: centre.created,
  });
  const [request] = server.requests;
  assert.equal(request.path, `/2/users/by/username/${centre.handle}`);
  assert.equal(request.query.get('user.fields'), 'created_at,description,public_metrics');
  assert.equal(request.headers.authorization, `Bearer ${keys.bearerToken}`);
});

test('an unknown handle is "not found", from the errors array of a 200 answer', async (t) => {
  const server = await localX(t);
  await assert.rejects(provider(server.url).profile('nobody_here'), (error: NetlabError) => error.code === 'E_NOT_FOUND' && /nobody_here/.test(error.message));
});

test('following() returns one page per call and follows pagination_token to the end', async (t) => {
  const server = await localX(t, { pageSize: 3 });
  const centre = network.accounts[0];
  const x = provider(server.url);
  const seen: string[] = [];
  let cursor: string | undefined;
  let calls = 0;
  do {
    const page = await x.following(centre.id, cursor);
    calls++;
    seen.push(...page.accounts.map((a) => a.id));
    assert.ok(page.accounts.every((a) => typeof a.followers === 'number'), 'user.fields brings the counts');
    cursor = page.next;
  } while (cursor);
  assert.deepEqual(seen, centre.follows);
  assert.equal(calls, Math.ceil(centre.follows.length / 3));
  assert.ok(server.requests.every((r) => r.query.get('max_results') === '1000'));
  assert.equal(server.requests[0].query.has('pagination_token'), false, 'the first page asks for no token');
  assert.equal(server.requests[1].query.get('pagination_token'), '3');
});

test('a 429 waits for x-rate-limit-reset, with a countdown, then the same call succeeds', async (t) => {
  const server = await localX(t);
  server.inject({ match: /following$/, status: 429, body: xBodies.tooManyRequests, headers: rateLimitHeaders(0, resetIn(1)) });
  const waits: WaitEvent[] = [];
  const started = Date.now();
  const page = await provider(server.url, { onWait: (event) => waits.push(event) }).following(network.accounts[0].id);
  assert.equal(page.accounts.length, network.accounts[0].follows.length);
  assert.equal(server.requests.length, 2, 'one refused call, one retry');
  assert.ok(waits.length >= 2 && waits[0].secondsLeft >= 1 && waits.at(-1)!.secondsLeft === 0, JSON.stringify(waits));
  assert.ok(Date.now() - started >= 900, 'it really waited');
});

test('a reset too far away fails at once with a hint to resume later', async (t) => {
  const server = await localX(t);
  server.inject({ match: /following$/, status: 429, body: xBodies.tooManyRequests, headers: rateLimitHeaders(0, resetIn(3600)) });
  await assert.rejects(provider(server.url).following(network.accounts[0].id), (error: NetlabError) => error.code === 'E_RATE_LIMITED' && /resumes from the cache/.test(error.hint ?? ''));
});

test('after an answer saying 0 calls are left, the next call waits before it is sent', async (t) => {
  const server = await localX(t);
  server.inject({ match: /by\/username/, status: 200, body: { data: { id: '1', name: 'A', username: 'a' } }, headers: rateLimitHeaders(0, resetIn(1)) });
  const waits: WaitEvent[] = [];
  const x = provider(server.url, { onWait: (event) => waits.push(event) });
  await x.profile('a');
  await x.profile(network.accounts[1].handle);
  assert.equal(server.requests.length, 2, 'no 429 was provoked');
  assert.ok(waits.length > 0);
});

test('401: the bearer token is named, never shown', async (t) => {
  const server = await localX(t);
  const wrong = createXProvider({ credentials: credentials({ bearerToken: 'wrong-token-999' }), apiBase: server.url, timeoutMs: 5000, maxWaitSeconds: 5 });
  await assert.rejects(wrong.profile('x'), (error: NetlabError) => {
    assert.equal(error.code, 'E_AUTH');
    assert.match(error.toString(), /X_BEARER_TOKEN/);
    assert.doesNotMatch(`${error.toString()} ${JSON.stringify(error)}`, /wrong-token-999/);
    return true;
  });
});

test('403 for a tier that cannot read follows is explained in one sentence, with what to do', async (t) => {
  const server = await localX(t, { tierForbidden: true });
  await assert.rejects(provider(server.url).following(network.accounts[0].id), (error: NetlabError) => {
    assert.equal(error.code, 'E_AUTH');
    assert.match(error.message, /403 Forbidden: your app's API access level \(the Free tier, for one\) cannot read follow lists$/);
    assert.match(error.hint ?? '', /--provider bluesky/);
    assert.equal(error.details?.reason, 'client-not-enrolled');
    return true;
  });
});

test('post() sends POST /2/tweets signed with OAuth 1.0a user keys (the server checks the signature)', async (t) => {
  const server = await localX(t);
  const posted = await provider(server.url).post!('Bonjour depuis netlab !');
  assert.deepEqual(server.posts, ['Bonjour depuis netlab !']);
  assert.match(posted.url ?? '', /^https:\/\/x\.com\/i\/status\/\d+$/);
  const forged = createXProvider({ credentials: credentials({ ...keys, appSecret: 'not-the-secret' }), apiBase: server.url, timeoutMs: 5000, maxWaitSeconds: 5 });
  await assert.rejects(forged.post!('again'), (error: NetlabError) => error.code === 'E_AUTH' && /X_API_KEY/.test(error.hint ?? ''));
  assert.equal(server.posts.length, 1);
});

test('posting without user keys says which variables to set', async () => {
  const readOnly = createXProvider({ credentials: credentials({ bearerToken: 'b' }), apiBase: 'http://127.0.0.1:9', timeoutMs: 1000, maxWaitSeconds: 5 });
  await assert.rejects(readOnly.post!('hi'), (error: NetlabError) => error.code === 'E_AUTH' && /X_ACCESS_TOKEN_SECRET/.test(error.hint ?? ''));
});

test('nothing listening at the base URL is a connection error naming the address', async () => {
  await assert.rejects(provider('http://127.0.0.1:9').profile('a'), (error: NetlabError) => error.code === 'E_CONN_REFUSED' && /127\.0\.0\.1:9/.test(error.message));
});

test('a server that keeps answering 429 after the waits is given up on, not hammered', async (t) => {
  const server = await localX(t);
  for (let i = 0; i < 5; i++) server.inject({ match: /by\/username/, status: 429, body: xBodies.tooManyRequests, headers: rateLimitHeaders(0, resetIn(-10)) });
  await assert.rejects(provider(server.url).profile('anyone'), (error: NetlabError) => error.code === 'E_RATE_LIMITED' && /after 3 waits/.test(error.message));
  assert.equal(server.requests.length, 4);
});

test('a handle X cannot have is refused before any request', async (t) => {
  const server = await localX(t);
  await assert.rejects(provider(server.url).profile('not a handle!'), (error: NetlabError) => error.code === 'E_INPUT');
  assert.equal(server.requests.length, 0);
});

test('a post refused by the 24-hour cap waits for that reset, not the 15-minute one (and fails if too far)', async (t) => {
  const server = await localX(t);
  server.inject({ match: /tweets$/, status: 429, body: xBodies.tooManyRequests, headers: { ...rateLimitHeaders(5, resetIn(1)), 'x-user-limit-24hour-limit': '17', 'x-user-limit-24hour-remaining': '0', 'x-user-limit-24hour-reset': String(resetIn(80_000)) } });
  await assert.rejects(provider(server.url).post!('hello'), (error: NetlabError) => error.code === 'E_RATE_LIMITED');
  assert.equal(server.posts.length, 0);
});

test('latestPost() reads GET /2/users/:id/tweets without replies and retweets (the lab\'s "status")', async (t) => {
  const server = await localX(t);
  const someone = network.accounts[3];
  assert.deepEqual(await provider(server.url).latestPost!(someone.id), { text: someone.status.text, created: someone.status.created, id: String(1_800_000_000_000_000_000n + BigInt(someone.id)) });
  const query = server.requests[0].query;
  assert.equal(query.get('max_results'), '5');
  assert.equal(query.get('exclude'), 'replies,retweets');
});
