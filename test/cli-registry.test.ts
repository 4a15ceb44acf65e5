import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { NetlabError } from '../lib/errors.ts';
import { builtinCommands } from '../lib/cli/builtins.ts';
import { builtinNames } from '../lib/cli/main.ts';
import { Registry } from '../lib/cli/registry.ts';
import { packageRoot } from '../lib/paths.ts';
import { isolatedEnv, netlabBin, tempDir } from './helpers.ts';

const run = promisify(execFile);
const exerciseModule = path.join(packageRoot, 'lib/cli/exercise.ts');

/** A one-file exercise, as a student would write it. */
function pluginSource(name: string, body = `out.line('hello from ${name}: ' + (args.who ?? 'world'))`): string {
  return `import { defineExercise } from ${JSON.stringify(exerciseModule)};
export default defineExercise({
  name: ${JSON.stringify(name)},
  description: 'a test plugin',
  args: { who: { type: 'string', description: 'whom to greet' } },
  run({ args, out }) { ${body} },
});
`;
}

test('the registry finds every script and the example plugin, each with a description', async () => {
  const all = await new Registry({ root: packageRoot }).list();
  assert.ok(all.has('qotd'), 'plugins/qotd.ts is listed');
  assert.ok(all.has('tour'), 'scripts/tour.ts is listed');
  for (const [name, { exercise }] of all) {
    assert.equal(exercise.name, name);
    assert.ok(exercise.description.length > 0, `${name} has a description`);
  }
});

test("main.ts's list of netlab's own commands (it loads builtins.ts only for them) is builtins.ts's", () => {
  assert.deepEqual([...builtinNames].sort(), Object.keys(builtinCommands(new Registry({ root: packageRoot }))).sort());
});

test('dropping a file into plugins/ makes it listed and runnable by the netlab CLI', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'plugins'));
  writeFileSync(path.join(dir, 'netlab.config.ts'), 'export default {};\n');
  writeFileSync(path.join(dir, 'plugins/greet.ts'), pluginSource('greet'));
  const options = { cwd: dir, env: isolatedEnv(dir) };

  const list = await run(netlabBin, ['list', '--json'], options);
  const names = (JSON.parse(list.stdout) as { name: string }[]).map((row) => row.name);
  assert.ok(names.includes('greet'), `greet listed among ${names.join(', ')}`);
  assert.ok(names.includes('qotd'), 'the shipped plugins are still there');

  const greeted = await run(netlabBin, ['greet', '--who', 'students'], options);
  assert.equal(greeted.stdout, 'hello from greet: students\n');
  const help = await run(netlabBin, ['greet', '--help'], options);
  assert.match(help.stdout, /--who/);
  assert.match(help.stdout, /whom to greet/);
});

test('two exercises with one name are an error naming both files', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'one.ts'), pluginSource('twin'));
  writeFileSync(path.join(dir, 'two.ts'), pluginSource('twin'));
  await assert.rejects(new Registry({ root: dir, folders: [dir] }).list(), (error: NetlabError) => {
    assert.equal(error.code, 'E_PLUGIN');
    assert.match(error.message, /two exercises are named "twin"/);
    assert.match(error.message, /one\.ts/);
    assert.match(error.message, /two\.ts/);
    return true;
  });
});

test('a plugin without a defineExercise default export is an error naming the file', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'broken.ts'), 'export default { name: "broken", run() {} };\n');
  await assert.rejects(new Registry({ root: dir, folders: [dir] }).list(), (error: NetlabError) => {
    assert.equal(error.code, 'E_PLUGIN');
    assert.match(error.message, /broken\.ts has no default export made with defineExercise/);
    return true;
  });
});

test('a plugin that does not even load, or has a bad name, names itself', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'syntax.ts'), 'export default defineExercise({ name: \n');
  await assert.rejects(new Registry({ root: dir, folders: [dir] }).list(), /cannot load exercise .*syntax\.ts/);
  const other = tempDir(t);
  writeFileSync(path.join(other, 'shouty.ts'), pluginSource('Shouty Name'));
  await assert.rejects(new Registry({ root: other, folders: [other] }).list(), /shouty\.ts: exercise name "Shouty Name" is not a command name/);
});

test('packages listed in config.plugins are loaded like files', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'node_modules/netlab-plugin-hello'), { recursive: true });
  writeFileSync(path.join(dir, 'node_modules/netlab-plugin-hello/package.json'), JSON.stringify({ name: 'netlab-plugin-hello', type: 'module', main: 'index.ts' }));
  writeFileSync(path.join(dir, 'node_modules/netlab-plugin-hello/index.ts'), pluginSource('hello-pkg'));
  writeFileSync(path.join(dir, 'netlab.config.ts'), `export default { plugins: ['netlab-plugin-hello'] };\n`);
  writeFileSync(path.join(dir, 'package.json'), '{}');
  const { stdout } = await run(netlabBin, ['hello-pkg'], { cwd: dir, env: isolatedEnv(dir) });
  assert.equal(stdout, 'hello from hello-pkg: world\n');

  writeFileSync(path.join(dir, 'netlab.config.ts'), `export default { plugins: ['netlab-plugin-missing'] };\n`);
  const failed = await run(netlabBin, ['list'], { cwd: dir, env: isolatedEnv(dir) }).catch((error) => error);
  assert.equal(failed.code, 3);
  assert.match(failed.stderr, /plugin package "netlab-plugin-missing" .* is not installed/);
});
