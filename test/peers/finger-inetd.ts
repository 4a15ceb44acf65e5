// Starts Debian's in.fingerd (BSD fingerd) the classic way, under openbsd-inetd on a free
// loopback port, for tests and the benchmark; stop() kills inetd and waits for it.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const inetdBinary = '/usr/sbin/inetd';
export const inFingerdBinary = '/usr/sbin/in.fingerd';

export interface InetdFingerd {
  port: number;
  stop(): Promise<void>;
}

/** Why the peer cannot run here, or undefined when it can (tests skip loudly with the reason). */
export function inetdFingerdUnavailable(): string | undefined {
  if (!existsSync(inetdBinary)) return `${inetdBinary} is missing (Debian package openbsd-inetd)`;
  if (!existsSync(inFingerdBinary)) return `${inFingerdBinary} is missing (Debian package fingerd)`;
  if (process.getuid?.() !== 0) return 'inetd must run as root to start in.fingerd as nobody';
  return undefined;
}

/** A port nothing listens on right now (inetd needs a fixed one in its configuration). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startInetdFingerd(): Promise<InetdFingerd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netlab-inetd-'));
  const port = await freePort();
  const conf = path.join(dir, 'inetd.conf');
  // -R 100000: inetd otherwise throttles a service after 256 connections a minute (DESIGN.md §5).
  writeFileSync(conf, `127.0.0.1:${port} stream tcp nowait nobody /usr/sbin/tcpd ${inFingerdBinary}\n`);
  const inetd = spawn(inetdBinary, ['-i', '-R', '100000', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
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
