// Whether this process may capture packets: root, or the CAP_NET_RAW capability (capabilities(7)),
// which is what opening a packet socket takes on Linux.

import { readFileSync, statSync } from 'node:fs';
import { findExecutable } from '../executables.ts';

const capNetRaw = 13; // linux/capability.h

/**
 * Debian's "non-superusers may capture" (dpkg-reconfigure wireshark-common): dumpcap is made
 * root:wireshark 0754 with the capture capabilities, so a member of its group may run it.
 */
function dumpcapAllowsUs(): boolean {
  const dumpcap = findExecutable('dumpcap');
  if (!dumpcap) return false;
  const { mode, gid } = statSync(dumpcap);
  return (mode & 0o001) === 0 && (mode & 0o010) !== 0 && (process.getgroups?.() ?? []).includes(gid);
}

/** Why a capture cannot run here, in a few words with the way to allow it; undefined when it can. */
export function captureRefusal(status = '/proc/self/status'): string | undefined {
  if (!findExecutable('tshark')) return 'tshark is not installed (sudo apt install tshark)';
  if (process.getuid?.() === 0 || dumpcapAllowsUs()) return undefined;
  try {
    const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync(status, 'utf8'))?.[1];
    if (effective && (BigInt(`0x${effective}`) >> BigInt(capNetRaw)) & 1n) return undefined;
  } catch {
    // not Linux: only root may capture here
  }
  // The capture itself is tshark's dumpcap: Debian lets the wireshark group run it with the capability.
  return 'capturing needs root or CAP_NET_RAW (run it with sudo, or: sudo dpkg-reconfigure wireshark-common && sudo usermod -aG wireshark $USER, then log in again)';
}
