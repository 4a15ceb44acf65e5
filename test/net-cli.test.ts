import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../lib/paths.ts';
import { isolatedEnv, tempDir, waitFor } from './helpers.ts';
import { runCommand, signalChild, startCommand, test } from './peers/net-peers.ts';

// The lab's scripts as a student starts them: `npx zx scripts/x.ts`, and `netlab NAME`.

const netlab = path.join(packageRoot, 'bin/netlab.js');

test('npx zx scripts/udp-server.ts --help prints its own usage', async () => {
  const result = await runCommand('npx', ['zx', 'scripts/udp-server.ts', '--help']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /USAGE.*netlab udp-server/);
  assert.match(result.stdout, /--echo/);
  assert.equal(result.stdout.match(/USAGE/g)?.length, 1, 'printed once: the script ran exactly once');
});

test('npx zx scripts/udp-server.ts serves once, with its own arguments; netlab udp-client talks to it', async (t) => {
  const env = isolatedEnv(tempDir(t));
  const server = await startCommand(t, 'npx', ['zx', 'scripts/udp-server.ts', '--port', '0', '--echo'], /listening on udp 127\.0\.0\.1:(\d+)/, { env });
  const port = server.match[1];
  const client = await runCommand(process.execPath, [netlab, 'udp-client', '--port', port, '--wait', 'via npx zx'], { env });
  assert.equal(client.code, 0, client.stderr);
  assert.match(client.stdout, /reply from 127\.0\.0\.1:\d+  10 bytes  "via npx zx"/);
  await waitFor(() => server.output().includes('"via npx zx"  (echoed)'));
  signalChild(server.child, 'SIGTERM');
  await server.exited;
  assert.match(server.output(), /udp-server: stopping/, 'SIGTERM stops it cleanly');
  assert.equal(server.output().match(/listening on/g)?.length, 1, 'one server: the script ran exactly once');
  assert.equal(server.output().match(/"via npx zx"/g)?.length, 1);
});

test('netlab tcp-server and netlab tcp-client through bin/netlab.js', async (t) => {
  const env = isolatedEnv(tempDir(t));
  const server = await startCommand(t, process.execPath, [netlab, 'tcp-server', '--port', '0', '--reply', 'OK'], /listening on tcp 127\.0\.0\.1:(\d+)/, { env });
  const client = await runCommand(process.execPath, [netlab, 'tcp-client', '--port', server.match[1], 'hello'], { env });
  assert.equal(client.code, 0, client.stderr);
  assert.equal(client.stdout.split('\n')[0], 'OK');
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, 'SIGTERM stops it cleanly');
});

test('every script and plugin runs on its own: a `#!/usr/bin/env -S npx zx` first line and its run bit', () => {
  const files = ['scripts', 'plugins'].flatMap((folder) =>
    readdirSync(path.join(packageRoot, folder)).filter((name) => name.endsWith('.ts')).map((name) => path.join(folder, name)),
  );
  assert.ok(files.length > 10);
  for (const file of files) {
    assert.equal(readFileSync(path.join(packageRoot, file), 'utf8').split('\n')[0], '#!/usr/bin/env -S npx zx', file);
    assert.equal(statSync(path.join(packageRoot, file)).mode & 0o111, 0o111, `${file} is executable`);
  }
});

test('./scripts/udp-server.ts runs as a program, and ../scripts/udp-client.ts from another folder of the clone (tsx from .npmrc)', async (t) => {
  // isolatedEnv drops NODE_OPTIONS: tsx must come from the .npmrc that npx reads, as in a shell.
  const env = isolatedEnv(tempDir(t));
  const server = await startCommand(t, path.join(packageRoot, 'scripts/udp-server.ts'), ['--port', '0', '--echo'], /listening on udp 127\.0\.0\.1:(\d+)/, { env });
  const client = await runCommand('../scripts/udp-client.ts', ['--port', server.match[1], '--wait', 'shebang'], { env, cwd: path.join(packageRoot, 'lib') });
  assert.equal(client.code, 0, client.stderr);
  assert.match(client.stdout, /reply from 127\.0\.0\.1:\d+  7 bytes  "shebang"/);
  const help = await runCommand('../scripts/udp-client.ts', ['--help'], { env, cwd: path.join(packageRoot, 'test') });
  assert.match(help.stdout, /USAGE netlab udp-client/);
  // The whole group, as Ctrl-C in a shell would: npm itself dies of the signal, the server stops.
  signalChild(server.child, 'SIGTERM');
  await server.exited; // once every process holding the output pipes is gone
  assert.match(server.output(), /udp-server: stopping/, 'SIGTERM stops the server cleanly');
});
