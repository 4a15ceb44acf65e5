import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createBuiltinBackend } from '../lib/finger/builtin.ts';
import { CachedFile, freshFor } from '../lib/finger/cached-file.ts';
import { parsePasswd } from '../lib/finger/passwd.ts';
import { parseUtmp } from '../lib/finger/utmp.ts';
import { tempDir } from './helpers.ts';
import { skipBecause, skipWithout } from './peers/available.ts';

const uid = process.getuid?.() ?? 0;

/** A clock the test turns by hand: freshness windows open and close when the test says, not when a slow machine does. */
function handClock(start = 0) {
  let ms = start;
  return { now: () => ms, advance: (by: number) => void (ms += by) };
}

/** The time of day the answers are computed at: 2 December 2026, a single-digit day, 12:00 UTC. */
const today = Date.parse('2026-12-02T12:00:00Z');

interface FixtureOptions {
  sessions?: string[];
  freshMs?: number;
  /** The clock freshness is measured on. */
  elapsed?: () => number;
  /** The time of day (`today` unless the test needs the real one). */
  now?: () => number;
}

/** A passwd file with one account whose home is ours to fill, and a utmp file made by utmpdump. */
function fixture(t: Parameters<typeof tempDir>[0], { sessions = [], freshMs = 0, elapsed, now = () => today }: FixtureOptions = {}) {
  const dir = tempDir(t, 'netlab-finger-');
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const passwdFile = path.join(dir, 'passwd');
  writeFileSync(passwdFile, [
    '# a comment line',
    `ada:x:${uid}:${uid}:Ada Lovelace,Room 42,555-1234:${home}:/bin/bash`,
    `bob:x:${uid + 1}:${uid + 1}:Bob Builder:/nonexistent:/usr/sbin/nologin`,
    '',
  ].join('\n'));
  // util-linux's utmpdump writes real struct utmp records from its text form.
  const utmpFile = path.join(dir, 'utmp');
  execFileSync('sh', ['-c', 'utmpdump -r > "$1"', 'sh', utmpFile], { input: sessions.join('\n') + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
  const lastlogFile = path.join(dir, 'lastlog');
  const mailDir = path.join(dir, 'mail');
  mkdirSync(mailDir);
  // freshMs 0 by default: the tests edit files between questions and want each edit seen at once.
  const backend = createBuiltinBackend({ passwdFile, utmpFile, lastlogFile, mailDir, maxFileBytes: 4096, freshMs, elapsed, now });
  return { dir, home, utmpFile, lastlogFile, mailDir, passwdFile, backend };
}

const adaOnPts7 = '[7] [04242] [ts/7] [ada     ] [pts/7       ] [10.0.0.5            ] [10.0.0.5       ] [2026-12-01T00:05:00,000000+00:00]';
const bootRecord = '[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0               ] [0.0.0.0        ] [2026-11-24T17:00:00,000000+00:00]';

test('utmp: the sessions `who` sees in a binary utmp file are the ones we parse', (t) => {
  const { utmpFile } = fixture(t, { sessions: [bootRecord, adaOnPts7] });
  const who = execFileSync('who', [utmpFile], { encoding: 'utf8' });
  assert.match(who, /^ada\s+pts\/7\s+2026-12-01 00:05 \(10\.0\.0\.5\)$/m, 'who agrees the file holds one session');
  assert.deepEqual(parseUtmp(readFileSync(utmpFile)), [{ user: 'ada', line: 'pts/7', host: '10.0.0.5', since: new Date('2026-12-01T00:05:00Z'), pid: 4242 }]);
});

test('utmp: a torn record is ignored', () => {
  assert.deepEqual(parseUtmp(Buffer.alloc(100)), []);
});

test('who is logged in: "No one logged on." or one line per session', async (t) => {
  const empty = fixture(t);
  assert.equal((await empty.backend.answer({ kind: 'local', verbose: false })).text, 'No one logged on.\n');
  const busy = fixture(t, { sessions: [adaOnPts7] });
  const { text } = await busy.backend.answer({ kind: 'local', verbose: false });
  assert.match(text, /^Login\s+Name\s+Tty\s+Idle\s+Login Time\s+Where$/m);
  assert.match(text, /^ada\s+Ada Lovelace\s+pts\/7\s+.*Dec  1 00:05\s+10\.0\.0\.5$/m, 'the Login Time column as ctime writes it (sprint.c)');
  const long = await busy.backend.answer({ kind: 'local', verbose: true });
  assert.match(long.text, /^Login: ada\s+Name: Ada Lovelace$/m, '/W lists each logged-in user in full');
});

test('a user: passwd fields, GECOS office, session, and the plan', async (t) => {
  const { home, backend } = fixture(t, { sessions: [adaOnPts7] });
  writeFileSync(path.join(home, '.plan'), 'Write the first program.\n');
  chmodSync(path.join(home, '.plan'), 0o644);
  const answer = await backend.answer({ kind: 'local', verbose: false, user: 'ada' });
  assert.equal(answer.outcome, 'ok');
  assert.match(answer.text, /^Login: ada\s+Name: Ada Lovelace\nDirectory: .*\/home\s+Shell: \/bin\/bash\nOffice: Room 42, 555-1234\n/);
  assert.match(answer.text, /^On since Tue Dec  1 00:05 \(UTC\) on pts\/7 from 10\.0\.0\.5$/m, 'the day padded with a space, as %e');
  assert.match(answer.text, /Plan:\nWrite the first program\.\n$/);
});

test('~/.pgpkey and ~/.project are shown before the plan, in BSD finger\'s order', async (t) => {
  const { home, backend } = fixture(t);
  writeFileSync(path.join(home, '.project'), 'Analytical Engine\n', { mode: 0o644 });
  writeFileSync(path.join(home, '.pgpkey'), '-----BEGIN PGP PUBLIC KEY BLOCK-----\n', { mode: 0o644 });
  const { text } = await backend.answer({ kind: 'local', verbose: false, user: 'ada' });
  assert.match(text, /Never logged in\.\nNo mail\.\nPGP key:\n-----BEGIN PGP PUBLIC KEY BLOCK-----\nProject:\nAnalytical Engine\nNo Plan\.\n$/);
});

test('last login from a lastlog file written by the real lastlog(8); mail from the mailbox times', async (t) => {
  // lastlog -S writes the real time: the backend must read it on the real clock.
  const { dir, passwdFile, lastlogFile, mailDir, backend } = fixture(t, { now: Date.now });
  if (skipWithout(t, 'lastlog')) return;
  if (uid !== 0) {
    skipBecause(t, 'lastlog -R needs root (it chroots) to write the fixture');
    return;
  }
  // lastlog -R ROOT reads ROOT/etc/passwd and writes ROOT/var/log/lastlog.
  mkdirSync(path.join(dir, 'etc'));
  mkdirSync(path.join(dir, 'var/log'), { recursive: true });
  execFileSync('cp', [passwdFile, path.join(dir, 'etc/passwd')]);
  writeFileSync(path.join(dir, 'var/log/lastlog'), '');
  const before = Math.floor(Date.now() / 60_000);
  execFileSync('lastlog', ['-R', dir, '-S', '-u', 'ada']);
  execFileSync('cp', [path.join(dir, 'var/log/lastlog'), lastlogFile]);
  const mailbox = path.join(mailDir, 'ada');
  writeFileSync(mailbox, 'From babbage Wed Nov  4 09:00:00 2026\n\nThe engine works.\n');
  utimesSync(mailbox, new Date('2026-11-02T10:00:00Z'), new Date('2026-11-04T09:00:00Z'));

  const { text } = await backend.answer({ kind: 'local', verbose: false, user: 'ada' });
  const login = /^Last login (\w{3} \w{3} +\d+ \d\d:\d\d) \(UTC\) on lastlog from localhost$/m.exec(text);
  assert.ok(login, text);
  const minute = Math.floor(Date.parse(`${login[1]} ${new Date().getUTCFullYear()} UTC`) / 60_000);
  assert.ok(Math.abs(minute - before) <= 1, `the time lastlog wrote (${login[1]})`);
  assert.match(text, /^New mail received Wed Nov  4 09:00 2026 \(UTC\)\n     Unread since Mon Nov  2 10:00 2026 \(UTC\)$/m);
  utimesSync(mailbox, new Date('2026-11-04T10:00:00Z'), new Date('2026-11-04T09:00:00Z'));
  assert.match((await backend.answer({ kind: 'local', verbose: false, user: 'ada' })).text, /^Mail last read Wed Nov  4 10:00 2026 \(UTC\)$/m);
  const bob = await backend.answer({ kind: 'local', verbose: false, user: 'bob' });
  assert.match(bob.text, /^Never logged in\.\nNo mail\.$/m);
});

test('a ~/.plan that is a symlink, private, owned by another user or a FIFO is not shown', async (t) => {
  const { home, backend } = fixture(t);
  const plan = path.join(home, '.plan');
  const ask = async () => (await backend.answer({ kind: 'local', verbose: false, user: 'ada' })).text;

  symlinkSync('/etc/shadow', plan);
  assert.match(await ask(), /No Plan\.\n$/, 'a link to /etc/shadow is never followed');
  execFileSync('rm', [plan]);

  writeFileSync(plan, 'secret\n', { mode: 0o600 });
  chmodSync(plan, 0o600);
  assert.match(await ask(), /No Plan\.\n$/, 'a plan others cannot read is private');

  chmodSync(plan, 0o644);
  assert.match(await ask(), /Plan:\nsecret\n$/, 'the same file, once world-readable, is shown');

  if (uid === 0) {
    execFileSync('chown', ['65534', plan]);
    assert.match(await ask(), /No Plan\.\n$/, "another user's file in ada's home is not ada's plan");
  }
  execFileSync('rm', [plan]);
  execFileSync('mkfifo', ['-m', '644', plan]);
  assert.match(await ask(), /No Plan\.\n$/, 'a FIFO (RFC 1288 §3.2.5: a program behind the plan) neither hangs nor is read');
});

test('unknown users: "no such user"; a full-name word finds the account (§2.5.3)', async (t) => {
  const { backend } = fixture(t);
  assert.deepEqual(await backend.answer({ kind: 'local', verbose: false, user: 'zelda' }), { text: 'finger: zelda: no such user.\n', outcome: 'no-such-user' });
  const byName = await backend.answer({ kind: 'local', verbose: false, user: 'lovelace' });
  assert.match(byName.text, /^Login: ada /);
  const viaGetent = await backend.answer({ kind: 'local', verbose: false, user: 'root' });
  assert.match(viaGetent.text, /^Login: root\s+Name: /, 'accounts missing from the file are asked of getent (NSS)');
});

test('passwd changes are seen within the freshness window, without a stat per query before it', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'passwd');
  writeFileSync(file, 'ada:x:1:1:Ada:/:/bin/sh\n');
  const clock = handClock();
  const cached = new CachedFile(file, parsePasswd, [], freshFor(100, clock.now));
  assert.deepEqual((await cached.get()).map((entry) => entry.login), ['ada']);
  writeFileSync(file, 'ada:x:1:1:Ada:/:/bin/sh\ngrace:x:2:2:Grace:/:/bin/sh\n');
  clock.advance(99);
  assert.deepEqual((await cached.get()).map((entry) => entry.login), ['ada'], 'still trusted 99 ms later');
  clock.advance(1);
  assert.deepEqual((await cached.get()).map((entry) => entry.login), ['ada', 'grace'], 're-read once the window passed');
  execFileSync('rm', [file]);
  clock.advance(100);
  assert.deepEqual(await cached.get(), [], 'a vanished file holds nobody');
});

test('with a freshness window, a new ~/.plan shows once the window has passed, not before', async (t) => {
  const clock = handClock(1_000);
  const { home, backend } = fixture(t, { freshMs: 150, elapsed: clock.now });
  const plan = async () => /Plan:\n(.*)\n$/.exec((await backend.answer({ kind: 'local', verbose: false, user: 'ada' })).text)?.[1];
  assert.equal(await plan(), undefined);
  writeFileSync(path.join(home, '.plan'), 'Fresh.\n', { mode: 0o644 });
  clock.advance(149);
  assert.equal(await plan(), undefined, 'the read is reused within the window');
  clock.advance(1);
  assert.equal(await plan(), 'Fresh.');
});
