#!/usr/bin/env -S npx zx
// `netlab social`: the lab's social-network questions — show a user, post, and build the ego
// graph (the user, whom they follow, who among those follows whom) from X, Bluesky or offline.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { jsonArg, quietArg, traceArg } from '../lib/cli/args.ts';
import { parseCount } from '../lib/values.ts';
import { NetlabError } from '../lib/errors.ts';
import { defineExercise, type ExerciseContext } from '../lib/cli/exercise.ts';
import type { Output } from '../lib/cli/output.ts';
import { visibleControls } from '../lib/text.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { dataPath } from '../lib/paths.ts';
import { prepareStateDir } from '../lib/state-dirs.ts';
import { gexfOptions, gexfVersionArg, graphFormat, writeGraphFile } from '../lib/graph/export.ts';
import { graphStats } from '../lib/graph/stats.ts';
import { openResponseCache } from '../lib/social/cache.ts';
import { loadCredentials } from '../lib/social/credentials.ts';
import { crawlEgoGraph, type CrawlProgress } from '../lib/social/crawl.ts';
import { defaultFixtureSeed, generateFixture, serializeFixture } from '../lib/social/fixture/generate.ts';
import { createProvider, resolveProviderName } from '../lib/social/providers/create.ts';
import { fixturePath } from '../lib/social/providers/fixture.ts';
import { normalizeHandle, type Account, type LatestPost, type ProviderHooks, type SocialProvider, type WaitEvent } from '../lib/social/provider.ts';
import { openRequestLog } from '../lib/services/log.ts';

const providerArgs = {
  provider: { type: 'string', description: 'x, bluesky or fixture (default from config social.provider: auto = x with an X bearer token, else fixture)', valueHint: 'name' },
  apiBase: { type: 'string', description: 'talk to this base URL instead (a mirror, a local test server)', valueHint: 'url' },
  ...traceArg,
} as const;

type ProviderContext = Pick<ExerciseContext, 'config' | 'out' | 'signal'> & { args: { provider?: string; apiBase?: string; trace?: boolean } };

/** The provider a command asked for, with --trace lines and rate-limit countdowns wired to `out`. */
function openProvider(context: ProviderContext, purpose: 'read' | 'post', hooks: ProviderHooks = {}) {
  const { args, config, out, signal } = context;
  // The API calls made (method, URL, status; never a header) go to logDir/social.log.
  const log = openRequestLog(path.join(prepareStateDir(config, 'logDir'), 'social.log'), 'social');
  const credentials = loadCredentials({ folders: [config.root, process.cwd()] });
  const name = resolveProviderName({ requested: args.provider, purpose }, config.social, credentials);
  const showWait = hooks.onWait ?? waitAnnouncer(out);
  const provider = createProvider({
    name,
    config: config.social,
    credentials,
    apiBase: args.apiBase || undefined,
    signal,
    onRequest: (event) => {
      log.info({ provider: event.provider, method: event.method, url: event.url, status: event.status, ms: Math.round(event.ms) }, 'api call');
      if (args.trace) out.info(`→ ${event.method} ${event.url}  ${event.status} (${Math.round(event.ms)} ms)`);
    },
    onWait: (event) => {
      if (event.secondsLeft === 0) log.info({ provider: event.provider, until: event.until.toISOString() }, 'rate limit wait over');
      showWait(event);
    },
  });
  return { provider, log };
}

/** Without a progress bar: a warning when a wait starts, then one every 30 s. */
function waitAnnouncer(out: Output): (event: WaitEvent) => void {
  let current = 0;
  return (event) => {
    if (event.secondsLeft === 0) return;
    if (event.until.getTime() !== current || event.secondsLeft % 30 === 0) {
      current = event.until.getTime();
      out.warn(`${event.provider} rate limit reached: waiting ${clock(event.secondsLeft)} (until ${event.until.toLocaleTimeString()})`);
    }
  };
}

function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

const user = defineExercise({
  name: 'user',
  description: 'show an account: id, name, description, followers, following, posts, creation date, latest post',
  args: { handle: { type: 'positional', description: 'the account (@ is optional; Bluesky: alice.bsky.social)', required: true }, ...providerArgs, ...jsonArg },
  async run(context) {
    const { provider } = openProvider(context, 'read');
    const account = await provider.profile(normalizeHandle(String(context.args.handle)));
    const status = await latestStatus(provider, account.id);
    context.out.result({ provider: provider.name, ...account, status }, (a: Account & { provider: string }) => {
      // Names and descriptions come from strangers: control characters are shown, never obeyed.
      context.out.line(visibleControls(`@${a.handle} — ${a.name}  (${a.provider})`));
      context.out.table(
        [
          { field: 'id', value: a.id },
          { field: 'description', value: visibleControls((a.description ?? '').replace(/\s+/g, ' ')) },
          { field: 'followers', value: a.followers ?? '?' },
          { field: 'following', value: a.following ?? '?' },
          { field: 'posts', value: a.posts ?? '?' },
          { field: 'created', value: a.created ?? '?' },
          { field: 'status', value: visibleControls(status.text ? `${status.text.replace(/\s+/g, ' ')}${status.created ? `  (${status.created})` : ''}` : `(${status.unavailable ?? 'no post'})`) },
        ],
        ['field', 'value'],
      );
    });
  },
});

/** The lab's "status" (latest post); a network tier that cannot read posts leaves the rest of the answer standing. */
async function latestStatus(provider: SocialProvider, userId: string): Promise<Partial<LatestPost> & { unavailable?: string }> {
  if (!provider.latestPost) return { unavailable: `${provider.name} does not list posts` };
  try {
    return (await provider.latestPost(userId)) ?? {};
  } catch (error) {
    if (error instanceof NetlabError && error.code === 'E_AUTH') return { unavailable: error.message };
    throw error;
  }
}

const post = defineExercise({
  name: 'post',
  description: 'publish a post (X: OAuth 1.0a user keys; Bluesky: an app password)',
  args: { text: { type: 'positional', description: 'the text (quote it)', required: true }, ...providerArgs, ...jsonArg },
  async run(context) {
    const text = String(context.args.text);
    if (!text.trim()) throw new NetlabError('E_INPUT', 'refusing to post an empty text');
    const { provider, log } = openProvider(context, 'post');
    if (!provider.post) throw new NetlabError('E_USAGE', `the ${provider.name} provider does not take posts`, { hint: 'use --provider x or --provider bluesky' });
    const posted = await provider.post(text);
    log.info({ provider: provider.name, id: posted.id }, 'posted');
    context.out.result({ provider: provider.name, ...posted }, (p: typeof posted) => context.out.line(`posted on ${provider.name}: ${p.url ?? p.id}`));
  },
});

const graph = defineExercise({
  name: 'graph',
  description: "build a user's ego graph and save it (.gexf for Gephi, .json for graphology)",
  args: {
    handle: { type: 'positional', description: 'the account at the centre', required: true },
    ...providerArgs,
    max: { type: 'string', description: 'keep at most N followed accounts (default from config social.maxAccounts)', valueHint: 'n' },
    order: { type: 'string', description: 'which N: followers (most-followed first, default) or listed (API order)', valueHint: 'followers|listed' },
    out: { type: 'string', description: 'file to write, .gexf or .json (default: data/graphs/HANDLE-PROVIDER.gexf)', valueHint: 'file' },
    ...gexfVersionArg,
    ...jsonArg,
    ...quietArg,
  },
  async run(context) {
    const { args, config, out, signal } = context;
    const order = (args.order as string | undefined) ?? config.social.order;
    if (order !== 'followers' && order !== 'listed') throw new NetlabError('E_USAGE', `--order ${JSON.stringify(order)} is not followers or listed`);
    const max = parseCount(args.max as string | undefined, config.social.maxAccounts, '--max');
    const gexf = gexfOptions(args.gexfVersion as string | undefined, config.graph.gexfVersion, args.out === undefined || graphFormat(String(args.out)) === 'gexf');
    const bar = crawlProgress(out, Boolean(args.trace));
    const { provider, log } = openProvider(context, 'read', { onWait: bar?.wait });
    prepareStateDir(config, 'dataDir');
    const cache = openResponseCache(dataPath(config, config.social.cacheFile), { ttlMs: config.social.cacheTtlHours * 3_600_000 });
    let result;
    try {
      result = await crawlEgoGraph(String(args.handle), { provider, cache, max, order, signal, log, onProgress: bar?.update });
    } finally {
      bar?.stop();
      cache.close();
    }
    // The handle comes from the server: only safe characters reach a file name.
    const fileName = `${result.ego.handle.replace(/[^\w.-]/g, '_').replace(/^\.+/, '')}-${provider.name}.gexf`;
    const file = args.out ? path.resolve(String(args.out)) : path.join(dataPath(config, config.graph.exportDir), fileName);
    mkdirSync(path.dirname(file), { recursive: true });
    await writeGraphFile(result.graph, file, { gexf });
    const stats = graphStats(result.graph);
    const summary = { provider: provider.name, handle: result.ego.handle, file, followingTotal: result.followingTotal, calls: result.calls, cached: result.cached, stats };
    out.result(summary, () => {
      const kept = result.graph.order - 1;
      const which = kept === result.followingTotal ? 'all' : order === 'followers' ? `the ${kept} most followed (--max ${max})` : `the first ${kept} listed (--max ${max})`;
      out.line(`@${result.ego.handle} (${provider.name}) follows ${result.followingTotal} accounts; kept ${which}`);
      out.line(`${stats.nodes} accounts, ${stats.edges} follows, ${stats.mutualPairs} mutual pairs, reciprocity ${stats.reciprocity.toFixed(2)}, ${stats.communities.count} communities`);
      out.line(`API calls: ${result.calls} made, ${result.cached} answered from the cache`);
      if (result.unreadable.length) out.warn(`no follow list for ${result.unreadable.map((h) => `@${h}`).join(', ')} (deleted or suspended): kept without their follows`);
      out.line(visibleControls(`most followed inside the graph: ${stats.topByInDegree.slice(0, 5).map((a) => `@${a.handle} (${a.inDegree})`).join(', ')}`));
      out.line(`wrote ${file}`);
    });
  },
});

/** cli-progress on a terminal (accounts done, calls, cache hits, rate-limit countdown); nothing otherwise. */
function crawlProgress(out: Output, tracing: boolean) {
  if (!out.isTTY || out.json || out.quiet || tracing) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: out.stdout, format: '{bar} {value}/{total} accounts | {calls} calls, {cached} cached, {waits} waits | {status}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const state = { calls: 0, cached: 0, waits: 0, status: 'profile' };
  let value = 0;
  bar.start(1, 0, state);
  return {
    update(progress: CrawlProgress) {
      Object.assign(state, { calls: progress.calls, cached: progress.cached, status: progress.phase });
      value = progress.accountsDone;
      bar.setTotal(progress.accountsTotal);
      bar.update(value, state);
    },
    wait(event: WaitEvent) {
      if (event.secondsLeft === 0) state.status = 'resuming';
      else if (!state.status.startsWith('rate limit')) state.waits++;
      if (event.secondsLeft > 0) state.status = `rate limit: ${clock(event.secondsLeft)} left`;
      bar.update(value, state);
    },
    stop: () => bar.stop(),
  };
}

const fixture = defineExercise({
  name: 'fixture',
  description: 'rebuild the offline network from its seed (the same seed gives the same bytes)',
  args: {
    seed: { type: 'string', description: `random seed (default ${defaultFixtureSeed})`, valueHint: 'n' },
    out: { type: 'string', description: 'file to write (default: config social.fixtureFile)', valueHint: 'file' },
  },
  run({ args, config, out }) {
    const seed = parseCount(args.seed, defaultFixtureSeed, '--seed');
    const network = generateFixture(seed);
    const file = args.out ? path.resolve(args.out) : fixturePath(config.social.fixtureFile);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, serializeFixture(network));
    const follows = network.accounts.reduce((sum, account) => sum + account.follows.length, 0);
    out.line(`wrote ${network.accounts.length} accounts and ${follows} follows around @${network.centre} to ${file} (seed ${seed})`);
  },
});

export default defineExercise({
  name: 'social',
  description: 'social networks: show a user, post, build the ego graph (X, Bluesky, or offline)',
  subCommands: { user, post, graph, fixture },
  examples: [
    'netlab social user ReseauxTelecom',
    'netlab social graph ReseauxTelecom --max 50 --out graph.gexf',
    'netlab social graph jay.bsky.team --provider bluesky --max 30',
    'netlab social post "Hello from netlab" --provider bluesky',
  ],
});

runIfMain(import.meta);
