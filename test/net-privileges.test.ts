import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../lib/paths.ts';
import { isolatedEnv, nodeWithTsx, tempDir } from './helpers.ts';
import { skipBecause, skipWithout } from './peers/available.ts';
import { asNobody, nobodyCanRead } from './peers/nobody.ts';
import { runCommand, test } from './peers/net-peers.ts';

// What an ordinary user meets. The tests run as root in CI, so the scripts run as `nobody` — or,
// where nobody cannot read this checkout (a clone under a private folder), as root stripped of
// the capabilities an ordinary user lacks: the kernel refuses both in the same way.
const withoutCapabilities = ['--inh-caps=-net_bind_service,-net_raw,-net_admin', '--bounding-set=-net_bind_service,-net_raw,-net_admin'];

/** Skips the test (returning true) unless we can drop privileges: root, and setpriv. */
function skipUnlessUnprivilegedRuns(t: { skip(message?: string): void }): boolean {
  if (skipWithout(t, 'setpriv')) return true;
  if (process.getuid?.() !== 0) return skipBecause(t, 'needs root to drop privileges (setpriv); run the tests as root to check this');
  return false;
}

/** Runs `scripts/NAME.ts …` without privileges (first in a fresh network namespace if asked). */
function runUnprivileged(t: { after(fn: () => void): void }, script: string, args: string[], ownNetwork = false) {
  const dir = tempDir(t);
  chmodSync(dir, 0o777);
  const env = isolatedEnv(dir, { HOME: dir });
  const file = path.join(packageRoot, 'scripts', `${script}.ts`);
  const drop = nobodyCanRead(file) ? asNobody : withoutCapabilities;
  const command = ['setpriv', ...drop, ...nodeWithTsx, file, ...args];
  return ownNetwork ? runCommand('unshare', ['--net', '--', ...command], { env }) : runCommand(command[0], command.slice(1), { env });
}

test('binding a port below 1024 as an ordinary user says the port is privileged', async (t) => {
  if (skipUnlessUnprivilegedRuns(t)) return;
  // Linux lets anyone bind from net.ipv4.ip_unprivileged_port_start up (containers often set 0).
  // A new network namespace starts again from 1024: its loopback is down, so bind 0.0.0.0 there.
  const firstFree = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  const ownNetwork = firstFree <= 23;
  if (ownNetwork && skipWithout(t, 'unshare')) return;
  if (ownNetwork && (await runCommand('unshare', ['--net', 'true'])).code !== 0) {
    skipBecause(t, `net.ipv4.ip_unprivileged_port_start is ${firstFree} here and no new network namespace may be made: every user may bind port 23`);
    return;
  }
  const host = ownNetwork ? ['--host', '0.0.0.0'] : [];
  for (const script of ['tcp-server', 'udp-server']) {
    const result = await runUnprivileged(t, script, [...host, '--port', '23'], ownNetwork);
    assert.equal(result.code, 5, `${script}: ${result.stderr}`);
    assert.equal(result.stderr, 'error: port 23 is privileged (below 1024) — run as root or choose a port ≥ 1024 (e.g. --port 2323)\n');
  }
});

for (const tool of ['tshark', 'tcpdump'] as const) {
  test(`capture with ${tool} without capture rights is a clear permission error`, async (t) => {
    if (skipWithout(t, tool) || skipUnlessUnprivilegedRuns(t)) return;
    const result = await runUnprivileged(t, 'capture', ['--tool', tool, '--count', '1', '--duration', '3']);
    assert.equal(result.code, 5, `${tool}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`^error: ${tool} may not capture on lo: this user lacks capture rights — run as root`));
  });
}
