// The times the services layer writes and shows, on injected clocks: the request log's `time`,
// the clock of `netlab logs`, and the uptime of `netlab status`.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { formatDuration } from '../lib/cli/builtins.ts';
import { serviceStatus } from '../lib/services/daemon.ts';
import { formatLogLine, openRequestLog } from '../lib/services/log.ts';
import { registerInstance } from '../lib/services/instances.ts';
import { tempDir } from './helpers.ts';

const singleDigitDay = Date.parse('2026-12-02T09:05:03.004Z');

test('the request log writes `time` in ISO 8601 UTC from its clock, and `logs` shows its time of day', (t) => {
  const file = path.join(tempDir(t), 'log', 'fingerd.log');
  const log = openRequestLog(file, 'fingerd', () => singleDigitDay);
  log.info({ client: '127.0.0.1:5012' }, 'finger');
  const line = readFileSync(file, 'utf8').trim();
  assert.equal(JSON.parse(line).time, '2026-12-02T09:05:03.004Z', 'zero-padded month, day and milliseconds');
  assert.equal(formatLogLine(line), '09:05:03 info  fingerd  finger  client=127.0.0.1:5012');
  const midnight = JSON.stringify({ time: '2027-01-01T00:00:00.000Z', level: 40, service: 'ftpd', msg: 'USER' });
  assert.equal(formatLogLine(midnight), '00:00:00 warn  ftpd  USER');
});

test('status: the uptime from the instance record\'s start time and an injected clock', (t) => {
  const dir = tempDir(t);
  const config = { dataDir: path.join(dir, 'data'), pidDir: path.join(dir, 'run'), logDir: path.join(dir, 'log'), pidFiles: {} };
  // This test's own process stands for the daemon: alive, and the pid its record names.
  const startedAt = '2026-11-30T23:59:59.000Z';
  const registration = registerInstance(config, { service: 'fingerd', args: [], address: { host: '127.0.0.1', port: 7979, protocol: 'tcp' }, mode: 'foreground', startedAt });
  t.after(() => registration.release());
  const at = (iso: string) => serviceStatus('fingerd', config, Date.parse(iso))[0]?.uptimeSeconds;
  assert.equal(at('2026-11-30T23:59:59.400Z'), 0);
  assert.equal(at('2026-12-01T00:00:41Z'), 42, 'across midnight and a month end');
  assert.equal(at('2026-12-02T09:05:03Z'), 33 * 3600 + 5 * 60 + 4);
  assert.deepEqual([0, 42, 5 * 60 + 7, 3600, 33 * 3600 + 5 * 60 + 4].map(formatDuration), ['0s', '42s', '5m07s', '1h00m', '33h05m']);
});
