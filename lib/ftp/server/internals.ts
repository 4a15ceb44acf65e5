// The parts of ftp-srv 4.6.3 that netlab reaches into, typed: its connection object (control
// socket, command table, data connector) and bluebird, whose promises its handlers expect.

import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { FileSystem } from 'ftp-srv';
import type { EventEmitter } from 'node:events';

/** A parsed command line, as ftp-srv's FtpCommands.parse makes it. */
export interface FtpCommand {
  directive: string;
  arg: string | null;
  flags: string[];
  raw: string;
}

/** What ftp-srv's handlers call on `connection.connector` (its connector/base.js interface). */
export interface DataConnector {
  type: string | false;
  readonly socket: Socket | null;
  waitForConnection(): Promise<Socket>;
  end(): void;
}

/** ftp-srv's FtpConnection, as its source has it (its .d.ts types close() wrongly and omits most). */
export interface Connection extends EventEmitter {
  id: string;
  log: { warn(fields: object, message: string): void };
  reply(options: number | { code?: number }, ...letters: unknown[]): Promise<unknown>;
  close(code?: number, message?: string): Promise<unknown>;
  fs?: FileSystem;
  commandSocket: Socket;
  connector: DataConnector;
  commands: {
    parse(line: string): FtpCommand;
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
  bufferSize: number | false;
}

/** A handler in ftp-srv's shape: called with the connection as `this`. */
export type CommandHandler = (this: Connection, context: { command: FtpCommand }) => Promise<unknown>;

interface BluebirdStatic {
  resolve<T>(value: T | PromiseLike<T>): Promise<T>;
}

/** ftp-srv chains bluebird methods (.tap) on what waitForConnection returns: give it bluebird. */
export const Bluebird = createRequire(createRequire(import.meta.url).resolve('ftp-srv'))('bluebird') as BluebirdStatic;
