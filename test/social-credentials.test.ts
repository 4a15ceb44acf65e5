// Credentials: read from the environment first, then .env files; a Secret never prints itself,
// whichever way a program tries (template string, JSON, util.inspect, a pino log line).

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { inspect } from 'node:util';
import pino from 'pino';
import { loadCredentials, Secret } from '../lib/social/credentials.ts';
import { tempDir } from './helpers.ts';

test('the environment wins over .env, and the project .env over the current folder’s', (t) => {
  const project = tempDir(t);
  const here = tempDir(t);
  writeFileSync(path.join(project, '.env'), 'X_BEARER_TOKEN=from-project\nBLUESKY_HANDLE=me.bsky.social\n# a comment\nX_API_KEY="quoted key"\n');
  writeFileSync(path.join(here, '.env'), 'X_BEARER_TOKEN=from-cwd\nBLUESKY_APP_PASSWORD=pw-from-cwd\n');
  const fromFiles = loadCredentials({ env: {}, folders: [project, here] });
  assert.equal(fromFiles.x.bearerToken?.reveal(), 'from-project');
  assert.equal(fromFiles.x.appKey?.reveal(), 'quoted key');
  assert.equal(fromFiles.bluesky.identifier, 'me.bsky.social');
  assert.equal(fromFiles.bluesky.appPassword?.reveal(), 'pw-from-cwd');
  assert.equal(fromFiles.x.accessToken, undefined);
  const fromEnv = loadCredentials({ env: { X_BEARER_TOKEN: 'from-env' }, folders: [project] });
  assert.equal(fromEnv.x.bearerToken?.reveal(), 'from-env');
  assert.equal(loadCredentials({ env: { X_BEARER_TOKEN: '  ' }, folders: [] }).x.bearerToken, undefined, 'blank is unset');
});

test('a Secret prints as [redacted] in strings, JSON, inspect and pino logs', (t) => {
  const value = 'hunter2-very-secret';
  const credentials = { x: { bearerToken: new Secret(value) } };
  const file = path.join(tempDir(t), 'log.json');
  const log = pino(pino.destination({ dest: file, sync: true }));
  log.info({ credentials }, 'credentials loaded');
  log.flush();
  for (const text of [`${credentials.x.bearerToken}`, JSON.stringify(credentials), inspect(credentials, { depth: 5 }), String(credentials.x.bearerToken), readFileSync(file, 'utf8')]) {
    assert.ok(!text.includes(value), text);
    assert.match(text, /\[redacted\]/);
  }
});
