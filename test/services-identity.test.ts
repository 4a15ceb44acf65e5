// `stop` and `restart` never signal a process that is not the service (issue 11, part 1).
// Each decoy notes every signal it gets; after the command it must be alive and have got none.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { stopInstance } from '../lib/services/daemon.ts';
import { checkIdentity, currentBootId, identityOf, isAlive, readProcess } from '../lib/services/identity.ts';
import { listInstances, type InstanceRecord } from '../lib/services/instances.ts';
import { readPidfile } from '../lib/services/pidfile.ts';
import { tempDir, waitFor } from './helpers.ts';
import { netlab, startDecoy, type Decoy } from './services-cli.ts';

function runDir(dir: string): string {
  mkdirSync(path.join(dir, 'run'), { recursive: true });
  return path.join(dir, 'run');
}

function assertUntouched(decoy: Decoy): void {
  assert.deepEqual(decoy.signals(), [], 'the decoy got no signal');
  assert.ok(decoy.alive(), 'the decoy still runs');
}

test('pidfiles are read strictly: digits and one newline, nothing else', (t) => {
  const file = path.join(tempDir(t), 'x.pid');
  const cases: [string, number | undefined][] = [
    ['123\n', 123],
    ['123', 123],
    ['123garbage', undefined],
    ['123\n456\n', undefined],
    [' 123\n', undefined],
    ['123\n\n', undefined],
    ['0\n', undefined],
    ['-1\n', undefined],
    ['1e3\n', undefined],
    ['0123\n', undefined],
    ['99999999\n', undefined],
    ['', undefined],
  ];
  for (const [text, pid] of cases) {
    writeFileSync(file, text);
    const content = readPidfile(file);
    assert.deepEqual(content.kind === 'pid' ? content.pid : undefined, pid, JSON.stringify(text));
  }
});

test('a process is known by its pid, start time and boot id; a zombie is not alive', async (t) => {
  const self = identityOf();
  assert.equal(checkIdentity(self), 'same');
  assert.equal(checkIdentity({ ...self, startTime: String(Number(self.startTime) + 1) }), 'reused', 'another start time: another process');
  assert.equal(checkIdentity({ ...self, bootId: 'another-boot' }), 'reused', 'another boot: another process');
  // A zombie, made without a race: the child `head` waits for one byte on fd 3 while its parent
  // replaces itself with `sleep`, which never reaps. Only once the parent is `sleep` do we let the
  // child exit (a shell could still reap it before exec).
  const parent = spawn('sh', ['-c', 'exec 3<&0; head -c1 <&3 >/dev/null & echo $!; exec sleep 30'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => parent.kill('SIGKILL'));
  const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk) => resolve(String(chunk)))));
  await waitFor(() => readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim() === 'sleep', 5_000, 'the parent to become sleep');
  parent.stdin.end('x');
  await waitFor(() => readProcess(zombie)?.state === 'Z', 5_000, 'the child to become a zombie');
  assert.equal(isAlive(zombie), false);
  assert.equal(checkIdentity({ pid: zombie, startTime: readProcess(zombie)!.startTime, bootId: currentBootId() }), 'gone');
});

test('a pidfile naming an unrelated process: status says foreign, stop and restart send it nothing', async (t) => {
  const dir = tempDir(t);
  const decoy = await startDecoy(t, { ignoresTerm: false });
  writeFileSync(path.join(runDir(dir), 'qotd.pid'), `${decoy.pid}\n`);

  const status = await netlab(dir, ['status', 'qotd']);
  assert.equal(status.code, 1, 'not running');
  assert.match(status.stdout, new RegExp(`qotd\\s+foreign\\s+${decoy.pid}.*a live process netlab did not start: sent it nothing`));
  const stop = await netlab(dir, ['stop', 'qotd']);
  assert.equal(stop.code, 1);
  assert.match(stop.stderr, new RegExp(`qotd is not running \\(pidfile .*qotd\\.pid names pid ${decoy.pid}, a live process netlab did not start: sent it nothing\\)`));
  assertUntouched(decoy);

  const restart = await netlab(dir, ['restart', 'qotd', '--port', '0']);
  assert.equal(restart.code, 0, restart.stderr);
  assert.match(restart.stdout, /qotd@\d+ started: pid \d+, tcp 127\.0\.0\.1:\d+, log [^,]+\n$/, 'it starts, without the pidfile');
  assert.match(restart.stderr, /names pid \d+, a live process netlab did not start: sent it nothing; qotd@\d+ runs without one/);
  assert.equal(readFileSync(path.join(dir, 'run/qotd.pid'), 'utf8'), `${decoy.pid}\n`, 'a foreign pidfile is left as it was');
  assertUntouched(decoy);
});

test('a decoy that ignores SIGTERM is not sent SIGTERM, nor SIGKILL after the timeout', async (t) => {
  const dir = tempDir(t);
  const decoy = await startDecoy(t, { ignoresTerm: true });
  writeFileSync(path.join(runDir(dir), 'qotd.pid'), `${decoy.pid}\n`);
  const stop = await netlab(dir, ['stop', 'qotd', '--timeout', '0.2']);
  assert.equal(stop.code, 1);
  assert.doesNotMatch(stop.stderr, /SIGKILL/);
  assertUntouched(decoy);
});

test('a garbage pidfile ("123garbage") is not read as pid 123, and is left alone', async (t) => {
  const dir = tempDir(t);
  const decoy = await startDecoy(t, { ignoresTerm: false });
  const pidfile = path.join(runDir(dir), 'qotd.pid');
  writeFileSync(pidfile, `${decoy.pid}garbage`);
  const status = await netlab(dir, ['status', 'qotd']);
  assert.match(status.stdout, new RegExp(`qotd\\s+invalid\\s+-.*holds "${decoy.pid}garbage", not a pid: left it alone`));
  const stop = await netlab(dir, ['stop', 'qotd']);
  assert.equal(stop.code, 1);
  assert.match(stop.stderr, /not a pid: left it alone/);
  assertUntouched(decoy);
  assert.equal(readFileSync(pidfile, 'utf8'), `${decoy.pid}garbage`);
});

test('a reused pid (the record names it, with another start time) is not signalled; the stale record goes', async (t) => {
  const dir = tempDir(t);
  const decoy = await startDecoy(t, { ignoresTerm: false });
  const pidfile = path.join(runDir(dir), 'qotd.pid');
  const { startTime, bootId } = identityOf(decoy.pid);
  // What a crashed qotd leaves when the system later gives its pid to another program.
  const record: InstanceRecord = {
    service: 'qotd', id: '1717', named: false, mode: 'daemon', pid: decoy.pid, startTime: String(Number(startTime) - 1), bootId,
    pidfile, log: path.join(dir, 'log/qotd.log'), startedAt: new Date().toISOString(), args: [], address: { host: '127.0.0.1', port: 1717, protocol: 'tcp' },
  };
  writeFileSync(path.join(dir, 'run/qotd@1717.json'), JSON.stringify(record));
  writeFileSync(pidfile, `${decoy.pid}\n`);

  const status = await netlab(dir, ['status', 'qotd']);
  assert.equal(status.code, 1);
  assert.match(status.stdout, new RegExp(`qotd@1717\\s+stale\\s+${decoy.pid}.*now belongs to another process \\(sent it nothing\\)`));
  for (const command of [['stop', 'qotd@1717'], ['stop', 'qotd']]) {
    const stop = await netlab(dir, command);
    assert.equal(stop.code, 1, command.join(' '));
  }
  assertUntouched(decoy);
  assert.deepEqual(readdirSync(path.join(dir, 'run')), [], 'the stale record and its pidfile are removed');
  await assert.rejects(stopInstance(record, path.join(dir, 'run')), { code: 'E_SERVICE_NOT_RUNNING' });
  assertUntouched(decoy);
});

test('a daemon killed with -9 reads as stale at once, and an idle stop takes milliseconds', async (t) => {
  const dir = tempDir(t);
  for (let i = 0; i < 2; i++) assert.equal((await netlab(dir, ['start', 'qotd', '--port', '0'])).code, 0);
  const [victim, idle] = listInstances(path.join(dir, 'run'), 'qotd').map((i) => i.record);
  process.kill(victim.pid, 'SIGKILL'); // the test started it: we know it is ours
  // Under a slow reaper the process stays a zombie for a while: it must not count as running.
  await waitFor(() => readProcess(victim.pid)?.state !== 'S' && readProcess(victim.pid)?.state !== 'R', 5_000, 'the kill');
  const [report] = JSON.parse((await netlab(dir, ['status', `qotd@${victim.id}`, '--json'])).stdout);
  assert.equal(report.status, 'stale');

  const started = performance.now();
  const result = await stopInstance(idle, path.join(dir, 'run'));
  const elapsed = performance.now() - started;
  assert.equal(result.killed, false);
  assert.ok(elapsed < 500, `an idle server stops well under half a second (took ${Math.round(elapsed)} ms)`);
  assert.equal(existsSync(path.join(dir, `run/qotd@${idle.id}.json`)), false);
});
