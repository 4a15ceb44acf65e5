import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../lib/paths.ts';
import { createPidfile, readPid, releasePidfile } from '../lib/services/pidfile.ts';
import { freePort } from '../peers/free-port.ts';
import { isolatedEnv, nodeWithTsx, tempDir, waitFor } from './helpers.ts';
import { netlab as run, quoteFrom } from './services-cli.ts';

const netlab = (dir: string, ...args: string[]) => run(dir, args);

function deadPid(): number {
  return spawnSync('true').pid!; // exited already: nobody has this pid for a while
}

test('a service starts as a daemon with a pidfile and a request log, reports its status, and stops', async (t) => {
  const dir = tempDir(t);
  t.after(() => netlab(dir, 'stop', 'qotd'));
  const started = await netlab(dir, 'start', 'qotd', '--port', '0');
  assert.equal(started.code, 0, started.stderr);
  const pidfile = path.join(dir, 'run/qotd.pid');
  const pid = readPid(pidfile)!;
  assert.match(started.stdout, new RegExp(`qotd@(\\d+) started: pid ${pid}, tcp 127\\.0\\.0\\.1:\\1, log .*, pidfile ${pidfile}`));

  const [status] = JSON.parse((await netlab(dir, 'status', '--json')).stdout).filter((s: { name: string }) => s.name === 'qotd');
  assert.equal(status.status, 'running');
  assert.equal(status.pid, pid);
  assert.equal(status.instance, `qotd@${status.port}`);
  assert.match(await quoteFrom(status.port), /\r\n$/, 'the daemon answers');

  const logLines = readFileSync(path.join(dir, 'log/qotd.log'), 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  assert.ok(logLines.some((entry) => entry.event === 'start'), 'the start is logged');
  await waitFor(() => readFileSync(path.join(dir, 'log/qotd.log'), 'utf8').includes('"msg":"quote"'), 2000, 'the request line');
  const logs = await netlab(dir, 'logs', 'qotd', '-n', '1');
  assert.match(logs.stdout, /^\d\d:\d\d:\d\d info  qotd  quote  client=127\.0\.0\.1:\d+ bytes=\d+\n$/);

  const again = await netlab(dir, 'start', 'qotd', '--port', String(status.port));
  assert.equal(again.code, 4, 'a second one on the same port cannot bind (exit 4, network)');
  assert.match(again.stderr, new RegExp(`tcp port ${status.port} on 127\\.0\\.0\\.1 is already in use by node \\(pid ${pid}\\)`));

  const stopped = await netlab(dir, 'stop', 'qotd');
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stdout, `qotd@${status.port} stopped (pid ${pid})\n`);
  assert.equal(existsSync(pidfile), false, 'the pidfile is gone');
  const after = await netlab(dir, 'status', 'qotd');
  assert.equal(after.code, 1, '`status NAME` fails when it is not running, like service(8)');
  assert.match(after.stdout, /qotd\s+stopped/);
  const stopAgain = await netlab(dir, 'stop', 'qotd');
  assert.equal(stopAgain.code, 1);
  assert.match(stopAgain.stderr, /qotd is not running — start it with: netlab start qotd/);
});

test('a stale pidfile (its process gone) is reported, then replaced by the next start', async (t) => {
  const dir = tempDir(t);
  t.after(() => netlab(dir, 'stop', 'qotd'));
  mkdirSync(path.join(dir, 'run'), { recursive: true });
  const stale = deadPid();
  writeFileSync(path.join(dir, 'run/qotd.pid'), `${stale}\n`);
  assert.match((await netlab(dir, 'status')).stdout, new RegExp(`qotd\\s+stale\\s+${stale}`));
  const started = await netlab(dir, 'start', 'qotd', '--port', '0');
  assert.equal(started.code, 0, started.stderr);
  assert.notEqual(readPid(path.join(dir, 'run/qotd.pid')), stale);
});

test('restart reuses the arguments the service was started with', async (t) => {
  const dir = tempDir(t);
  t.after(() => netlab(dir, 'stop', 'qotd'));
  const free = await freePort();
  await netlab(dir, 'start', 'qotd', '--port', String(free));
  const first = readPid(path.join(dir, 'run/qotd.pid'));
  const restarted = await netlab(dir, 'restart', 'qotd');
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.match(restarted.stdout, new RegExp(`qotd@${free} stopped \\(pid ${first}\\)\\nqotd@${free} started: pid \\d+, tcp 127\\.0\\.0\\.1:${free}`));
  assert.notEqual(readPid(path.join(dir, 'run/qotd.pid')), first);
});

test('restart SERVICE@PORT with nothing running starts the instance that name means: on that port', async (t) => {
  const dir = tempDir(t);
  const free = await freePort();
  t.after(() => netlab(dir, 'stop', `qotd@${free}`));
  const restarted = await netlab(dir, 'restart', `qotd@${free}`);
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.match(restarted.stdout, new RegExp(`^qotd@${free} started: pid \\d+, tcp 127\\.0\\.0\\.1:${free},`));
  assert.ok((await quoteFrom(free)).length > 0, 'it answers there');
});

test('SIGTERM to a foreground server: it stops accepting, logs, removes its pidfile and exits 0', async (t) => {
  const dir = tempDir(t);
  const child = spawn(nodeWithTsx[0], [...nodeWithTsx.slice(1), path.join(packageRoot, 'plugins/qotd.ts'), '--port', '0'], { env: isolatedEnv(dir) });
  t.after(() => child.kill('SIGKILL'));
  const record = () => readdirSync(path.join(dir, 'run'), { withFileTypes: true }).find((f) => /^qotd@\d+\.json$/.test(f.name));
  const state = path.join(dir, 'run', (await waitFor(() => (existsSync(path.join(dir, 'run')) ? record() : undefined), 10_000, 'the server to listen')).name);
  const port = JSON.parse(readFileSync(state, 'utf8')).address.port;
  assert.match(await quoteFrom(port), /\r\n$/);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(existsSync(path.join(dir, 'run/qotd.pid')), false, 'its pidfile is gone');
  assert.equal(existsSync(state), false, 'its record is gone');
  const lastLine = JSON.parse(readFileSync(path.join(dir, 'log/qotd.log'), 'utf8').trim().split('\n').pop()!);
  assert.equal(lastLine.event, 'stop');
});

test('stop escalates to SIGKILL when a service ignores SIGTERM, and says so', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'plugins'));
  writeFileSync(path.join(dir, 'netlab.config.ts'), 'export default {};\n');
  writeFileSync(
    path.join(dir, 'plugins/stubborn.ts'),
    `import net from 'node:net';
import { defineExercise } from ${JSON.stringify(path.join(packageRoot, 'lib/cli/exercise.ts'))};
export default defineExercise({
  name: 'stubborn', description: 'never finishes closing', service: true,
  run: () => new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () =>
      resolve({ address: { host: '127.0.0.1', port: server.address().port, protocol: 'tcp' }, close: () => new Promise(() => {}) }));
  }),
});
`,
  );
  t.after(() => netlab(dir, 'stop', 'stubborn'));
  assert.equal((await netlab(dir, 'start', 'stubborn')).code, 0);
  const pid = readPid(path.join(dir, 'run/stubborn.pid'));
  const stopped = await netlab(dir, 'stop', 'stubborn', '--timeout', '0.5');
  assert.equal(stopped.code, 0);
  assert.match(stopped.stderr, new RegExp(`stubborn@\\d+ \\(pid ${pid}\\) did not stop within 0.5 s after SIGTERM: killed it with SIGKILL`));
  assert.equal(existsSync(path.join(dir, 'run/stubborn.pid')), false);
});

test('a pidfile is created exclusively, and released only by its owner', (t) => {
  const pidfile = path.join(tempDir(t), 'x.pid');
  assert.equal(createPidfile(pidfile, process.pid), true);
  assert.equal(createPidfile(pidfile, process.pid + 1), false, 'a second claim fails');
  releasePidfile(pidfile, process.pid + 1);
  assert.equal(readPid(pidfile), process.pid, 'only the owner may release it');
  releasePidfile(pidfile);
  assert.equal(existsSync(pidfile), false);
});

test('a daemon that cannot start says why (port in use) instead of pretending', async (t) => {
  const dir = tempDir(t);
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.after(() => holder.close());
  const { port } = holder.address() as net.AddressInfo;
  const started = await netlab(dir, 'start', 'qotd', '--port', String(port));
  assert.equal(started.code, 4, 'the exit code of the same error in the foreground (network)');
  assert.match(started.stderr, new RegExp(`qotd did not start: tcp port ${port} on 127\\.0\\.0\\.1 is already in use`));
  const usage = await netlab(dir, 'start', 'qotd', '--port', 'abc');
  assert.equal(usage.code, 2, 'a usage error, as in the foreground');
  assert.equal(usage.stderr.trim().split(' — ').length, 2, `one sentence, one hint: ${usage.stderr}`);
  assert.deepEqual(existsSync(path.join(dir, 'run')) ? readdirSync(path.join(dir, 'run')) : [], [], 'no pidfile or record is left behind');
});

test('stop --all without a service stops every running server; then there is none, and it says so', async (t) => {
  const dir = tempDir(t);
  for (const service of ['qotd', 'qotd', 'udp-server']) assert.equal((await netlab(dir, 'start', service, '--port', '0')).code, 0);
  const missing = await netlab(dir, 'stop');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing <service> — .*--all/);
  const stopped = await netlab(dir, 'stop', '--all');
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stdout.match(/^(qotd|udp-server)@\d+ stopped \(pid \d+\)$/gm)?.length, 3, stopped.stdout);
  assert.deepEqual(readdirSync(path.join(dir, 'run')), [], 'no record is left');
  const again = await netlab(dir, 'stop', '--all');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /^no server is running$/m);
});
