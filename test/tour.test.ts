import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../lib/paths.ts';
import { isolatedEnv, nodeWithTsx, tempDir } from './helpers.ts';

const run = promisify(execFile);

test('npm start (the tour) runs every lab against its servers, keeps the graphs, and leaves nothing behind', async (t) => {
  const dir = tempDir(t);
  const scratch = path.join(dir, 'tmp');
  mkdirSync(scratch);
  const env = isolatedEnv(dir, { TMPDIR: scratch });
  const { stdout } = await run(nodeWithTsx[0], [...nodeWithTsx.slice(1), path.join(packageRoot, 'scripts/tour.ts')], { env, cwd: dir, timeout: 60_000 });

  const summary = stdout.slice(stdout.indexOf('━━ Summary ━━'));
  for (const lab of ['Sockets', 'Services', 'Finger', 'RPC', 'FTP', 'Social graph']) {
    assert.match(summary, new RegExp(`^${lab}.*\\s+ok\\s+`, 'm'), `${lab} is in the summary and passed`);
  }
  assert.doesNotMatch(summary, /FAILED/);
  for (const extension of ['gexf', 'json', 'svg', 'html']) {
    assert.ok(existsSync(path.join(dir, 'data/graphs', `ReseauxTelecom.${extension}`)), `the ${extension} graph is kept`);
  }
  const leftovers = readdirSync(scratch).filter((name) => !name.startsWith('tsx-')); // tsx's compile cache
  assert.deepEqual(leftovers, [], 'no temporary file, pidfile or log is left');
  assert.equal(existsSync(path.join(dir, 'run')), false, 'no pidfile in the real pid folder');
  const { stdout: processes } = await run('ps', ['-eo', 'args']);
  assert.doesNotMatch(processes, new RegExp(scratch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no daemon of the tour is still running');
});
