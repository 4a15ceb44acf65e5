// What every command netlab answers itself is given (commands.ts and the modules it gathers), and
// the helpers they share.

import type { DataChannelOptions } from './data-channel.ts';
import { FtpReplyError, type RootedFileSystem } from './filesystem.ts';
import type { Connection, FtpCommand } from './ftp-srv-adapter.ts';

/** Log fields a command adds to its request-log line (xferlog-like for transfers). */
export type LogFields = Record<string, unknown>;

/** What a command runs with: its connection, its parsed line, and the session's settings. */
export interface CommandContext {
  connection: Connection;
  command: FtpCommand;
  data: DataChannelOptions;
  /** The address PASV announces when the control connection's local address is not the one to give (NAT). */
  passiveAddress?: string;
  /** The time of day (LIST shows the year of a file older than six months or in the future). */
  now: () => number;
  /** A transfer registers its abort here so that ABOR, read while it runs, can stop it. */
  onTransfer(abort: AbortController | undefined): void;
  abortedTransfer: () => boolean;
  /** ftp-srv's own handler for this command. */
  fallback: () => Promise<unknown>;
}

export type Override = (context: CommandContext) => Promise<LogFields | void>;

/** The file system's refusal (its code, 550 unless it says otherwise), naming virtual paths only. */
export async function refuse(connection: Connection, error: unknown): Promise<void> {
  if (!(error instanceof FtpReplyError)) throw error;
  await connection.reply(error.code, error.message);
}

/** A name as a virtual path for the log, '?' when it is not a valid name. */
export function safeVirtual(fs: RootedFileSystem, name: string | null): string {
  try {
    return fs.virtualPath(name ?? '');
  } catch {
    return '?';
  }
}

