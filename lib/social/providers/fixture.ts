// The offline provider: reads the shipped network (data/fixtures/social/network.json) and answers
// like an API would, one page of follows per call, so the crawl cannot tell the difference.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NetlabError, systemErrorCode } from '../../errors.ts';
import { packageRoot } from '../../paths.ts';
import { fixtureCentre, type FixtureAccount, type FixtureNetwork } from '../fixture/generate.ts';
import type { Account, SocialProvider } from '../provider.ts';

/** Like Bluesky's getFollows limit, so that a crawl of the fixture pages as a real one does. */
const pageSize = 100;

/** The fixture path from the config: relative paths start at the netlab checkout. */
export function fixturePath(file: string): string {
  return path.resolve(packageRoot, file);
}

export function loadFixture(file: string): FixtureNetwork {
  let text: string;
  try {
    text = readFileSync(fixturePath(file), 'utf8');
  } catch (error) {
    throw new NetlabError('E_NOT_FOUND', `the offline network ${fixturePath(file)} cannot be read (${systemErrorCode(error) ?? (error as Error).message})`, {
      hint: 'rebuild it with: netlab social fixture',
    });
  }
  try {
    return JSON.parse(text) as FixtureNetwork;
  } catch {
    throw new NetlabError('E_INPUT', `${fixturePath(file)} is not valid JSON`, { hint: 'rebuild it with: netlab social fixture' });
  }
}

export function createFixtureProvider(options: { file: string }): SocialProvider {
  const network = loadFixture(options.file);
  const byId = new Map(network.accounts.map((account) => [account.id, account]));
  const byHandle = new Map(network.accounts.map((account) => [account.handle.toLowerCase(), account]));
  const find = (key: string): FixtureAccount => {
    const account = byId.get(key) ?? byHandle.get(key.toLowerCase());
    if (!account) {
      throw new NetlabError('E_NOT_FOUND', `no account @${key} in the offline network`, {
        hint: `start from ${network.centre ?? fixtureCentre}, or use --provider x|bluesky for real accounts`,
      });
    }
    return account;
  };
  return {
    name: 'fixture',
    source: `fixture ${fixturePath(options.file)}`,
    async profile(handle) {
      return toAccount(find(handle));
    },
    async latestPost(userId) {
      return find(userId).status;
    },
    async following(userId, cursor) {
      const start = cursor ? Number(cursor) : 0;
      if (!Number.isInteger(start) || start < 0) throw new NetlabError('E_INPUT', `bad fixture cursor ${JSON.stringify(cursor)}`);
      const ids = find(userId).follows;
      const accounts = ids.slice(start, start + pageSize).map((id) => toAccount(find(id)));
      return { accounts, next: start + pageSize < ids.length ? String(start + pageSize) : undefined };
    },
  };
}

function toAccount({ id, handle, name, description, followers, following, posts, created }: FixtureAccount): Account {
  return { id, handle, name, description, followers, following, posts, created };
}
