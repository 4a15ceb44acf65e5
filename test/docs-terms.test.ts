import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../lib/paths.ts';

// Words the lab and the APIs use differently. The lab's "friends" are mutual follows; the X
// (Twitter) API's `friends` are every account a user follows. Wherever a page says "friends",
// the same paragraph must say which meaning is meant, and name the other.

const pages = ['README.md', 'docs/graph.md', 'docs/social.md'];

test('every paragraph that says "friends" says both meanings: the lab\'s mutual follows and the X API\'s accounts followed', () => {
  let seen = 0;
  for (const page of pages) {
    const paragraphs = readFileSync(path.join(packageRoot, page), 'utf8').split(/\n\s*\n|\n(?=\|)/);
    for (const paragraph of paragraphs.filter((text) => /\bfriends\b/i.test(text))) {
      seen++;
      assert.match(paragraph, /lab/, `${page}: whose "friends"? ${paragraph}`);
      assert.match(paragraph, /mutual|each other/, `${page}: the lab's friends are mutual follows: ${paragraph}`);
      assert.match(paragraph, /X (\(Twitter\) )?API/, `${page}: name the X API's meaning too: ${paragraph}`);
      assert.match(paragraph, /accounts (a user|it) follows/, `${page}: the API's friends are the accounts a user follows: ${paragraph}`);
    }
  }
  assert.ok(seen >= 3, 'the word is explained on the README and both lab pages');
});
