// `netlab social user|post|graph` end to end: offline by default, X and Bluesky through local
// wire-format servers configured by .env and NETLAB_*_API_BASE, and no secret in any output or log.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { credentialVariables } from '../lib/social/credentials.ts';
import { generateFixture } from '../lib/social/fixture/generate.ts';
import social from '../scripts/social.ts';
import { capture, isolatedEnv, tempDir } from './helpers.ts';
import { bskyHandleOf, startLocalBluesky } from './peers/social-bluesky.ts';
import { startLocalX, type XKeys } from './peers/social-x.ts';

const network = generateFixture(7, 40);
const keys: XKeys = { bearerToken: 'CMD-bearer-0123456789', appKey: 'CMD-app-key', appSecret: 'CMD-app-secret', accessToken: 'CMD-access-token', accessSecret: 'CMD-access-secret' };
const blueskyLogin = { identifier: 'student.bsky.social', appPassword: 'CMD-app-pass-word' };
const secrets = [...Object.values(keys), blueskyLogin.appPassword];
const credentialNames = Object.values(credentialVariables);

/** A project folder: netlab.config.ts and a .env beside it, as a student would have them. */
function project(t: { after(fn: () => void): void }, dotEnv: Record<string, string> = {}, extraEnv: NodeJS.ProcessEnv = {}) {
  const dir = tempDir(t, 'netlab-social-');
  writeFileSync(path.join(dir, 'netlab.config.ts'), 'export default {};\n');
  writeFileSync(path.join(dir, '.env'), Object.entries(dotEnv).map(([k, v]) => `${k}=${v}\n`).join(''));
  const env = isolatedEnv(dir, { NETLAB_CONFIG: path.join(dir, 'netlab.config.ts'), ...extraEnv });
  return { dir, env, logFile: path.join(dir, 'log', 'social.log') };
}

// The script reads credentials from process.env (an exercise gets no env of its own): a
// developer's real keys must not leak into these tests, nor change which provider they reach.
for (const name of credentialNames) delete process.env[name];

const xDotEnv = { X_BEARER_TOKEN: keys.bearerToken, X_API_KEY: keys.appKey, X_API_SECRET: keys.appSecret, X_ACCESS_TOKEN: keys.accessToken, X_ACCESS_TOKEN_SECRET: keys.accessSecret };

function assertNoSecret(...texts: string[]) {
  for (const text of texts) for (const secret of secrets) assert.ok(!text.includes(secret), `a secret leaked: ${secret}`);
}

test('with no credentials, `social user` answers from the offline network', async (t) => {
  const { env } = project(t);
  const result = await capture(social, ['user', '@ReseauxTelecom'], { env });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /@ReseauxTelecom — Réseaux & Télécoms {2}\(fixture\)/);
  assert.match(result.stdout, /followers\s+\d+/);
  assert.match(result.stdout, /status\s+TP 5 en ligne/);
  const json = JSON.parse((await capture(social, ['user', 'ReseauxTelecom', '--json'], { env })).stdout);
  assert.equal(json.provider, 'fixture');
  assert.equal(typeof json.followers, 'number');
});

test('`social graph` writes the graph (default under data/graphs) and a second run is served by the cache', async (t) => {
  const { dir, env } = project(t);
  const first = await capture(social, ['graph', 'ReseauxTelecom', '--max', '15'], { env });
  assert.equal(first.code, 0, first.stderr);
  const file = path.join(dir, 'data', 'graphs', 'ReseauxTelecom-fixture.gexf');
  assert.ok(existsSync(file), first.stdout);
  assert.match(readFileSync(file, 'utf8'), /<gexf[^>]*version="1\.3"/);
  assert.match(first.stdout, /16 accounts/);
  const out = path.join(dir, 'g.json');
  const second = await capture(social, ['graph', 'ReseauxTelecom', '--max', '15', '--out', out, '--json'], { env });
  assert.equal(second.code, 0, second.stderr);
  const summary = JSON.parse(second.stdout);
  assert.equal(summary.calls, 0);
  assert.ok(summary.cached > 15);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).nodes.length, 16);
});

test('X through .env and NETLAB_X_API_BASE: --trace shows the calls, the log lists them, no secret anywhere', async (t) => {
  const server = await startLocalX({ accounts: network.accounts, keys, pageSize: 5 });
  t.after(() => server.close());
  const { env, logFile, dir } = project(t, xDotEnv, { NETLAB_X_API_BASE: server.url, NETLAB_DEBUG: '1' });
  const handle = network.accounts[0].handle;
  const graph = await capture(social, ['graph', handle, '--max', '5', '--trace', '--out', path.join(dir, 'x.json')], { env });
  assert.equal(graph.code, 0, graph.stderr);
  assert.match(graph.stdout, new RegExp(`→ GET ${server.url}/2/users/by/username/${handle}\\?user.fields=`));
  const posted = await capture(social, ['post', 'Bonjour', '--provider', 'x'], { env });
  assert.equal(posted.code, 0, posted.stderr);
  assert.deepEqual(server.posts, ['Bonjour']);
  const log = readFileSync(logFile, 'utf8');
  assert.match(log, /"msg":"api call"/);
  assert.match(log, /"msg":"posted"/);
  assertNoSecret(graph.stdout, graph.stderr, posted.stdout, posted.stderr, log);
  assert.ok(server.requests.every((r) => r.headers.authorization), 'the secrets were sent where they belong');
});

test('X errors through the command: 401 names the variable, 403 explains the tier; still no secret', async (t) => {
  const server = await startLocalX({ accounts: network.accounts, keys: { ...keys, bearerToken: 'another-token' }, tierForbidden: true });
  t.after(() => server.close());
  const { env, logFile } = project(t, xDotEnv, { NETLAB_DEBUG: '1' });
  const unauthorized = await capture(social, ['user', 'someone', '--provider', 'x', '--api-base', server.url], { env });
  assert.equal(unauthorized.code, 5);
  assert.match(unauthorized.stderr, /^error: X rejected the credentials \(401 Unauthorized\) — check X_BEARER_TOKEN/);

  const forbiddenServer = await startLocalX({ accounts: network.accounts, keys, tierForbidden: true });
  t.after(() => forbiddenServer.close());
  const forbidden = await capture(social, ['graph', network.accounts[0].handle, '--provider', 'x', '--api-base', forbiddenServer.url], { env });
  assert.equal(forbidden.code, 5);
  assert.match(forbidden.stderr, /cannot read follow lists — .*--provider bluesky/);
  const profileOnly = await capture(social, ['user', network.accounts[0].handle, '--provider', 'x', '--api-base', forbiddenServer.url], { env });
  assert.equal(profileOnly.code, 0, profileOnly.stderr);
  assert.match(profileOnly.stdout, /status\s+\(X answered 403 Forbidden: .* cannot read other accounts' posts\)/);
  assertNoSecret(unauthorized.stdout, unauthorized.stderr, forbidden.stdout, forbidden.stderr, profileOnly.stdout, readFileSync(logFile, 'utf8'));
});

test('Bluesky: reads need no account, posting uses the app password from .env', async (t) => {
  const server = await startLocalBluesky({ accounts: network.accounts, login: blueskyLogin });
  t.after(() => server.close());
  const { env, logFile } = project(t, { BLUESKY_HANDLE: blueskyLogin.identifier, BLUESKY_APP_PASSWORD: blueskyLogin.appPassword }, { NETLAB_BSKY_API_BASE: server.url });
  const user = await capture(social, ['user', bskyHandleOf(network.accounts[3]), '--provider', 'bluesky'], { env });
  assert.equal(user.code, 0, user.stderr);
  assert.match(user.stdout, /did:plc:/);
  const posted = await capture(social, ['post', 'Salut Bluesky', '--provider', 'bluesky', '--api-base', server.url], { env });
  assert.equal(posted.code, 0, posted.stderr);
  assert.match(posted.stdout, /^posted on bluesky: https:\/\/bsky\.app\/profile\/student\.bsky\.social\/post\//);
  assertNoSecret(user.stdout, user.stderr, posted.stdout, posted.stderr, readFileSync(logFile, 'utf8'));
});

test('bad input is a clear error: unknown provider, unknown account, posting to the fixture', async (t) => {
  const { env } = project(t);
  const provider = await capture(social, ['user', 'a', '--provider', 'myspace'], { env });
  assert.equal(provider.code, 2);
  assert.match(provider.stderr, /unknown provider "myspace" — choose one of: x, bluesky, fixture/);
  const missing = await capture(social, ['graph', 'nobody_at_all'], { env });
  assert.equal(missing.code, 6);
  assert.match(missing.stderr, /no account @nobody_at_all in the offline network — start from ReseauxTelecom/);
  const post = await capture(social, ['post', 'hi', '--provider', 'fixture'], { env });
  assert.equal(post.code, 2);
  const base = await capture(social, ['user', 'a', '--provider', 'x', '--api-base', 'ftp://nope'], { env });
  assert.equal(base.code, 2);
});
