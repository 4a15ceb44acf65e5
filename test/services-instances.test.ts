// Several servers of one kind at once (issue 11, part 2): instances SERVICE@PORT and SERVICE@NAME,
// foreground runs that never block, and records that tell status and stop where everything is.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../lib/paths.ts';
import type { ServiceReport } from '../lib/services/daemon.ts';
import { listInstances } from '../lib/services/instances.ts';
import { readPid } from '../lib/services/pidfile.ts';
import { isolatedEnv, nodeWithTsx, tempDir, waitFor } from './helpers.ts';
import { netlab, quoteFrom } from './services-cli.ts';

async function statusOf(dir: string, target: string): Promise<ServiceReport[]> {
  return JSON.parse((await netlab(dir, ['status', target, '--json'])).stdout);
}

test('three qotd instances side by side: status lists each, stop asks which, restart keeps args and names', async (t) => {
  const dir = tempDir(t);
  for (const args of [['--port', '0'], ['--port', '0'], ['--name', 'west', '--port', '0']]) {
    const started = await netlab(dir, ['start', 'qotd', ...args]);
    assert.equal(started.code, 0, started.stderr);
  }
  const named = await netlab(dir, ['start', 'qotd', '--name', 'west', '--port', '0']);
  assert.equal(named.code, 1);
  assert.match(named.stderr, /qotd@west is already running \(pid \d+\)/);

  const reports = await statusOf(dir, 'qotd');
  assert.equal(reports.length, 3);
  assert.ok(reports.every((r) => r.status === 'running' && r.mode === 'daemon' && r.pid && r.port && r.uptimeSeconds !== undefined));
  for (const report of reports) assert.match(await quoteFrom(report.port!), /\r\n$/, `${report.instance} answers`);
  const [first, second, west] = reports;
  assert.equal(west.instance, 'qotd@west');
  assert.equal(readPid(path.join(dir, 'run/qotd.pid')), first.pid, 'the first daemon holds the pidfile');
  assert.equal(first.pidfile, path.join(dir, 'run/qotd.pid'));
  assert.equal(second.pidfile, undefined);
  assert.match(west.note!, /started with --port 0: a restart may get another port/);

  const ambiguous = await netlab(dir, ['stop', 'qotd']);
  assert.equal(ambiguous.code, 2, 'several instances: the user must say which');
  assert.match(ambiguous.stderr, new RegExp(`qotd has 3 instances running: ${first.instance} \\(pid ${first.pid}, tcp 127\\.0\\.0\\.1:${first.port}\\), ${second.instance} .*, qotd@west .* — say which: netlab stop ${first.instance}, or all of them: netlab stop qotd --all`));

  const restarted = await netlab(dir, ['restart', 'qotd@west']);
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.match(restarted.stdout, new RegExp(`^qotd@west stopped \\(pid ${west.pid}\\)\\nqotd@west started: pid \\d+, tcp 127\\.0\\.0\\.1:\\d+`));
  const [westAgain] = await statusOf(dir, 'qotd@west');
  assert.deepEqual(westAgain.args, ['--port', '0'], 'the same arguments');

  const portZero = await netlab(dir, ['restart', second.instance]);
  assert.equal(portZero.code, 0, portZero.stderr);
  assert.match(portZero.stdout, new RegExp(`${second.instance} was started with --port 0, so the system chose a new port: it is now qotd@\\d+`));

  const one = await netlab(dir, ['stop', first.instance]);
  assert.equal(one.stdout, `${first.instance} stopped (pid ${first.pid})\n`);
  assert.equal(existsSync(path.join(dir, 'run/qotd.pid')), false, 'its pidfile goes with it');
  assert.equal((await statusOf(dir, 'qotd')).length, 2, 'the others run on');
  const all = await netlab(dir, ['stop', 'qotd', '--all']);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout.split('\n').filter((line) => / stopped \(pid \d+\)$/.test(line)).length, 2);
  assert.deepEqual(listInstances(path.join(dir, 'run')), []);
});

test('a foreground run never blocks a daemon (nor the reverse), and stop finds it', async (t) => {
  const dir = tempDir(t);
  const foreground = spawn(nodeWithTsx[0], [...nodeWithTsx.slice(1), path.join(packageRoot, 'plugins/qotd.ts'), '--port', '0'], { env: isolatedEnv(dir) });
  t.after(() => foreground.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolve) => foreground.on('exit', resolve));
  const records = () => listInstances(path.join(dir, 'run'), 'qotd').map((i) => i.record);
  const record = await waitFor(() => records().find((r) => r.pid === foreground.pid), 10_000, 'the foreground server');
  assert.equal(record.mode, 'foreground');
  assert.equal(record.pidfile, path.join(dir, 'run/qotd.pid'), 'the first instance takes the pidfile');

  const daemon = await netlab(dir, ['start', 'qotd', '--port', '0']);
  assert.equal(daemon.code, 0, daemon.stderr);
  assert.match(daemon.stdout, new RegExp(`log [^,]+\\nthe pidfile .*qotd\\.pid stays with the first instance \\(pid ${foreground.pid}\\)\\n$`));
  const reports = await statusOf(dir, 'qotd');
  assert.deepEqual(reports.map((r) => r.mode), ['foreground', 'daemon']);
  assert.match(reports[0].note!, /^foreground/);

  const restart = await netlab(dir, ['restart', `qotd@${record.id}`]);
  assert.equal(restart.code, 2);
  assert.match(restart.stderr, /runs in the foreground .* so netlab cannot start it again/);
  const stop = await netlab(dir, ['stop', `qotd@${record.id}`]);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(await exited, 0, 'SIGTERM stopped it gracefully');
});

test('a pidfile put elsewhere (NETLAB_PID_FILES_QOTD) is found without the variable; a failed start deletes nothing', async (t) => {
  const dir = tempDir(t);
  const custom = path.join(dir, 'custom.pid');
  const started = await netlab(dir, ['start', 'qotd', '--port', '0'], { NETLAB_PID_FILES_QOTD: custom });
  assert.equal(started.code, 0, started.stderr);
  const pid = readPid(custom)!;
  const [report] = await statusOf(dir, 'qotd');
  assert.equal(report.status, 'running', 'status finds it without the variable');
  assert.equal(report.pidfile, custom);

  const clash = await netlab(dir, ['start', 'qotd', '--port', String(report.port)]);
  assert.equal(clash.code, 4, 'same port: it cannot bind (a network error, exit 4)');
  assert.equal((await statusOf(dir, 'qotd'))[0].pid, pid, "the failed start left the running instance's record alone");
  assert.equal(readFileSync(custom, 'utf8'), `${pid}\n`);

  const stop = await netlab(dir, ['stop', 'qotd']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(existsSync(custom), false, 'stop finds and removes it without the variable');
});
