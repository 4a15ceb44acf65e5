// ftpd: an FTP server on ftp-srv (the release ftp-srv-adapter.ts pins) with its sharp edges filed off (see docs/ftp-server.md):
// real-path chroot, explicit logins, no FTP bounce, connection limits, timeouts, FTPS, pino logs.

import { cpSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import type { Server, Socket } from 'node:net';
import path from 'node:path';
import type { FtpServerOptions as FtpSrvOptions } from 'ftp-srv';
import { NetlabError } from '../../errors.ts';
import { packageRoot } from '../../paths.ts';
import type { ServerHandle } from '../../services/handle.ts';
import { silentLog, type RequestLog } from '../../services/log.ts';
import { listenTcp } from '../../net/listen.ts';
import { authenticate, parseAccount, type FtpAccount } from './accounts.ts';
import { plainAddress } from './data-channel.ts';
import { RootedFileSystem } from './filesystem.ts';
import { sweepHiddenUploads } from './hidden-store.ts';
import { createFtpSrv, ftpSrvVersion, takeAcceptHandler, type Connection } from './ftp-srv-adapter.ts';
import { Session } from './session.ts';

export { hashPassword, verifyPassword, type FtpAccount } from './accounts.ts';

export interface FtpServerOptions {
  host: string;
  /** 0 picks a free port; the handle's address.port is the control port. */
  port: number;
  /** The served folder; when it does not exist, created from data/fixtures/ftp (welcome.txt, pub/) with incoming/. */
  root: string;
  /** Anonymous users may upload new files (and make folders) under uploadDir. */
  writable?: boolean;
  /** Anonymous logins allowed (default true). */
  anonymous?: boolean;
  /** Where anonymous uploads go, relative to the root (default incoming). */
  uploadDir?: string;
  /** Named accounts with scrypt password hashes (objects, or "user:hash[:rw]"). */
  accounts?: (FtpAccount | string)[];
  /** The request log: one line per command, xferlog-like fields on transfers. */
  log?: RequestLog;
  /** Passive ports [min, max]; default: any port the system gives. */
  passivePorts?: [number, number];
  /** The address PASV announces (behind NAT); default: the address the client reached us on. */
  passiveAddress?: string;
  /** Connections at once, and from one address (default 100 and 10). */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /** Idle control connection (default 300 s) and data connection set-up/stall (default 60 s). */
  idleTimeoutMs?: number;
  dataTimeoutMs?: number;
  /** Explicit FTPS (AUTH TLS, RFC 4217): PEM certificate and key. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Longest command line (default 4096 bytes). */
  maxLineBytes?: number;
  /** The time of day LIST judges "the last six months" by (Date.now; tests set their own). */
  now?: () => number;
}

/** What a new root starts with: welcome.txt and pub/ (readme.txt, ports.txt), the files the docs fetch. */
const rootTemplate = path.join(packageRoot, 'data/fixtures/ftp');
/** Time a failed login waits before its 530: slows password guessing. */
const loginFailureDelayMs = 300;

export async function startFtpServer(options: FtpServerOptions): Promise<ServerHandle> {
  const log = options.log ?? silentLog;
  const uploadDir = options.uploadDir ?? 'incoming';
  const root = prepareRoot(options.root, uploadDir, options.writable ?? false);
  // A server killed mid-upload left its hidden file (hidden-store.ts): no one will finish it.
  const swept = sweepHiddenUploads(root);
  if (swept.length) log.warn({ event: 'swept', files: swept }, 'removed unfinished uploads left by a stopped server');
  const accounts = (options.accounts ?? []).map(parseAccount);
  const policy = { root, anonymous: options.anonymous ?? true, anonymousUploads: options.writable ?? false, accounts };
  const data = {
    timeoutMs: options.dataTimeoutMs ?? 60_000,
    tls: options.tls,
    portRange: checkedRange(options.passivePorts),
  };

  const { ftp, server, connections } = createFtpSrv({
    url: `ftp://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`,
    anonymous: false, // every login goes through our handler
    greeting: [`netlab ftpd (ftp-srv ${ftpSrvVersion})`],
    tls: options.tls ?? false,
    log: ftpSrvLog(log) as FtpSrvOptions['log'],
  });

  ftp.on('login', ({ connection, username, password }, resolve, reject) => {
    authenticate(policy, username, password)
      .then(async (access) => {
        access.root = await realpath(access.root).catch(() => {
          throw new Error('Home folder unavailable');
        });
        resolve({ fs: new RootedFileSystem(connection, { access, uploadDir }), cwd: '/' });
      })
      .catch((error: Error) => setTimeout(() => reject(error), loginFailureDelayMs));
  });
  const events = ftp as unknown as NodeJS.EventEmitter;
  events.on('connect', ({ connection }: { connection: Connection }) => {
    // The session lives as long as its socket, whose listeners hold it.
    new Session(connection, {
      log,
      data,
      passiveAddress: options.passiveAddress,
      now: options.now ?? Date.now,
      idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
      maxLineBytes: options.maxLineBytes ?? 4096,
      maxLoginFailures: 3,
    });
  });
  events.on('client-error', ({ context, error }: { context: string; error: Error }) => log.debug({ context, err: error.message }, 'client error'));

  limitConnections(server, options.maxConnections ?? 100, options.maxConnectionsPerIp ?? 10, log);
  const listening = await listenTcp(server, { host: options.host, port: options.port, protocol: 'ftp' });
  let closing: Promise<void> | undefined;
  return {
    address: listening.address,
    close: () =>
      (closing ??= (async () => {
        const open = connections();
        // Say goodbye (RFC 959 §4.2: 421), but a client that never reads (or never finished its TLS
        // handshake) cannot hold the shutdown: after a second its socket is simply destroyed.
        const goodbyes = Promise.all(open.map((connection) => connection.close(421, 'Service shutting down').catch(() => {})));
        await Promise.race([goodbyes, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
        for (const connection of open) connection.commandSocket.destroy();
        await listening.close();
      })()),
  };
}

/**
 * The served root, resolved to its real path. Created on first start from the template, with
 * incoming/, when its parent folder exists; a root that exists is never filled in (it is the user's: a file they deleted stays
 * deleted, and --root on a folder of their own gets nothing added but incoming/ with --writable).
 */
function prepareRoot(root: string, uploadDir: string, writable: boolean): string {
  const absolute = path.resolve(root);
  // Only the root itself is made, never a tree: `--root /srv/ftp/typo/x` must not create folders
  // the user never meant (the default root's parent, the data folder, is there already).
  if (!existsSync(absolute) && !existsSync(path.dirname(absolute))) {
    throw new NetlabError('E_NOT_FOUND', `cannot serve ${absolute}: neither it nor ${path.dirname(absolute)} exists`, {
      hint: `check --root, or create the folder first (mkdir -p ${absolute})`,
    });
  }
  if (!existsSync(absolute)) {
    mkdirSync(path.join(absolute, uploadDir), { recursive: true });
    // force: false — should a file appear meanwhile, it stays as it is.
    if (existsSync(rootTemplate)) cpSync(rootTemplate, absolute, { recursive: true, force: false });
  } else if (writable) {
    mkdirSync(path.join(absolute, uploadDir), { recursive: true });
  }
  try {
    return realpathSync(absolute);
  } catch (error) {
    throw new NetlabError('E_NOT_FOUND', `cannot serve ${absolute}: ${(error as Error).message}`, { hint: 'give an existing folder with --root' });
  }
}

function checkedRange(range: [number, number] | undefined): [number, number] | undefined {
  if (!range || (range[0] === 0 && range[1] === 0)) return undefined;
  const [min, max] = range;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || min > max) {
    throw new NetlabError('E_CONFIG', `passive port range ${min}-${max} is not valid`, { hint: 'give two ports from 1024 to 65535, the first not above the second (or 0-0 for any)' });
  }
  return [min, max];
}

/**
 * Connection limits, checked before ftp-srv sees the socket: over the limit, a client gets
 * "421 Too many connections" and is closed (as vsftpd's max_clients / max_per_ip).
 */
function limitConnections(server: Server, max: number, perIp: number, log: RequestLog): void {
  const ftpSrvHandler = takeAcceptHandler(server);
  const byAddress = new Map<string, number>();
  let total = 0;
  server.on('connection', (socket: Socket) => {
    const address = plainAddress(socket.remoteAddress);
    const fromThere = byAddress.get(address) ?? 0;
    if (total >= max || fromThere >= perIp) {
      const reason = total >= max ? `Too many connections (limit ${max})` : `Too many connections from your address (limit ${perIp})`;
      log.warn({ client: `${address}:${socket.remotePort}`, event: 'refused', reason }, 'connection refused');
      socket.on('error', () => {});
      // The socket is paused (ftp-srv's pauseOnConnect): it would never read the client's FIN, so destroy it once our reply is out.
      socket.end(`421 ${reason}\r\n`, () => socket.destroy());
      return;
    }
    total++;
    byAddress.set(address, fromThere + 1);
    socket.once('close', () => {
      total--;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
    });
    ftpSrvHandler(socket);
  });
}

/**
 * ftp-srv logs through bunyan (to stdout by default). Its own messages go to our pino log at debug
 * level: they are mostly client mistakes, and each command already has its info line.
 */
function ftpSrvLog(log: RequestLog): unknown {
  const child = log.child({ via: 'ftp-srv' });
  const debug = (...args: unknown[]) => (child.debug as (...a: unknown[]) => void)(...args);
  return {
    child: (fields: Record<string, unknown>) => ftpSrvLog(log.child(fields)),
    trace: () => {},
    debug,
    info: debug,
    error: debug,
    warn: (...args: unknown[]) => (child.warn as (...a: unknown[]) => void)(...args),
    fatal: (...args: unknown[]) => (child.error as (...a: unknown[]) => void)(...args),
  };
}
