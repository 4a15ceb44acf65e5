// Every place netlab reaches into ftp-srv below its documented API (`new FtpSrv`, the 'login',
// 'connect' and 'client-error' events, FileSystem), in one file. netlab answers most commands
// itself (commands.ts) and keeps from ftp-srv its connection object, its login flow and the
// simple commands (SYST, PWD, CWD, SIZE, MDTM, DELE, RMD, RNFR, REST, HELP, OPTS, AUTH, PBSZ,
// PROT, …). What it touches of ftp-srv's private parts is declared here, and each touch-point has
// a test (test/ftpd-adapter.test.ts) that fails when a new release of ftp-srv moves it. Since
// these are private, package.json pins ftp-srv exactly, and the server refuses to start on
// another version (checkFtpSrvVersion).

import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';
import { FtpSrv, type FileSystem, type FtpServerOptions } from 'ftp-srv';
import { NetlabError } from '../../errors.ts';

/** The release the touch-points below were written and tested against. */
export const ftpSrvVersion = '4.6.3';

const requireHere = createRequire(import.meta.url);
/** require() as ftp-srv's own files do: its dependencies and its src/ files. */
const requireInFtpSrv = createRequire(requireHere.resolve('ftp-srv'));

export function installedFtpSrvVersion(): string {
  return (requireHere('ftp-srv/package.json') as { version: string }).version;
}

/** Refuses to run on another ftp-srv than the one pinned: its private parts may have moved. */
export function checkFtpSrvVersion(installed = installedFtpSrvVersion()): void {
  if (installed === ftpSrvVersion) return;
  throw new NetlabError('E_CONFIG', `ftpd is built on ftp-srv ${ftpSrvVersion}, but ftp-srv ${installed} is installed`, {
    hint: `run npm install in netlab's folder (package.json pins ftp-srv ${ftpSrvVersion}: ftpd reaches into its internals, see lib/ftp/server/ftp-srv-adapter.ts)`,
  });
}

/** A parsed command line, as ftp-srv's handlers take it (`{ command }`). */
export interface FtpCommand {
  directive: string;
  arg: string | null;
  flags: string[];
  raw: string;
}

/** What ftp-srv calls on `connection.connector` (its connector/base.js): end() when the control connection closes. */
export interface DataConnector {
  type: string | false;
  readonly socket: Socket | null;
  waitForConnection(): Promise<Socket>;
  end(): void;
}

/**
 * ftp-srv's FtpConnection (src/connection.js), the fields netlab reads or replaces (its .d.ts
 * types close() wrongly and omits most). Set by ftp-srv's handlers: `authenticated` and `fs`
 * (PASS), `username` (USER), `restByteCount` (REST), `renameFrom` (RNFR), `secure` (AUTH TLS).
 * Replaced by netlab: `reply` (reply.ts), `connector` (data-channel.ts), the socket's 'data'
 * listener (session.ts).
 */
export interface Connection extends EventEmitter {
  id: string;
  log: { warn(fields: object, message: string): void };
  reply(options: number | { code?: number }, ...letters: unknown[]): Promise<unknown>;
  close(code?: number, message?: string): Promise<unknown>;
  fs?: FileSystem;
  commandSocket: Socket;
  connector: DataConnector;
  commands: {
    handle(command: FtpCommand): Promise<unknown>;
  };
  authenticated?: boolean;
  username?: string;
  encoding: BufferEncoding;
  transferType: 'binary' | 'ascii';
  restByteCount: number | undefined;
  /** The name RNFR accepted, for RNTO. */
  renameFrom?: string;
  secure: boolean;
}

/** ftp-srv's default text for each reply code (src/messages.js), for a reply given without one. */
export const defaultMessages = requireInFtpSrv('./src/messages') as Record<number, string>;

interface BluebirdStatic {
  resolve<T>(value: T | PromiseLike<T>): Promise<T>;
}

/** bluebird, ftp-srv's own copy: its handlers chain bluebird methods (.tap) on what a connector's waitForConnection returns. */
export const Bluebird = requireInFtpSrv('bluebird') as BluebirdStatic;

/** An FtpSrv with the private fields netlab needs: its net.Server and its open connections. */
export interface FtpSrvParts {
  ftp: FtpSrv;
  server: Server;
  connections(): Connection[];
}

const exitingSignals = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

/**
 * new FtpSrv(options), less what its constructor does to the process: it installs SIGTERM, SIGINT
 * and SIGQUIT handlers that process.exit(), and netlab's runner owns the signals (a stop closes
 * connections with 421 first). The handlers added during the constructor are removed again.
 */
export function createFtpSrv(options: FtpServerOptions): FtpSrvParts {
  checkFtpSrvVersion();
  const before = new Map(exitingSignals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const ftp = new FtpSrv(options);
  for (const signal of exitingSignals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
  }
  const parts = ftp as unknown as { server: Server; connections: Record<string, Connection> };
  return { ftp, server: parts.server, connections: () => Object.values(parts.connections) };
}

/** ftp-srv's accept handler, taken off its net.Server so that ours runs first (connection limits) and calls it. */
export function takeAcceptHandler(server: Server): (socket: Socket) => void {
  const handlers = server.listeners('connection') as ((socket: Socket) => void)[];
  if (handlers.length !== 1) throw new Error(`ftp-srv ${ftpSrvVersion} has one connection handler, found ${handlers.length}`);
  server.removeAllListeners('connection');
  return handlers[0];
}

/** Our line reader on the control socket in place of ftp-srv's, which takes each TCP chunk as whole commands. */
export function takeOverCommandReader(connection: Connection, onData: (chunk: Buffer) => void): void {
  connection.commandSocket.removeAllListeners('data');
  connection.commandSocket.on('data', onData);
}
