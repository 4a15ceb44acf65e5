// Real FTP servers to test and benchmark against: Debian's vsftpd and pyftpdlib, each started
// in the foreground on a free loopback port, serving a given folder, stopped by close().

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { peers, type PeerName } from './available.ts';

/** What each server needs installed: ask missingPeers(...) before starting it. */
export const vsftpdNeeds: readonly PeerName[] = ['vsftpd'];
export const pyftpdlibNeeds: readonly PeerName[] = ['python3', 'pyftpdlib'];

export interface FtpPeer {
  port: number;
  close(): Promise<void>;
}

export interface FtpPeerOptions {
  /** The folder served to anonymous users. */
  root: string;
  /** Anonymous users may upload, make folders, delete and rename. */
  writable?: boolean;
}

/**
 * vsftpd, anonymous, rooted at `root`: in the foreground (listen=YES, background=NO), seccomp
 * off, a private empty secure_chroot_dir (docs/architecture.md, "Facts about the real peers"). The anonymous session runs as the `ftp` user, so the root is
 * made world-readable (0755). vsftpd refuses a writable chroot root ("500 OOPS: refusing to run
 * with writable root inside chroot()", even with allow_writeable_chroot on 3.0.3), so `writable`
 * creates `incoming/` (0777) and uploads go there, as on our server.
 */
export async function startVsftpd(options: FtpPeerOptions): Promise<FtpPeer> {
  const port = await freePort();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'netlab-vsftpd-'));
  const empty = path.join(scratch, 'empty');
  mkdirSync(empty);
  const settings = [
    'listen=YES',
    'listen_ipv6=NO',
    'background=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'anonymous_enable=YES',
    'local_enable=NO',
    'no_anon_password=YES',
    `anon_root=${path.resolve(options.root)}`,
    'pasv_address=127.0.0.1',
    `secure_chroot_dir=${empty}`,
    'seccomp_sandbox=NO',
    'xferlog_enable=NO',
    'use_localtime=YES',
    'max_clients=0',
    'max_per_ip=0',
    // The benchmark sends 1 GiB: never throttle, never time out a healthy transfer.
    'anon_max_rate=0',
    'data_connection_timeout=60',
    'idle_session_timeout=60',
  ];
  chmodSync(options.root, 0o755);
  if (options.writable) {
    const incoming = path.join(options.root, 'incoming');
    mkdirSync(incoming, { recursive: true });
    chmodSync(incoming, 0o777);
    settings.push('write_enable=YES', 'anon_upload_enable=YES', 'anon_mkdir_write_enable=YES', 'anon_other_write_enable=YES', 'anon_umask=022');
  }
  const configFile = path.join(scratch, 'vsftpd.conf');
  writeFileSync(configFile, `${settings.join('\n')}\n`);
  const child = spawn(peers.vsftpd.file, [configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  return supervise(child, port, 'vsftpd', () => rmSync(scratch, { recursive: true, force: true }));
}

/** pyftpdlib (Debian's python3-pyftpdlib): `python3 -m pyftpdlib -i 127.0.0.1 -p N -d DIR [-w]`. */
export async function startPyftpdlib(options: FtpPeerOptions): Promise<FtpPeer> {
  const port = await freePort();
  const args = ['-m', 'pyftpdlib', '-i', '127.0.0.1', '-p', String(port), '-d', path.resolve(options.root)];
  if (options.writable) args.push('-w');
  // Debian's python3, not a pyenv one earlier on PATH (it has no pyftpdlib).
  const child = spawn(peers.python3.file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return supervise(child, port, 'pyftpdlib');
}

/** Waits for the 220 greeting; kills the child (and cleans up) on close or on failure to start. */
async function supervise(child: ChildProcess, port: number, name: string, cleanup: () => void = () => {}): Promise<FtpPeer> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    cleanup();
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      cleanup();
      throw new Error(`${name} exited with ${child.exitCode} before listening: ${stderr.trim()}`);
    }
    if (await greets(port)) return { port, close };
    if (Date.now() > deadline) {
      await close();
      throw new Error(`${name} did not greet on port ${port} within 10 s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True when something on 127.0.0.1:port answers with an FTP 220 greeting. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (/^220 /m.test(text)) {
        socket.write('QUIT\r\n');
        done(true);
      }
    });
  });
}
