// Starts Debian's in.fingerd (BSD fingerd) the classic way, under openbsd-inetd on a free
// loopback port, for tests and the benchmark; stop() kills inetd and waits for it.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { missingPeers, peers, skipReason } from './available.ts';

export interface InetdFingerd {
  port: number;
  stop(): Promise<void>;
}

/**
 * Why the peer cannot run here (node:test's `skip` value; the benchmark prints it), or false when
 * it can. in.fingerd answers by running finger(1), so the finger client is needed too.
 */
export function inetdFingerdUnavailable(): string | false {
  return missingPeers('inetd', 'in.fingerd', 'finger') || (process.getuid?.() !== 0 && skipReason('inetd must run as root to start in.fingerd as nobody'));
}

export async function startInetdFingerd(): Promise<InetdFingerd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netlab-inetd-'));
  const port = await freePort();
  const conf = path.join(dir, 'inetd.conf');
  // -R 100000: inetd otherwise throttles a service after 256 connections a minute. tcpd comes
  // with openbsd-inetd.
  writeFileSync(conf, `127.0.0.1:${port} stream tcp nowait nobody /usr/sbin/tcpd ${peers['in.fingerd'].file}\n`);
  const inetd = spawn(peers.inetd.file, ['-i', '-R', '100000', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  inetd.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => inetd.once('exit', () => resolve()));
  const stop = async () => {
    if (inetd.exitCode === null && inetd.signalCode === null) inetd.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForListener(port, () => inetd.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`inetd did not start on port ${port}: ${(error as Error).message} ${stderr}`);
  }
  return { port, stop };
}

async function waitForListener(port: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (gone()) throw new Error('inetd exited');
    // Asking for nothing would run in.fingerd once per probe; a refused connect is all we look at.
    const listening = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ host: '127.0.0.1', port });
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (listening) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out');
}
