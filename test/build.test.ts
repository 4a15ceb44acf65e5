// The compiled copy (bin/build.js → dist/) is used only while it matches its sources: any edit,
// new file or removed file sends bin/netlab.js back to the sources under tsx. And the compiled
// CLI says what the sources say.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { freshBuild } from '../bin/sources.js';
import { packageRoot } from '../lib/paths.ts';
import { peersRequired } from '../peers/available.ts';
import { isolatedEnv } from '../peers/isolated-env.ts';
import { nodeWithTsx, tempDir } from './helpers.ts';

const run = promisify(execFile);
const build = path.join(packageRoot, 'bin/build.js');

/** A tiny project: a lib file importing another, a script, a JavaScript plugin, an asset; built into its dist/. */
async function builtProject(t: { after(fn: () => void): void }): Promise<string> {
  const root = tempDir(t);
  mkdirSync(path.join(root, 'lib/cli'), { recursive: true });
  mkdirSync(path.join(root, 'scripts'));
  writeFileSync(path.join(root, 'lib/cli/main.ts'), "import { greeting } from '../text.ts';\nexport const main = (): string => greeting('netlab');\n");
  writeFileSync(path.join(root, 'lib/text.ts'), 'export function greeting(name: string): string {\n  return `hello ${name}`;\n}\n');
  writeFileSync(path.join(root, 'lib/cli/page.html'), '<p>asset</p>\n');
  // A hashbang, and node:fs in each import form the build turns into require() (bin/build.js).
  writeFileSync(
    path.join(root, 'scripts/hello.ts'),
    [
      '#!/usr/bin/env node',
      "import { main } from '../lib/cli/main.ts';",
      "import { existsSync as exists } from 'node:fs';",
      "import * as fs from 'node:fs';",
      "import fsDefault from 'node:fs';",
      "const fsWorks = exists('.') && fs.statSync('.').isDirectory() && fsDefault.readdirSync('.').length >= 0;",
      "console.log(fsWorks ? main() : 'node:fs broken');",
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(root, 'plugins'));
  writeFileSync(path.join(root, 'plugins/plain.js'), "import { greeting } from '../lib/text.ts';\nconsole.log(greeting('plain JavaScript'));\n");
  await run(process.execPath, [build, root]);
  return root;
}

test('a fresh build is used; editing, adding or removing a source makes it stale', async (t) => {
  const root = await builtProject(t);
  assert.equal(freshBuild(root), path.join(root, 'dist/lib/cli/main.js'));

  // The compiled files import each other as .js, and run without any loader.
  assert.match(readFileSync(path.join(root, 'dist/lib/cli/main.js'), 'utf8'), /from "\.\.\/text\.js"/);
  assert.equal(readFileSync(path.join(root, 'dist/lib/cli/page.html'), 'utf8'), '<p>asset</p>\n');
  const { stdout } = await run(process.execPath, [path.join(root, 'dist/scripts/hello.js')]);
  assert.equal(stdout, 'hello netlab\n');
  const hello = readFileSync(path.join(root, 'dist/scripts/hello.js'), 'utf8');
  assert.ok(hello.startsWith('#!/usr/bin/env node\n'), 'the hashbang stays the first line');
  assert.doesNotMatch(hello, /from "node:fs"/, 'node:fs comes from require() in the compiled copy');
  const plain = await run(process.execPath, [path.join(root, 'dist/plugins/plain.js')]);
  assert.equal(plain.stdout, 'hello plain JavaScript\n', 'a JavaScript plugin is built too: its .ts imports point at the compiled files');

  const text = path.join(root, 'lib/text.ts');
  const original = readFileSync(text, 'utf8');
  writeFileSync(text, original.replace('hello', 'hi'));
  assert.equal(freshBuild(root), undefined, 'an edited source (another size)');
  writeFileSync(text, original);
  utimesSync(text, new Date(), new Date(Date.now() + 5_000));
  assert.equal(freshBuild(root), undefined, 'the same size, touched later');

  await run(process.execPath, [build, root]);
  assert.ok(freshBuild(root), 'rebuilt');
  writeFileSync(path.join(root, 'lib/new.ts'), 'export {};\n');
  assert.equal(freshBuild(root), undefined, 'a new source');
  rmSync(path.join(root, 'lib/new.ts'));
  assert.ok(freshBuild(root), 'back as built');
  mkdirSync(path.join(root, 'lib/extra/deeper'), { recursive: true });
  writeFileSync(path.join(root, 'lib/extra/deeper/new.ts'), 'export {};\n');
  assert.equal(freshBuild(root), undefined, 'a new source in a new folder');
  rmSync(path.join(root, 'lib/extra'), { recursive: true });
  assert.ok(freshBuild(root), 'back as built, the new folder gone');
  writeFileSync(path.join(root, 'netlab.config.ts'), 'export default {};\n');
  assert.equal(freshBuild(root), undefined, 'a netlab.config.ts where there was none');
  rmSync(path.join(root, 'netlab.config.ts'));
  rmSync(path.join(root, 'scripts/hello.ts'));
  assert.equal(freshBuild(root), undefined, 'a removed source');
  rmSync(path.join(root, 'dist/manifest.json'));
  assert.equal(freshBuild(root), undefined, 'no manifest: never built, or half built');
});

test("the compiled CLI answers as the sources do: --help, list, an exercise's --help, an error", async (t) => {
  const env = isolatedEnv(tempDir(t));
  if (!freshBuild()) {
    // CI runs npm ci, whose prepare builds dist/: there a stale copy is a broken build, not a skip.
    assert.ok(!peersRequired, 'dist/ is stale or missing right after npm ci: bin/build.js did not build what bin/sources.js checks');
    return t.skip('dist/ is stale or missing here (npm run build): bin/netlab.js runs the sources, as this test would');
  }
  const viaBin = (...args: string[]) => run(process.execPath, [path.join(packageRoot, 'bin/netlab.js'), ...args], { env }).catch((error) => error);
  const viaSources = (...args: string[]) => run(nodeWithTsx[0], [...nodeWithTsx.slice(1), path.join(packageRoot, 'lib/cli/main.ts'), ...args], { env }).catch((error) => error);
  for (const args of [['--help'], ['list', '--json'], ['udp-client', '--help'], ['no-such-thing']]) {
    const [bin, sources] = await Promise.all([viaBin(...args), viaSources(...args)]);
    assert.equal(bin.stdout, sources.stdout, `netlab ${args.join(' ')}: stdout`);
    assert.equal(bin.stderr, sources.stderr, `netlab ${args.join(' ')}: stderr`);
    assert.equal(bin.code, sources.code, `netlab ${args.join(' ')}: exit code`);
  }
});
