// The commands netlab answers itself instead of ftp-srv (the rest are ftp-srv's, through
// ftp-srv-adapter.ts): data-connection set-up without FTP bounce (data-commands.ts), transfers and
// listings (transfer-commands.ts), and here an honest FEAT, a re-triable USER, TYPE, MKD and RNTO.

import { refuse, type CommandContext, type Override } from './command-context.ts';
import { active, passive } from './data-commands.ts';
import type { RootedFileSystem } from './filesystem.ts';
import { abort, listing, retrieve, status, store, storeUnique } from './transfer-commands.ts';

export type { LogFields } from './command-context.ts';

/** Commands answered here; `auth` says whether they need a logged-in user. */
export const overrides: Record<string, { auth: boolean; run: Override }> = {
  USER: { auth: false, run: user },
  FEAT: { auth: false, run: features },
  TYPE: { auth: true, run: representationType },
  PASV: { auth: true, run: passive },
  EPSV: { auth: true, run: passive },
  PORT: { auth: true, run: active },
  EPRT: { auth: true, run: active },
  RETR: { auth: true, run: retrieve },
  STOR: { auth: true, run: store },
  APPE: { auth: true, run: store },
  STOU: { auth: true, run: storeUnique },
  ABOR: { auth: true, run: abort },
  LIST: { auth: true, run: listing },
  NLST: { auth: true, run: listing },
  STAT: { auth: true, run: status },
  MKD: { auth: true, run: makeDirectory },
  XMKD: { auth: true, run: makeDirectory },
  RNTO: { auth: true, run: renameTo },
};

/** USER may be sent again after a failed PASS (ftp-srv answers "Username already set"). */
async function user({ connection, command }: CommandContext): Promise<void> {
  if (connection.authenticated) return void (await connection.reply(530, 'Already logged in'));
  if (!command.arg) return void (await connection.reply(501, 'Give a user name: USER anonymous'));
  connection.username = command.arg;
  const anonymous = /^(anonymous|ftp)$/i.test(command.arg);
  await connection.reply(331, anonymous ? 'Anonymous login ok, send your e-mail address as password' : 'Password required');
}

/** RFC 2389: only what this server really does; the TLS commands only with a certificate. */
async function features({ connection, data }: CommandContext): Promise<void> {
  const list = ['EPRT', 'EPSV', 'MDTM', 'PASV', 'REST STREAM', 'SIZE', 'TVFS', 'UTF8'];
  if (data.tls) list.push('AUTH TLS', 'PBSZ', 'PROT');
  await connection.reply(211, 'Features:', ...list.sort().map((feature) => ({ message: ` ${feature}`, raw: true })), 'End');
}

/**
 * TYPE (RFC 959 §3.1.1): A (or A N) and I (or L 8); other types and formats are not implemented.
 * Answered here because ftplib sends it before every transfer: ftp-srv's handler costs a logger
 * child and a bluebird chain each time.
 */
async function representationType({ connection, command }: CommandContext): Promise<void> {
  const type = (command.arg ?? '').trim().toUpperCase();
  if (type === 'A' || type === 'A N') connection.transferType = 'ascii';
  else if (type === 'I' || type === 'L 8' || type === 'L8') connection.transferType = 'binary';
  else return void (await connection.reply(/^[AEIL]\b/.test(type) ? 504 : 501, /^[AEIL]\b/.test(type) ? `TYPE ${type} not implemented: use A or I` : 'Syntax: TYPE A or TYPE I'));
  await connection.reply(200, `Switch to "${connection.transferType}" transfer mode.`);
}

/**
 * MKD (RFC 959 §4.1.3): 257 with the folder's path quoted, a quote in it doubled (§7). Answered
 * here, as RNTO, so that a refusal keeps its code: 553 for a name not allowed (a CR or LF in it),
 * where ftp-srv answers every failure 550.
 */
async function makeDirectory({ connection, command }: CommandContext): Promise<void> {
  try {
    const made = await (connection.fs as RootedFileSystem).mkdir(command.arg ?? '');
    await connection.reply(257, `"${made.replace(/"/g, '""')}"`);
  } catch (error) {
    await refuse(connection, error);
  }
}

/** RNTO (RFC 959 §4.1.3): the name RNFR checked (ftp-srv's RNFR keeps it on the connection). */
async function renameTo({ connection, command }: CommandContext): Promise<void> {
  const from = connection.renameFrom;
  if (from === undefined) return void (await connection.reply(503, 'Send RNFR first'));
  connection.renameFrom = undefined;
  try {
    await (connection.fs as RootedFileSystem).rename(from, command.arg ?? '');
    await connection.reply(250);
  } catch (error) {
    await refuse(connection, error);
  }
}

