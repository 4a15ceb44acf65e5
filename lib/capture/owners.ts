// Who owns each endpoint of a live capture, as `netlab ports` finds it (lib/net/procnet.ts): the
// sockets are looked at while the capture runs (every 50 ms), since a client's socket is gone (or in TIME_WAIT,
// which no process holds) by the time the diagram is drawn.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readSockets, socketOwners, type SocketFilter } from '../net/procnet.ts';

/**
 * "netlab tcp-client" for a netlab command — node running scripts/tcp-client.ts, bin/netlab.js
 * tcp-client, or lib/cli/main.js tcp-client (a daemon of `netlab start`) — else the program.
 */
export function ownerName(pid: number, program: string, procRoot = '/proc'): string {
  let argv: string[];
  try {
    argv = readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return program;
  }
  const script = argv.find((arg) => /(^|[/\\])scripts[/\\][\w-]+\.ts$/.test(arg));
  if (script) return `netlab ${path.basename(script, '.ts')}`;
  const bin = argv.findIndex((arg) => /(^|[/\\])(netlab(\.js)?|lib[/\\]cli[/\\]main\.[jt]s)$/.test(arg));
  if (bin >= 0 && argv[bin + 1]) return `netlab ${argv[bin + 1]}`;
  return program;
}

export interface OwnerWatch {
  /** Endpoint ("127.0.0.1:8016", "*:8016" for a socket bound to any address) → owner. */
  programs: Map<string, string>;
  stop(): void;
}

/**
 * Looks at the socket table now and every `everyMs` until stopped, and at the owners of the
 * sockets it has not seen yet: reading /proc/net/tcp is cheap, scanning every process's
 * descriptors is not, so the scan runs only when a socket is new. A client that lives a few
 * milliseconds (`netlab tcp-client hello`) may still come and go between two looks.
 * Nothing is lost if /proc cannot be read (not Linux).
 */
export function watchOwners(filter: SocketFilter, everyMs = 50): OwnerWatch {
  const programs = new Map<string, string>();
  const seen = new Set<number>();
  const look = () => {
    try {
      // TIME_WAIT sockets have inode 0: no process holds them.
      const fresh = readSockets(filter, { owners: false }).filter((entry) => entry.inode !== 0 && !seen.has(entry.inode));
      if (fresh.length === 0) return;
      const owners = socketOwners('/proc', new Set(fresh.map((entry) => entry.inode)));
      for (const entry of fresh) {
        seen.add(entry.inode);
        const owner = owners.get(entry.inode);
        if (!owner) continue;
        const anyAddress = /^(0\.0\.0\.0|::)$/.test(entry.localHost);
        const host = entry.localHost.includes(':') ? `[${entry.localHost}]` : entry.localHost;
        const key = anyAddress ? `*:${entry.localPort}` : `${host}:${entry.localPort}`;
        if (!programs.has(key)) programs.set(key, ownerName(owner.pid, owner.program));
      }
    } catch {
      // not Linux, or /proc unreadable: the lanes are named by their endpoints only
    }
  };
  look();
  const timer = setInterval(look, everyMs);
  timer.unref();
  return { programs, stop: () => clearInterval(timer) };
}
