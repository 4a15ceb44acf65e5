import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

test('builtin and system backends tell the same about a real account (passwd, lastlog, mail, dot-files)', async (t) => {
  if (skipWithout(t, 'finger', 'useradd', 'lastlog')) return;
  if (process.getuid?.() !== 0) {
    skipBecause(t, 'creating a real account needs root');
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
  writeFileSync(mailbox, 'From ada Tue Nov 24 09:00:00 2026\n\nhello\n');
  utimesSync(mailbox, new Date('2026-11-20T10:00:00Z'), new Date('2026-11-24T09:00:00Z'));

  const builtin = await createBackend({ ...fingerDefaults, backend: 'builtin' }).answer({ kind: 'local', verbose: false, user: login });
  const system = await createBackend({ ...fingerDefaults, backend: 'system' }).answer({ kind: 'local', verbose: false, user: login });
  assert.match(system.text, /^Last login .* on lastlog from localhost$/m, 'the system finger saw our lastlog record');
  assert.equal(normalise(builtin.text), normalise(system.text));
  assert.match(builtin.text, /Plan:\nFind the moth\.\nThen fix the bug\.\n$/);
});
