// `netlab logs NAME@ID`: every instance of a service appends to one file; an instance's lines are
// told apart by the pid that wrote them, from its start line on (lib/services/logfile.ts).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ExitCode } from '../lib/errors.ts';
import type { ServiceReport } from '../lib/services/daemon.ts';
import { fileSize, InstanceLines, readInstanceLines } from '../lib/services/logfile.ts';
import { tempDir } from './helpers.ts';
import { netlab, quoteFrom } from './services-cli.ts';

const line = (pid: number, fields: Record<string, unknown>) => JSON.stringify({ level: 30, pid, ...fields });

test('InstanceLines: a pid is the instance its start line names, until its stop; earlier lines join it; others are left out', (t) => {
  const lines = [
    line(10, { msg: 'swept' }), // before it listens: whose is not known yet
    line(20, { event: 'start', instance: 'ftpd@west' }),
    line(10, { event: 'start', instance: 'ftpd@2121' }),
    line(10, { msg: 'RETR' }),
    line(20, { msg: 'STOR' }),
    line(10, { event: 'stop' }),
    line(10, { event: 'start', instance: 'ftpd@east' }), // the pid reused by another instance
    line(10, { msg: 'LIST' }),
    'a crash trace, no JSON',
  ];
  const sorter = new InstanceLines('ftpd@2121');
  assert.deepEqual(lines.flatMap((l) => sorter.take(l)), [lines[0], lines[2], lines[3], lines[5]]);
  const west = new InstanceLines('ftpd@west');
  assert.deepEqual(lines.flatMap((l) => west.take(l)), [lines[1], lines[4]]);

  const dir = tempDir(t);
  const file = path.join(dir, 'ftpd.log');
  assert.equal(fileSize(file), 0, 'a log not written yet is empty');
  writeFileSync(file, `${lines.join('\n')}\n`);
  assert.equal(fileSize(file), Buffer.byteLength(`${lines.join('\n')}\n`));
  assert.deepEqual(readInstanceLines(file, 'ftpd@2121', 2).lines, [lines[3], lines[5]], 'the last 2 of its lines');
});

test('netlab logs qotd@ID shows that instance only; netlab logs qotd shows all', async (t) => {
  const dir = tempDir(t);
  for (const name of ['first', 'second']) assert.equal((await netlab(dir, ['start', 'qotd', '--name', name, '--port', '0'])).code, 0);
  const reports = JSON.parse((await netlab(dir, ['status', 'qotd', '--json'])).stdout) as ServiceReport[];
  for (const report of reports) await quoteFrom(report.port!);
  await quoteFrom(reports[0].port!);
  const pids = new Map(reports.map((report) => [report.instance, report.pid]));

  // Only the request log's JSON lines: a daemon's stdout ("qotd listening on … Ctrl-C to stop") is not in it.
  const entries = async (target: string) =>
    (await netlab(dir, ['logs', target, '--raw', '-n', '100'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
  const first = await entries('qotd@first');
  assert.ok(first.every((entry) => entry.pid === pids.get('qotd@first')), JSON.stringify(first));
  assert.equal(first.filter((entry) => entry.msg === 'quote').length, 2);
  assert.ok(first.some((entry) => entry.event === 'start' && entry.instance === 'qotd@first'));
  const second = await entries('qotd@second');
  assert.ok(second.every((entry) => entry.pid === pids.get('qotd@second')));
  assert.equal(second.filter((entry) => entry.msg === 'quote').length, 1);
  assert.equal((await entries('qotd')).filter((entry) => entry.msg === 'quote').length, 3);
  const none = await netlab(dir, ['logs', 'qotd@third']);
  assert.equal(none.code, ExitCode.missing);
  assert.match(none.stderr, /^error: no instance qotd@third has logged or runs — netlab status qotd lists its instances\n$/);
});
