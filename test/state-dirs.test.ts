import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { NetlabError } from '../lib/errors.ts';
import { packageRoot } from '../lib/paths.ts';
import { describeMoves, prepareStateDir, StateDirs, type StateDirMove } from '../lib/state-dirs.ts';
import { isAlive } from '../lib/services/identity.ts';
import { readPid } from '../lib/services/pidfile.ts';
import { tempDir } from './helpers.ts';
import { runCommand, startCommand } from './peers/net-peers.ts';
import { netlabBin, nobodyCommand, nobodyScratch, nobodyUid, skipUnlessNobody } from './peers/nobody.ts';
import { skipBecause } from './peers/available.ts';

// A teacher's shared install: the checkout (here a stand-in, found through NETLAB_CONFIG) belongs
// to root, and an ordinary user runs netlab in it. Nothing of theirs may need to be written there.

/** A root-owned "checkout" nobody may only read, and nobody's own home with XDG folders in it. */
function sharedInstall(t: Parameters<typeof tempDir>[0]) {
  const scratch = nobodyScratch(t);
  const checkout = scratch.readOnly('checkout');
  writeFileSync(path.join(checkout, 'netlab.config.ts'), 'export default {};\n');
  const home = scratch.writable('home');
  const { NODE_OPTIONS, ...inherited } = process.env;
  void NODE_OPTIONS;
  const env: NodeJS.ProcessEnv = { ...inherited, NETLAB_CONFIG: path.join(checkout, 'netlab.config.ts'), HOME: home, XDG_STATE_HOME: path.join(home, 'state'), XDG_RUNTIME_DIR: path.join(home, 'run') };
  for (const name of Object.keys(env)) if (name.startsWith('NETLAB_') && name !== 'NETLAB_CONFIG') delete env[name];
  const netlab = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const [command, commandArgs] = nobodyCommand(process.execPath, [netlabBin, ...args]);
    return runCommand(command, commandArgs, { env: { ...env, ...extra } });
  };
  return { checkout, home, env, netlab };
}

const note = (checkout: string) =>
  `note: ${checkout}/data, ${checkout}/data/log and ${checkout}/data/run are not writable; data goes to ~/state/netlab, logs to ~/state/netlab/log, pidfiles to ~/run/netlab (set NETLAB_DATA_DIR, NETLAB_LOG_DIR, NETLAB_PID_DIR to choose)`;

test('port 23 as an ordinary user in a root-owned checkout: the lab\'s answer, after one note on where logs go', async (t) => {
  if (skipUnlessNobody(t)) return;
  const firstFree = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  if (firstFree <= 23) return void skipBecause(t, `net.ipv4.ip_unprivileged_port_start is ${firstFree} here: every user may bind port 23`);
  const { checkout, home, netlab } = sharedInstall(t);
  const result = await netlab(['udp-server', '--port', '23']);
  assert.equal(result.code, 5, result.stderr);
  assert.equal(result.stderr, `${note(checkout)}\nerror: port 23 is privileged (below 1024) — run as root or choose a port ≥ 1024 (e.g. --port 2323)\n`);
  assert.ok(existsSync(path.join(home, 'state/netlab/log/udp-server.log')), 'the log is in the user\'s state folder');
  assert.equal(statSync(path.join(home, 'run/netlab')).mode & 0o777, 0o700);
});

test('when even the per-user folder cannot be written, the error names it and the variables that move it', async (t) => {
  if (skipUnlessNobody(t)) return;
  const { checkout, netlab } = sharedInstall(t);
  const result = await netlab(['udp-server', '--port', '0'], { HOME: '/nonexistent', XDG_STATE_HOME: '', XDG_RUNTIME_DIR: '' });
  assert.equal(result.code, 5, result.stderr);
  assert.equal(
    result.stderr,
    `error: cannot write netlab's logs in /nonexistent/.local/state/netlab/log (permission denied), nor in ${checkout}/data/log — set NETLAB_LOG_DIR (or XDG_STATE_HOME) to a folder you can write\n`,
  );
});

test('a daemon an ordinary user starts is found by status and stopped: every command picks the same folders', async (t) => {
  if (skipUnlessNobody(t, { respawns: true })) return;
  const { checkout, home, netlab } = sharedInstall(t);
  const pidfile = path.join(home, 'run/netlab/qotd.pid');
  t.after(() => {
    const pid = readPid(pidfile);
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  const started = await netlab(['start', 'qotd', '--port', '0']);
  assert.equal(started.code, 0, started.stderr);
  assert.equal(started.stderr, `${note(checkout)}\n`, 'said once, not once per folder');
  assert.match(started.stdout, new RegExp(`qotd@\\d+ started: pid ${readPid(pidfile)}, .*log ${home}/state/netlab/log/qotd.log`));
  assert.doesNotMatch(readFileSync(path.join(home, 'state/netlab/log/qotd.log'), 'utf8'), /^note:/m, 'the daemon is handed the folders, it does not move them again');

  const status = await netlab(['status', 'qotd', '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout)[0].status, 'running');
  const stopped = await netlab(['stop', 'qotd']);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(existsSync(pidfile), false);
});

test("ftpd run by an ordinary user serves its own root, made with the checkout's welcome file", async (t) => {
  if (skipUnlessNobody(t)) return;
  const { home, env } = sharedInstall(t);
  const [command, args] = nobodyCommand(process.execPath, [netlabBin, 'ftpd', '--port', '0']);
  const { output } = await startCommand(t, command, args, /listening on ftp 127\.0\.0\.1:\d+/, { env });
  const root = path.join(home, 'state/netlab/ftp');
  assert.match(output(), new RegExp(`serving ${root};`));
  assert.equal(readFileSync(path.join(root, 'welcome.txt'), 'utf8'), readFileSync(path.join(packageRoot, 'data/fixtures/ftp/welcome.txt'), 'utf8'));
});

test('the social fixture shipped in the checkout is read from there', async (t) => {
  if (skipUnlessNobody(t)) return;
  const { netlab } = sharedInstall(t);
  const result = await netlab(['social', 'user', 'ReseauxTelecom', '--provider', 'fixture']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /@ReseauxTelecom/);
});

/** A move to the shared /tmp/netlab-UID, pointed at a folder of the test's. */
function sharedTmpConfig(dir: string) {
  const move: StateDirMove = { key: 'pidDir', from: '/checkout/data/run', to: dir, base: 'XDG_RUNTIME_DIR', inSharedTmp: true };
  return { dataDir: '/unused', logDir: '/unused', pidDir: dir, stateDirs: new StateDirs([move]) };
}

test('/tmp/netlab-UID made by another user is refused, so nobody else can plant our pidfiles', async (t) => {
  if (process.getuid?.() !== 0) return void skipBecause(t, 'needs root to make a folder that belongs to another user');
  const theirs = path.join(tempDir(t), 'netlab-0');
  mkdirSync(theirs, { mode: 0o700 });
  chownSync(theirs, nobodyUid, nobodyUid);
  assert.throws(
    () => prepareStateDir(sharedTmpConfig(theirs), 'pidDir'),
    (error: NetlabError) => error.code === 'E_PERMISSION' && error.exitCode === 5 && /belongs to uid 65534/.test(error.message) && /XDG_RUNTIME_DIR or NETLAB_PID_DIR/.test(error.hint!),
  );
});

test('/tmp/netlab-UID: a symlink is refused, a folder of ours open to others is closed to 0700', (t) => {
  const dir = tempDir(t);
  const planted = path.join(dir, 'planted');
  symlinkSync(dir, planted);
  assert.throws(() => prepareStateDir(sharedTmpConfig(planted), 'pidDir'), /not a plain folder/);

  const ours = path.join(dir, 'ours');
  mkdirSync(ours);
  chmodSync(ours, 0o777);
  prepareStateDir(sharedTmpConfig(ours), 'pidDir');
  assert.equal(statSync(ours).mode & 0o777, 0o700);
});

test('the note names the folder, where its files go instead, and the variable to choose', () => {
  const move: StateDirMove = { key: 'logDir', from: '/srv/netlab/data/log', to: '/home/ada/.local/state/netlab/log', base: 'XDG_STATE_HOME', inSharedTmp: false };
  assert.equal(describeMoves([move], '/home/ada'), '/srv/netlab/data/log is not writable; logs go to ~/.local/state/netlab/log (set NETLAB_LOG_DIR to choose)');
});
