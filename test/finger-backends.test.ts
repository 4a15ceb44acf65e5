import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, closeSync, openSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fingerDefaults } from '../lib/finger/config.ts';
import { createBackend } from '../lib/finger/service.ts';
import { skipBecause, skipWithout } from './peers/available.ts';

/** useradd/userdel, retried while another program holds the lock on /etc/passwd. */
async function accountTool(command: string, args: string[]): Promise<number | null> {
  for (let attempt = 0; ; attempt++) {
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.status === 0 || attempt === 10 || !/lock/i.test(result.stderr)) return result.status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Tabs, spaces and line ends (BSD finger writes CRLF when not on a terminal) may differ; words and lines may not. */
const normalise = (text: string) => text.replace(/\r\n/g, '\n').replace(/[ \t]+/g, ' ').replace(/ +\n/g, '\n');

/** The lines that hold a time, exactly as written: normalise() would hide "Dec 02" against "Dec  2". */
const timeLines = (text: string) => text.split(/\r?\n/).filter((line) => /^(Last login|New mail|\s*Unread since|Mail last read|On since)/.test(line));

/** Rewrites the time of uid's record in the binary lastlog file (int32 ll_time at uid × 292, <lastlog.h>). */
function setLastLoginTime(uid: number, seconds: number): void {
  const time = Buffer.alloc(4);
  time.writeInt32LE(seconds);
  const fd = openSync('/var/log/lastlog', 'r+');
  try {
    writeSync(fd, time, 0, 4, uid * 292);
  } finally {
    closeSync(fd);
  }
}

test('builtin and system backends tell the same about a real account (passwd, lastlog, mail, dot-files)', async (t) => {
  if (process.getuid?.() !== 0) {
    skipBecause(t, 'creating a real account needs root');
    return;
  }
  if (skipWithout(t, 'finger', 'useradd', 'lastlog')) return;
  // BSD finger writes the machine's local time (it runs with no TZ); the builtin backend writes UTC.
  const zone = execFileSync('date', ['+%z'], { encoding: 'utf8', env: { PATH: process.env.PATH } }).trim();
  if (zone !== '+0000') {
    skipBecause(t, `the machine's time zone is ${zone}, and the builtin backend writes UTC`);
    return;
  }
  const login = `nl${process.pid % 100_000}`;
  assert.equal(await accountTool('useradd', ['-m', '-c', 'Grace Hopper,Lab 3,555-0100,555-0199', '-s', '/bin/sh', login]), 0, `useradd ${login}`);
  const mailbox = path.join('/var/mail', login);
  t.after(async () => {
    rmSync(mailbox, { force: true });
    spawnSync('lastlog', ['-C', '-u', login], { stdio: 'ignore' });
    assert.equal(await accountTool('userdel', ['-r', login]), 0, `userdel -r ${login} failed: remove the account by hand`);
  });
  const entry = execFileSync('getent', ['passwd', login], { encoding: 'utf8' }).split(':');
  const [uid, gid, home] = [Number(entry[2]), Number(entry[3]), entry[5]];
  for (const [name, text] of [['.plan', 'Find the moth.\nThen fix the bug.\n'], ['.project', 'COBOL\n'], ['.pgpkey', 'KEY\n']]) {
    writeFileSync(path.join(home, name), text, { mode: 0o644 });
    chownSync(path.join(home, name), uid, gid);
  }
  execFileSync('lastlog', ['-S', '-u', login]);
  // Single-digit days, where a zero-padded day would differ from BSD finger's space-padded one.
  writeFileSync(mailbox, 'From ada Wed Nov  4 09:00:00 2026\n\nhello\n');
  utimesSync(mailbox, new Date('2026-11-02T10:00:00Z'), new Date('2026-11-04T09:00:00Z'));

  // Both backends read the real clock here, as BSD finger does: the builtin one is not given another.
  const ask = async (backend: 'builtin' | 'system') =>
    (await createBackend({ ...fingerDefaults, backend, freshness: 0 }).answer({ kind: 'local', verbose: false, user: login })).text;
  const compare = async (what: string) => {
    const [builtin, system] = [await ask('builtin'), await ask('system')];
    assert.match(system, /^Last login .* on lastlog from localhost\r?$/m, `${what}: the system finger saw our lastlog record`);
    assert.equal(normalise(builtin), normalise(system), what);
    assert.deepEqual(timeLines(builtin), timeLines(system), `${what}: the times, spaces included`);
    return builtin;
  };
  const recent = await compare('a login just now');
  assert.match(recent, /Plan:\nFind the moth\.\nThen fix the bug\.\n$/);
  assert.match(recent, /^New mail received Wed Nov {2}4 09:00 2026 \(UTC\)$/m);

  // A login more than half a year ago, on the 5th of its month: BSD finger then adds the year.
  const old = new Date(Date.now() - 220 * 86_400_000);
  old.setUTCDate(5); // at most 26 days later: still 194 days ago
  setLastLoginTime(uid, Math.floor(old.getTime() / 1000));
  assert.match(await compare('a login 200 days ago'), new RegExp(`^Last login \\w{3} \\w{3}  5 \\d\\d:\\d\\d ${old.getUTCFullYear()} \\(UTC\\)`, 'm'));
});
