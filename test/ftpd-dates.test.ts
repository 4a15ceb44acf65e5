// The dates ftpd writes: LIST lines as ls -l writes them (the day padded with a space, the year
// for a file older than six months or dated in the future) and MDTM as RFC 3659 §2.3 asks (UTC).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { formatListLine, type ListedStats } from '../lib/ftp/server/listing.ts';
import { ControlConnection } from './peers/ftp-control.ts';
import { makeFtpTree, startTestFtpd } from './peers/ftp-tree.ts';
import { skipWithout } from './peers/available.ts';

// Local times (LIST uses the server's zone, as ls does), so the expectations hold in any TZ.
const now = new Date(2026, 11, 2, 9, 5, 30).getTime(); // 2 December 2026, a single-digit day
const day = 86_400_000;

/** The date columns of a LIST line written for a file modified at `mtime`. */
function listedDate(mtime: Date, at = now): string {
  const stats = Object.assign(statSync('.'), { name: 'f', mtime }) as ListedStats;
  return / ([A-Z][a-z]{2} [ \d]\d (?:\d\d:\d\d| {1,2}\d{4})) f$/.exec(formatListLine(stats, at))![1];
}

test('LIST dates on an injected clock: space-padded day, the time within six months, else the year', () => {
  assert.equal(listedDate(new Date(2026, 11, 2, 9, 5)), 'Dec  2 09:05');
  assert.equal(listedDate(new Date(2026, 11, 2, 0, 0)), 'Dec  2 00:00', 'midnight');
  assert.equal(listedDate(new Date(2026, 0, 1, 0, 0)), 'Jan  1  2026', 'New Year, eleven months ago');
  assert.equal(listedDate(new Date(2026, 10, 24, 18, 49)), 'Nov 24 18:49');
  // 182 days is vsftpd's half year (checked on form only: a summer time zone moves the hour).
  assert.match(listedDate(new Date(now - 182 * day)), /^Jun  3 \d\d:05$/, '182 days ago is recent');
  assert.match(listedDate(new Date(now - 182 * day - 1000)), /^Jun  3  2026$/, 'a second more is not');
  assert.equal(listedDate(new Date(now + 400)), 'Dec  2 09:05', 'later within the same second: not the future');
  assert.equal(listedDate(new Date(now + 1000)), 'Dec  2  2026', 'a file dated in the future shows its year');
  assert.equal(listedDate(new Date(2027, 0, 5, 10, 0)), 'Jan  5  2027');
});

test('LIST dates match ls -l for the same files (recent, old, future; single-digit days)', async (t) => {
  if (skipWithout(t, 'ls')) return;
  const tree = makeFtpTree(t);
  const stamp = (name: string, date: Date) => {
    writeFileSync(path.join(tree.root, name), 'x');
    utimesSync(path.join(tree.root, name), date, date);
  };
  const real = new Date();
  // The 5th of two months ago, of fourteen months ago, and of next month.
  stamp('recent', new Date(real.getFullYear(), real.getMonth() - 2, 5, 9, 5));
  stamp('old', new Date(real.getFullYear(), real.getMonth() - 14, 5, 0, 0));
  stamp('future', new Date(real.getFullYear(), real.getMonth() + 1, 5, 23, 59));
  // Both on the real clock, the server in this process and ls beside it: the same time zone.
  const { port } = await startTestFtpd(t, { root: tree.root });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  const { final, data } = await ftp.transfer('LIST');
  assert.equal(final?.code, 226);
  const ls = execFileSync('ls', ['-l', tree.root], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const dateOf = (listing: string, name: string) => new RegExp(` ([A-Z][a-z]{2} [ \\d]\\d (?:\\d\\d:\\d\\d| {1,2}\\d{4})) ${name}\\r?$`, 'm').exec(listing)?.[1];
  for (const name of ['recent', 'old', 'future']) {
    const ours = dateOf(data.toString(), name);
    assert.ok(ours, `LIST shows ${name}: ${data}`);
    assert.equal(ours, dateOf(ls, name), `${name}: LIST as ls -l writes it`);
  }
  assert.match(dateOf(ls, 'recent')!, /^\w{3}  5 09:05$/, 'the recent file shows its time');
});

test('MDTM answers the modification time in UTC, YYYYMMDDHHMMSS (RFC 3659 §3), whatever the day', async (t) => {
  const tree = makeFtpTree(t);
  const file = path.join(tree.root, 'pub', 'hello.txt');
  const { port } = await startTestFtpd(t, { root: tree.root });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  for (const [iso, expected] of [
    ['2026-12-02T09:05:03.250Z', '20261202090503.250'],
    ['2027-01-01T00:00:00.000Z', '20270101000000.000'],
    ['2025-02-09T23:59:59.000Z', '20250209235959.000'],
  ]) {
    utimesSync(file, new Date(iso), new Date(iso));
    // ftp-srv writes milliseconds after the point: RFC 3659 §2.3 allows a fraction (time-val = 14DIGIT ["." 1*DIGIT]).
    assert.equal((await ftp.send('MDTM pub/hello.txt')).text, `213 ${expected}`, iso);
  }
});
