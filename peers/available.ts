// The real programs the tests talk to ("peers"), the Debian package of each, and the one way a
// test asks for them: a missing peer skips its test loudly, naming the package, or fails it when
// NETLAB_REQUIRE_PEERS=1 (CI installs every peer, so nothing there may be skipped in silence).

import { existsSync } from 'node:fs';
import { findExecutable } from '../lib/executables.ts';

interface PeerSpec {
  /** The Debian package that brings it. */
  debian: string;
  /** Where it is found: a program on PATH (or /usr/sbin), or an absolute file. */
  program?: string;
  file?: string;
}

/** Every peer a test or a bench may need. Python modules are those of Debian's /usr/bin/python3. */
export const peers = {
  curl: { debian: 'curl', program: 'curl' },
  socat: { debian: 'socat', program: 'socat' },
  nc: { debian: 'netcat-openbsd', program: 'nc' },
  python3: { debian: 'python3', file: '/usr/bin/python3' },
  pyftpdlib: { debian: 'python3-pyftpdlib', file: '/usr/lib/python3/dist-packages/pyftpdlib' },
  networkx: { debian: 'python3-networkx', file: '/usr/lib/python3/dist-packages/networkx' },
  vsftpd: { debian: 'vsftpd', file: '/usr/sbin/vsftpd' },
  lftp: { debian: 'lftp', program: 'lftp' },
  xmllint: { debian: 'libxml2-utils', program: 'xmllint' },
  finger: { debian: 'finger', program: 'finger' },
  'in.fingerd': { debian: 'fingerd', file: '/usr/sbin/in.fingerd' },
  inetd: { debian: 'openbsd-inetd', file: '/usr/sbin/inetd' },
  tshark: { debian: 'tshark', program: 'tshark' },
  tcpdump: { debian: 'tcpdump', program: 'tcpdump' },
  chromium: { debian: 'chromium', file: '/usr/bin/chromium' },
  wrk: { debian: 'wrk', program: 'wrk' },
  iperf3: { debian: 'iperf3', program: 'iperf3' },
  setpriv: { debian: 'util-linux', program: 'setpriv' },
  runuser: { debian: 'util-linux', program: 'runuser' },
  unshare: { debian: 'util-linux', program: 'unshare' },
  prlimit: { debian: 'util-linux', program: 'prlimit' },
  script: { debian: 'bsdutils', program: 'script' },
  openssl: { debian: 'openssl', program: 'openssl' },
  useradd: { debian: 'passwd', program: 'useradd' },
  lastlog: { debian: 'login', program: 'lastlog' },
  ls: { debian: 'coreutils', program: 'ls' },
} as const satisfies Record<string, PeerSpec>;

export type PeerName = keyof typeof peers;

/** The peer's path on this machine, or undefined when it is not installed. */
export function peerPath(name: PeerName): string | undefined {
  const spec: PeerSpec = peers[name];
  if (spec.file) return existsSync(spec.file) ? spec.file : undefined;
  return findExecutable(spec.program!);
}

/** True when CI asked that no peer be skipped. */
export const peersRequired = process.env.NETLAB_REQUIRE_PEERS === '1';

/**
 * Why a test needing these peers cannot run here, or false when all are installed: the value of
 * node:test's `skip` option. The reason names each missing program and its package in the form
 * the summary at the end of `npm test` collects ("(Debian package X)").
 * Under NETLAB_REQUIRE_PEERS=1 a missing peer throws instead, so its test (or file) fails.
 */
export function missingPeers(...names: PeerName[]): string | false {
  const missing = names.filter((name) => !peerPath(name));
  if (missing.length === 0) return false;
  const reason = `SKIPPED LOUDLY: needs ${missing.map((name) => `${name} (Debian package ${peers[name].debian})`).join(', ')}`;
  if (peersRequired) throw new Error(`${reason.replace('SKIPPED LOUDLY: needs', 'missing peer:')}, and NETLAB_REQUIRE_PEERS=1 forbids skipping`);
  return reason;
}

/**
 * Inside a test: skips it (returning true) when a peer is missing, so the test can `return`.
 * `if (skipWithout(t, 'curl')) return;`
 */
export function skipWithout(t: { skip(message?: string): void }, ...names: PeerName[]): boolean {
  const reason = missingPeers(...names);
  if (reason) t.skip(reason);
  return reason !== false;
}

/**
 * A skip that no package cures (root needed, no IPv6 here…): still loud, and under
 * NETLAB_REQUIRE_PEERS=1 still a skip, since CI cannot change the machine.
 */
export function skipBecause(t: { skip(message?: string): void }, why: string): true {
  t.skip(skipReason(why));
  return true;
}

/** The words of skipBecause, for node:test's `skip` option or a helper that says why it cannot run. */
export function skipReason(why: string): string {
  return `SKIPPED LOUDLY: ${why}`;
}
