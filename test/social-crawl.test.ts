// The ego-graph crawl: the right nodes and edges, the fewest calls (one per page), nothing asked
// twice thanks to the SQLite cache, and an interrupted crawl that resumes where it stopped.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { NetlabError } from '../lib/errors.ts';
import { openResponseCache } from '../lib/social/cache.ts';
import { crawlEgoGraph, type CrawlProgress } from '../lib/social/crawl.ts';
import { Secret } from '../lib/social/credentials.ts';
import { generateFixture } from '../lib/social/fixture/generate.ts';
import { createBlueskyProvider } from '../lib/social/providers/bluesky.ts';
import { createXProvider } from '../lib/social/providers/x.ts';
import { tempDir } from './helpers.ts';
import { bskyHandleOf, startLocalBluesky } from './peers/social-bluesky.ts';
import { startLocalX, type XKeys } from './peers/social-x.ts';

const network = generateFixture(7, 40);
const byId = new Map(network.accounts.map((a) => [a.id, a]));
const centre = network.accounts[0];
const keys: XKeys = { bearerToken: 'crawl-bearer-token', appKey: 'k', appSecret: 's', accessToken: 't', accessSecret: 'u' };
const pageSize = 3;
const pages = (count: number) => Math.max(1, Math.ceil(count / pageSize));

async function setup(t: { after(fn: () => unknown): void }) {
  const server = await startLocalX({ accounts: network.accounts, keys, pageSize });
  t.after(() => server.close());
  const cache = openResponseCache(path.join(tempDir(t), 'social-cache.db'), { ttlMs: 3_600_000 });
  t.after(() => cache.close());
  const x = (signal?: AbortSignal) => createXProvider({ credentials: { bearerToken: new Secret(keys.bearerToken) }, apiBase: server.url, timeoutMs: 5000, maxWaitSeconds: 5, signal });
  return { server, cache, x };
}

test('the ego graph holds the user, whom they follow, and the follows among those, with mutual flags', async (t) => {
  const { cache, x } = await setup(t);
  const { graph } = await crawlEgoGraph(centre.handle, { provider: x(), cache, max: 1000, order: 'listed' });
  const members = new Set([centre.id, ...centre.follows]);
  assert.equal(graph.order, members.size);
  let expectedEdges = 0;
  for (const id of members) {
    const account = byId.get(id)!;
    for (const target of account.follows) {
      // The user's own follows are all in; the others' follows count only inside the circle.
      if (!members.has(target)) continue;
      expectedEdges++;
      assert.ok(graph.hasDirectedEdge(id, target), `${account.handle} → ${byId.get(target)!.handle}`);
      assert.equal(graph.getDirectedEdgeAttribute(id, target, 'mutual'), byId.get(target)!.follows.includes(id));
    }
  }
  assert.equal(graph.size, expectedEdges);
  const attributes = graph.getNodeAttributes(centre.id);
  assert.deepEqual(attributes, { handle: centre.handle, name: centre.name, followers: centre.followers, following: centre.following, posts: centre.posts, created: centre.created, providerId: centre.id, provider: 'x' });
});

test('the crawl makes the minimum number of calls (one per page), and a second run makes none', async (t) => {
  const { server, cache, x } = await setup(t);
  const minimum = 1 + pages(centre.follows.length) + centre.follows.reduce((sum, id) => sum + pages(byId.get(id)!.follows.length), 0);
  const progress: CrawlProgress[] = [];
  const first = await crawlEgoGraph(centre.handle, { provider: x(), cache, max: 1000, order: 'listed', onProgress: (p) => progress.push(p) });
  assert.equal(first.calls, minimum);
  assert.deepEqual(progress.at(-1), { phase: 'done', accountsDone: centre.follows.length + 1, accountsTotal: centre.follows.length + 1, calls: minimum, cached: 0 });
  assert.ok(progress.every((p, i) => i === 0 || (p.calls >= progress[i - 1].calls && p.accountsDone >= progress[i - 1].accountsDone)), 'progress only moves forward');
  assert.equal(server.requests.length, minimum, 'the server saw exactly as many requests');
  const second = await crawlEgoGraph(centre.handle, { provider: x(), cache, max: 1000, order: 'listed' });
  assert.equal(second.calls, 0);
  assert.equal(second.cached, minimum);
  assert.equal(server.requests.length, minimum, 'no request reached the server the second time');
  assert.deepEqual(second.graph.export(), first.graph.export());
});

test('an interrupted crawl resumes without repeating a call', async (t) => {
  const { server, cache, x } = await setup(t);
  const controller = new AbortController();
  const stopAfter = 6;
  await assert.rejects(
    crawlEgoGraph(centre.handle, { provider: x(controller.signal), cache, max: 1000, order: 'listed', signal: controller.signal, onProgress: (p) => p.calls >= stopAfter && controller.abort() }),
    (error: NetlabError) => error.code === 'E_INTERRUPTED',
  );
  assert.equal(server.requests.length, stopAfter);
  const resumed = await crawlEgoGraph(centre.handle, { provider: x(), cache, max: 1000, order: 'listed' });
  assert.equal(resumed.cached, stopAfter, 'what the first run fetched came from the cache');
  const asked = server.requests.map((r) => `${r.path}?${r.query}`);
  assert.equal(new Set(asked).size, asked.length, 'no request was sent twice');
  assert.equal(asked.length, resumed.calls + resumed.cached);
});

test('--max keeps the most-followed accounts (or the first listed), and the cache expires after its TTL', async (t) => {
  const { cache, x } = await setup(t);
  const biggest = [...centre.follows].sort((a, b) => byId.get(b)!.followers - byId.get(a)!.followers).slice(0, 4);
  const { graph } = await crawlEgoGraph(centre.handle, { provider: x(), cache, max: 4, order: 'followers' });
  assert.deepEqual(new Set(graph.nodes()), new Set([centre.id, ...biggest]));
  const listed = await crawlEgoGraph(centre.handle, { provider: x(), cache, max: 4, order: 'listed' });
  assert.deepEqual(new Set(listed.graph.nodes()), new Set([centre.id, ...centre.follows.slice(0, 4)]));

  let now = Date.now();
  const clocked = openResponseCache(path.join(tempDir(t), 'ttl.db'), { ttlMs: 60_000, now: () => now });
  t.after(() => clocked.close());
  clocked.set('k', { v: 1 });
  assert.deepEqual(clocked.get('k'), { v: 1 });
  now += 61_000;
  assert.equal(clocked.get('k'), undefined);
});

test('on Bluesky the crawl fetches the missing counts in batches of 25 and no more', async (t) => {
  const login = { identifier: 'a.bsky.social', appPassword: 'p' };
  const server = await startLocalBluesky({ accounts: network.accounts, login, pageSize });
  t.after(() => server.close());
  const provider = createBlueskyProvider({ credentials: {}, apiBase: server.url, pdsBase: server.url, timeoutMs: 5000, maxWaitSeconds: 5 });
  const result = await crawlEgoGraph(bskyHandleOf(centre), { provider, max: 1000, order: 'followers' });
  const minimum = 1 + pages(centre.follows.length) + Math.ceil(centre.follows.length / 25) + centre.follows.reduce((sum, id) => sum + pages(byId.get(id)!.follows.length), 0);
  assert.equal(result.calls, minimum);
  assert.equal(server.requests.length, minimum);
  result.graph.forEachNode((node, a) => assert.equal(a.followers, byId.get(node.slice('did:plc:'.length))!.followers));
});


test('an account the network no longer has is kept without its follows, and the crawl goes on', async (t) => {
  const server = await startLocalBluesky({ accounts: network.accounts, login: { identifier: 'a', appPassword: 'p' } });
  t.after(() => server.close());
  const gone = byId.get(centre.follows[1])!;
  server.inject({ match: /getFollows$/, when: (r) => r.query.get('actor') === `did:plc:${gone.id}`, status: 400, body: { error: 'InvalidRequest', message: 'Profile not found' } });
  const provider = createBlueskyProvider({ credentials: {}, apiBase: server.url, pdsBase: server.url, timeoutMs: 5000, maxWaitSeconds: 5 });
  const result = await crawlEgoGraph(bskyHandleOf(centre), { provider, max: 1000, order: 'listed' });
  assert.deepEqual(result.unreadable, [bskyHandleOf(gone)]);
  assert.ok(result.graph.hasNode(`did:plc:${gone.id}`));
  assert.equal(result.graph.outDegree(`did:plc:${gone.id}`), 0);
  assert.equal(result.graph.order, centre.follows.length + 1);
});
