// The offline network: rebuilt byte for byte from its seed, the shipped file is exactly what the
// generator gives, and it is a plausible network around ReseauxTelecom.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { socialDefaults } from '../lib/social/config.ts';
import { defaultFixtureSeed, generateFixture, serializeFixture } from '../lib/social/fixture/generate.ts';
import { createFixtureProvider, fixturePath } from '../lib/social/providers/fixture.ts';

test('the same seed gives the same bytes; another seed gives another network', () => {
  const a = serializeFixture(generateFixture(42));
  const b = serializeFixture(generateFixture(42));
  assert.equal(a, b);
  assert.notEqual(serializeFixture(generateFixture(43)), a);
});

test('the shipped data/fixtures/social/network.json is what `netlab social fixture` rebuilds', () => {
  const shipped = readFileSync(fixturePath(socialDefaults.fixtureFile), 'utf8');
  assert.equal(shipped, serializeFixture(generateFixture(defaultFixtureSeed)));
});

test('a few hundred accounts around ReseauxTelecom, consistent with themselves', () => {
  const network = generateFixture(defaultFixtureSeed);
  assert.ok(network.accounts.length >= 200 && network.accounts.length <= 1000);
  assert.equal(network.accounts[0].handle, 'ReseauxTelecom');
  const ids = new Set(network.accounts.map((a) => a.id));
  assert.equal(ids.size, network.accounts.length, 'ids are unique');
  assert.equal(new Set(network.accounts.map((a) => a.handle.toLowerCase())).size, network.accounts.length, 'handles are unique');
  for (const account of network.accounts) {
    assert.ok(account.follows.every((id) => ids.has(id) && id !== account.id), `${account.handle} follows only known others`);
    assert.equal(new Set(account.follows).size, account.follows.length);
    assert.equal(account.following, account.follows.length);
    assert.ok(account.followers >= network.accounts.filter((o) => o.follows.includes(account.id)).length);
    assert.ok(!Number.isNaN(Date.parse(account.created)) && account.name && account.description);
  }
  const followers = network.accounts.map((a) => a.followers).sort((x, y) => x - y);
  assert.ok(followers.at(-1)! > 100 * followers[Math.floor(followers.length / 2)], 'follower counts are heavy-tailed');
});

test('the fixture provider pages follow lists like an API and finds handles in any case', async () => {
  const provider = createFixtureProvider({ file: socialDefaults.fixtureFile });
  const centre = await provider.profile('reseauxtelecom');
  const first = await provider.following(centre.id);
  assert.equal(first.accounts.length, 100);
  const second = await provider.following(centre.id, first.next);
  assert.equal(first.accounts.length + second.accounts.length, centre.following);
  assert.equal(second.next, undefined);
  await assert.rejects(provider.profile('nobody'), /no account @nobody/);
});
