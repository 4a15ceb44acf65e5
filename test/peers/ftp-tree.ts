// A served tree for ftpd tests, with the traps a real root may hold (links out of it, a link
// loop, a dangling link), a secret file just outside it, and a server on port 0 closed by t.after.

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startFtpServer, type FtpServerOptions } from '../../lib/ftp/server/index.ts';
import type { ServerHandle } from '../../lib/services/handle.ts';
import { tempDir } from '../helpers.ts';

export interface FtpTree {
  /** The scratch folder: holds secret.txt and the root. */
  base: string;
  root: string;
  secret: string;
}

export const secretText = 'TOP SECRET: outside the FTP root\n';
export const helloText = 'hello from netlab ftpd\n';

/**
 * root/                     served
 *   pub/hello.txt           a file to fetch
 *   pub/up -> ..            a link that stays inside (CWD loops through it)
 *   incoming/               anonymous uploads
 *   etclink -> /etc         out of the root
 *   escape -> ..            out of the root (to secret.txt)
 *   loop -> loop            ELOOP
 *   dangling -> ../made-by-ftp.txt   would create a file outside if followed
 * secret.txt                must never be readable
 */
export function makeFtpTree(t: { after(fn: () => void): void }): FtpTree {
  const base = tempDir(t, 'netlab-ftpd-');
  const root = path.join(base, 'root');
  mkdirSync(path.join(root, 'pub'), { recursive: true });
  mkdirSync(path.join(root, 'incoming'));
  writeFileSync(path.join(root, 'pub', 'hello.txt'), helloText);
  symlinkSync('..', path.join(root, 'pub', 'up'));
  symlinkSync('/etc', path.join(root, 'etclink'));
  symlinkSync('..', path.join(root, 'escape'));
  symlinkSync('loop', path.join(root, 'loop'));
  symlinkSync('../made-by-ftp.txt', path.join(root, 'dangling'));
  const secret = path.join(base, 'secret.txt');
  writeFileSync(secret, secretText);
  return { base, root, secret };
}

/** Our server on 127.0.0.1 port 0, serving `root`; the log lines land in `lines`. */
export async function startTestFtpd(
  t: { after(fn: () => unknown): void },
  options: Partial<FtpServerOptions> & { root: string },
): Promise<{ server: ServerHandle; port: number; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const server = await startFtpServer({ host: '127.0.0.1', port: 0, log: pino({ level: 'info' }, sink), ...options });
  t.after(() => server.close());
  return { server, port: server.address.port, lines };
}
