// The Bluesky provider, with real fetch, against a local server that speaks the XRPC wire format:
// public reads without an account, cursors, batched profiles, 429 waits, posting with an app password.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetlabError } from '../lib/errors.ts';
import { Secret } from '../lib/social/credentials.ts';
import { generateFixture } from '../lib/social/fixture/generate.ts';
import type { WaitEvent } from '../lib/social/provider.ts';
import { createBlueskyProvider } from '../lib/social/providers/bluesky.ts';
import { bskyHandleOf, didOf, startLocalBluesky } from './peers/social-bluesky.ts';
import { resetIn } from './peers/social-http.ts';

const network = generateFixture(11, 40);
const login = { identifier: 'student.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' };

async function localBluesky(t: { after(fn: () => unknown): void }, pageSize?: number) {
  const server = await startLocalBluesky({ accounts: network.accounts, login, pageSize });
  t.after(() => server.close());
  return server;
}

const provider = (base: string, extra: Partial<Parameters<typeof createBlueskyProvider>[0]> = {}) =>
  createBlueskyProvider({ credentials: { identifier: login.identifier, appPassword: new Secret(login.appPassword) }, apiBase: base, pdsBase: base, timeoutMs: 5000, maxWaitSeconds: 30, ...extra });

test('profile() reads app.bsky.actor.getProfile with no account and maps the counts', async (t) => {
  const server = await localBluesky(t);
  const centre = network.accounts[0];
  const account = await provider(server.url).profile(bskyHandleOf(centre));
  assert.equal(account.id, didOf(centre));
  assert.equal(account.followers, centre.followers);
  assert.equal(account.following, centre.following);
  assert.equal(account.posts, centre.posts);
  assert.equal(account.created, centre.created);
  assert.equal(server.requests[0].headers.authorization, undefined, 'reads are anonymous');
});

test('getFollows pages with cursor and limit=100; getProfiles fills the counts 25 at a time', async (t) => {
  const server = await localBluesky(t, 4);
  const centre = network.accounts[0];
  const bsky = provider(server.url);
  const listed = [];
  let cursor: string | undefined;
  do {
    const page = await bsky.following(didOf(centre), cursor);
    assert.ok(page.accounts.every((a) => a.followers === undefined), 'getFollows lists profileViews, without counts');
    listed.push(...page.accounts);
    cursor = page.next;
  } while (cursor);
  assert.deepEqual(listed.map((a) => a.id), centre.follows.map((id) => `did:plc:${id}`));
  assert.ok(server.requests.every((r) => r.query.get('limit') === '100'));
  assert.equal(server.requests.length, Math.ceil(centre.follows.length / 4));
  const full = await bsky.profiles!(listed.slice(0, 25).map((a) => a.id));
  assert.equal(full.length, Math.min(25, listed.length));
  assert.ok(full.every((a) => typeof a.followers === 'number'));
});

test('a 429 waits for ratelimit-reset, then the call goes through', async (t) => {
  const server = await localBluesky(t);
  server.inject({ match: /getProfile$/, status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, headers: { 'ratelimit-limit': '3000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(resetIn(1)), 'ratelimit-policy': '3000;w=300' } });
  const waits: WaitEvent[] = [];
  const account = await provider(server.url, { onWait: (event) => waits.push(event) }).profile(bskyHandleOf(network.accounts[2]));
  assert.equal(account.handle, bskyHandleOf(network.accounts[2]));
  assert.equal(server.requests.length, 2);
  assert.ok(waits.some((w) => w.secondsLeft >= 1) && waits.at(-1)!.secondsLeft === 0);
});

test('an unknown actor is "not found" (XRPC 400 InvalidRequest)', async (t) => {
  const server = await localBluesky(t);
  await assert.rejects(provider(server.url).profile('nobody.bsky.social'), (error: NetlabError) => error.code === 'E_NOT_FOUND' && /Profile not found/.test(error.message));
});

test('post() logs in with the app password (createSession) and writes an app.bsky.feed.post record', async (t) => {
  const server = await localBluesky(t);
  const posted = await provider(server.url).post!('Hello from the netlab lab');
  assert.deepEqual(server.posts, [{ repo: 'did:plc:poster', text: 'Hello from the netlab lab' }]);
  assert.match(posted.url ?? '', /^https:\/\/bsky\.app\/profile\/student\.bsky\.social\/post\/3l1abc$/);
  const create = server.requests.find((r) => r.path.endsWith('createRecord'))!;
  const record = JSON.parse(create.body).record;
  assert.equal(record.$type, 'app.bsky.feed.post');
  assert.ok(!Number.isNaN(Date.parse(record.createdAt)));
});

test('a wrong app password is an auth error that never repeats the password', async (t) => {
  const server = await localBluesky(t);
  const wrong = provider(server.url, { credentials: { identifier: login.identifier, appPassword: new Secret('wrong-pass-777') } });
  await assert.rejects(wrong.post!('x'), (error: NetlabError) => {
    assert.equal(error.code, 'E_AUTH');
    assert.match(error.hint ?? '', /app password/);
    assert.doesNotMatch(`${error.toString()} ${JSON.stringify(error)}`, /wrong-pass-777/);
    return true;
  });
  assert.equal(server.posts.length, 0);
});

test('a post longer than 300 graphemes is refused before any request', async (t) => {
  const server = await localBluesky(t);
  await assert.rejects(provider(server.url).post!('é'.repeat(301)), (error: NetlabError) => error.code === 'E_INPUT');
  assert.equal(server.requests.length, 0);
});

test('latestPost() reads app.bsky.feed.getAuthorFeed without replies', async (t) => {
  const server = await localBluesky(t);
  const someone = network.accounts[5];
  const latest = await provider(server.url).latestPost!(didOf(someone));
  assert.equal(latest?.text, someone.status.text);
  assert.equal(latest?.created, someone.status.created);
  assert.equal(server.requests[0].query.get('filter'), 'posts_no_replies');
});
