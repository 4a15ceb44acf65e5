// The commands netlab answers itself instead of ftp-srv: data-connection set-up without FTP
// bounce (RFC 2577), fast streaming RETR/STOR with REST and ABOR, listings (LIST, NLST, STAT) that
// refuse a missing folder with 550, an honest FEAT, a re-triable USER.

import { randomBytes } from 'node:crypto';
import { close, createReadStream } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fromNetworkAscii, toNetworkAscii } from './ascii.ts';
import { ActiveChannel, DataChannel, PassiveChannel, plainAddress, type DataChannelOptions } from './data-channel.ts';
import { FtpReplyError, describeSystemError, replyCodeFor, type RootedFileSystem } from './filesystem.ts';
import { FileSender, transferChunkBytes, untilAborted, whenWritten } from './file-sender.ts';
import { formatListLine } from './listing.ts';
import { shownName } from './names.ts';
import { foreignPortOwner } from './port-owner.ts';
import type { Connection, FtpCommand } from './internals.ts';

/** Log fields a command adds to its request-log line (xferlog-like for transfers). */
export type LogFields = Record<string, unknown>;

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

/** PASV (RFC 959 §4.1.2) and EPSV (RFC 2428 §3). */
async function passive({ connection, command, data, passiveAddress }: CommandContext): Promise<void> {
  const extended = command.directive === 'EPSV';
  const family = net.isIPv6(plainAddress(connection.commandSocket.localAddress)) ? '2' : '1';
  if (extended && command.arg && command.arg.toUpperCase() !== 'ALL' && command.arg !== family) {
    return void (await connection.reply(522, `Network protocol not supported, use (${family})`));
  }
  const address = passiveAddress ?? plainAddress(connection.commandSocket.localAddress);
  if (!extended && !net.isIPv4(address)) return void (await connection.reply(425, 'PASV cannot express an IPv6 address: use EPSV'));
  connection.connector.end();
  const channel = new PassiveChannel(connection, data);
  connection.connector = channel;
  const port = await channel.listen();
  if (extended) return void (await connection.reply(229, `Entering Extended Passive Mode (|||${port}|)`));
  await connection.reply(227, `Entering Passive Mode (${address.split('.').join(',')},${port >> 8},${port & 255})`);
}

/**
 * PORT h1,h2,h3,h4,p1,p2 and EPRT |af|addr|port|. The server connects only back to the client's
 * own address and to an unprivileged port: anything else is the FTP bounce attack (RFC 2577 §3).
 */
async function active({ connection, command, data }: CommandContext): Promise<LogFields> {
  const target = command.directive === 'PORT' ? parsePort(command.arg ?? '') : parseExtendedPort(command.arg ?? '');
  if (typeof target === 'string') {
    await connection.reply(target.startsWith('522') ? 522 : 501, target.replace(/^522 /, ''));
    return { refused: target };
  }
  const client = plainAddress(connection.commandSocket.remoteAddress);
  let refusal: string | undefined;
  if (!sameAddress(target.host, client)) refusal = `${target.host} is not your address (FTP bounce refused, RFC 2577)`;
  else if (target.port < 1024) refusal = `port ${target.port} is privileged (FTP bounce refused, RFC 2577)`;
  else refusal = foreignPortOwner(
    { host: client, port: connection.commandSocket.remotePort ?? 0 },
    { host: plainAddress(connection.commandSocket.localAddress), port: connection.commandSocket.localPort ?? 0 },
    target,
  );
  if (refusal) {
    await connection.reply(504, `${command.directive} refused: ${refusal}`);
    return { refused: `${target.host}:${target.port}` };
  }
  connection.connector.end();
  connection.connector = new ActiveChannel(connection, data, target);
  await connection.reply(200, `${command.directive} command successful`);
  return { target: `${target.host}:${target.port}` };
}

function parsePort(argument: string): { host: string; port: number } | string {
  const parts = argument.trim().split(',');
  if (parts.length !== 6 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return 'Syntax: PORT h1,h2,h3,h4,p1,p2';
  const numbers = parts.map(Number);
  return { host: numbers.slice(0, 4).join('.'), port: numbers[4] * 256 + numbers[5] };
}

/** RFC 2428 §2: the first character is the delimiter; 1 is IPv4, 2 is IPv6. */
function parseExtendedPort(argument: string): { host: string; port: number } | string {
  const delimiter = argument[0];
  const fields = delimiter ? argument.split(delimiter) : [];
  if (fields.length !== 5 || fields[0] !== '' || fields[4] !== '') return 'Syntax: EPRT |1|address|port|';
  const [, protocol, host, port] = fields;
  if (protocol !== '1' && protocol !== '2') return '522 Network protocol not supported, use (1,2)';
  if (net.isIP(host) !== (protocol === '1' ? 4 : 6)) return `Bad ${protocol === '1' ? 'IPv4' : 'IPv6'} address: ${host}`;
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `Bad port: ${port}`;
  return { host, port: Number(port) };
}

/** Compares addresses as addresses ("::1" and "0:0::1" are one), through a BlockList. */
function sameAddress(a: string, b: string): boolean {
  const family = net.isIPv6(a) ? 'ipv6' : 'ipv4';
  if (net.isIP(b) === 0 || (net.isIPv6(b) ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new net.BlockList();
  list.addAddress(a, family);
  return list.check(b, family);
}

/** RETR: 150, the bytes (from REST's offset), then 226; 426 if the data connection breaks or ABOR. */
async function retrieve(context: CommandContext): Promise<LogFields> {
  const { connection, command } = context;
  const start = takeRestart(connection);
  const fs = connection.fs as RootedFileSystem;
  let file: Awaited<ReturnType<RootedFileSystem['read']>>;
  try {
    file = await fs.read(command.arg ?? '', { start });
  } catch (error) {
    connection.connector.end();
    await connection.reply(550, (error as Error).message);
    return { direction: 'o', file: safeVirtual(fs, command.arg), status: 'refused' };
  }
  const fields = { direction: 'o', file: file.clientPath, mode: connection.transferType === 'ascii' ? 'a' : 'b', offset: start };
  const { bytes, fd } = file;
  // A large binary file goes through the sender; TYPE A through a stream and the LF → CRLF transform.
  const sender = fd !== undefined && fields.mode === 'b' ? new FileSender(fd, start) : undefined;
  const asciiSource = fields.mode === 'a' ? (bytes ? Readable.from([bytes], { objectMode: false }) : createReadStream('', { fd, start, autoClose: false, highWaterMark: transferChunkBytes })) : undefined;
  let sentFromMemory = 0;
  let handedOver = false; // the bytes are in the socket already (sendAtOnce could not finish)
  // A small binary file on a plain socket: if the kernel takes it whole, close at once (FIN after the
  // bytes); the transfer is then over before the 150, which leaves with the 226 in one write.
  const sendAtOnce = (socket: net.Socket) => {
    if (!bytes || fields.mode === 'a' || socket instanceof tls.TLSSocket) return false;
    handedOver = true;
    socket.write(bytes);
    if (socket.writableLength > 0 || socket.destroyed) return false;
    socket.destroy();
    sentFromMemory = bytes.length;
    return true;
  };
  const copy = (socket: net.Socket, signal: AbortSignal) => {
    if (asciiSource) return pipeline(asciiSource, toNetworkAscii(), socket, { signal });
    if (sender) return sender.send(socket, signal);
    // A small file already in memory: write it and close; the client's FIN is not worth a round trip.
    return sendAndClose(socket, handedOver ? undefined : bytes, signal).then(() => void (sentFromMemory = file.size));
  };
  // What left: counted by the sender, read by the ASCII stream, or the whole small file (or nothing).
  const sent = () => sender?.bytesSent ?? (asciiSource ? bytesRead(asciiSource, file.size) : sentFromMemory);
  try {
    return await transfer(context, fields, asciiSource && (() => asciiSource.destroy()), `${file.clientPath} (${file.size} bytes)`, copy, sent, sendAtOnce);
  } finally {
    if (fd !== undefined) close(fd, () => {});
  }
}

/**
 * STOR and APPE (RFC 959 §4.1.3), with REST before STOR resuming at that offset. The bytes go to a
 * hidden file renamed once complete (hidden-store.ts): the 226 leaves only after the rename.
 */
async function store(context: CommandContext): Promise<LogFields> {
  const { connection, command } = context;
  const start = takeRestart(connection);
  const fs = connection.fs as RootedFileSystem;
  const append = command.directive === 'APPE';
  let file: Awaited<ReturnType<RootedFileSystem['write']>>;
  try {
    file = await fs.write(command.arg ?? '', { append, start });
  } catch (error) {
    connection.connector.end();
    await refuse(connection, error);
    return { direction: 'i', file: safeVirtual(fs, command.arg), status: 'refused' };
  }
  const { upload } = file;
  const fields = { direction: 'i', file: file.clientPath, mode: connection.transferType === 'ascii' ? 'a' : 'b', offset: start };
  const receive = (socket: net.Socket, signal: AbortSignal) => {
    if (fields.mode === 'a') return pipeline(socket, fromNetworkAscii(), upload.stream, { signal });
    const channel = connection.connector;
    const direct = channel instanceof DataChannel ? upload.stream.receive((buffer, onRead) => channel.readInto(buffer, onRead), signal) : undefined;
    return direct ?? pipeline(socket, upload.stream, { signal });
  };
  const copy = async (socket: net.Socket, signal: AbortSignal) => {
    await receive(socket, signal);
    await upload.commit().catch((error: unknown) => {
      throw new FtpReplyError(`${file.clientPath}: ${describeSystemError(error)}`, replyCodeFor(error) ?? 550);
    });
  };
  const what = command.directive === 'STOU' ? `FILE: ${file.clientPath}` : file.clientPath;
  return transfer(context, fields, () => upload.discard(), what, copy, () => upload.stream.bytesWritten);
}

/**
 * STOU (RFC 959 §4.1.3): store under a name the server makes up, told in the 150 reply as
 * "FILE: name" (RFC 1123 §4.1.2.9). ftp-srv's own STOU hangs once the file is not an fs.WriteStream.
 */
async function storeUnique(context: CommandContext): Promise<LogFields> {
  const fs = context.connection.fs as RootedFileSystem;
  const { arg } = context.command;
  const stem = arg ? fs.virtualPath(arg) : path.posix.join(fs.currentDirectory(), 'file');
  return store({ ...context, command: { ...context.command, arg: `${stem}.${randomBytes(4).toString('hex')}` } });
}

/** The shared shape of a transfer: data connection, 150, the copy, 226/426, and the xferlog fields. */
async function transfer(
  context: CommandContext,
  fields: LogFields,
  /** Undoes what the transfer began when it fails: closes the file's stream, removes an upload's hidden file. */
  release: (() => unknown) | undefined,
  what: string,
  copy: (socket: net.Socket, signal: AbortSignal) => Promise<void>,
  bytes: () => number,
  /** Does the whole transfer before any reply when it can (true): see retrieve. */
  sendAtOnce?: (socket: net.Socket) => boolean,
): Promise<LogFields> {
  const { connection } = context;
  const started = performance.now();
  const finish = (status: string) => ({ ...fields, bytes: bytes(), seconds: Number(((performance.now() - started) / 1000).toFixed(3)), status });
  let socket: net.Socket;
  try {
    const { connector } = connection;
    // A channel of ours gives a native promise (waitForConnection wraps it in bluebird for ftp-srv).
    socket = await (connector instanceof DataChannel ? connector.connected() : connector.waitForConnection());
  } catch (error) {
    await release?.();
    connection.connector.end();
    await connection.reply(425, (error as Error).message);
    return finish('no-data-connection');
  }
  const opening = what.startsWith('FILE: ') ? what : `Opening ${fields.mode === 'a' ? 'ASCII' : 'BINARY'} mode data connection for ${what}`;
  if (sendAtOnce?.(socket)) {
    connection.connector.end();
    await bothInOneWrite(connection, () => [connection.reply(150, opening), connection.reply(226, 'Transfer complete')]);
    return finish('c');
  }
  const controller = new AbortController();
  context.onTransfer(controller);
  try {
    await connection.reply(150, opening);
    await copy(socket, controller.signal);
    connection.connector.end();
    await connection.reply(226, 'Transfer complete');
    return finish('c');
  } catch (error) {
    await release?.();
    connection.connector.end();
    await connection.reply(...failedTransferReply(error, context.abortedTransfer()));
    return finish('i');
  } finally {
    context.onTransfer(undefined);
  }
}

/**
 * LIST and NLST (RFC 959 §4.1.3): the folder is read before the data connection is used, so that a
 * missing or unreadable one is refused as CWD and RETR refuse it: 550, a permanent "file
 * unavailable" (§4.2.1: a 4yz would tell the client to try again). ftp-srv answered 451, "local
 * error in processing", which says the server broke. The listing goes as ASCII lines (§4.1.3).
 */
async function listing(context: CommandContext): Promise<LogFields | void> {
  const { connection, command } = context;
  // RFC 959 §4.2: no PASV/PORT first is 425, before anything is read.
  if (!connection.connector.type) return void (await connection.reply(425, 'Use PORT, EPRT, PASV or EPSV first'));
  const fs = connection.fs as RootedFileSystem;
  let lines: string[];
  try {
    lines = await listedLines(fs, command.arg ?? '.', command.directive === 'NLST', context.now());
  } catch (error) {
    connection.connector.end();
    await refuse(connection, error);
    return { listed: safeVirtual(fs, command.arg), status: 'refused' };
  }
  const text = Buffer.from(lines.map((line) => `${line}\r\n`).join(''), connection.encoding);
  const listed = fs.virtualPath(command.arg ?? '.');
  const fields = { listed, entries: lines.length, mode: 'a' };
  return transfer(context, fields, undefined, `the listing of ${listed}`, (socket, signal) => sendAndClose(socket, text, signal), () => text.length);
}

/**
 * STAT with a name (RFC 959 §4.1.3): its listing on the control connection, 213 (vsftpd and
 * pyftpdlib answer 213 for a file and a folder alike); a name that cannot be listed is 550, as
 * for LIST. Without a name, the server's status: ftp-srv's 211.
 */
async function status({ connection, command, fallback, now }: CommandContext): Promise<void> {
  if (!command.arg) return void (await fallback());
  const fs = connection.fs as RootedFileSystem;
  let lines: string[];
  try {
    lines = await listedLines(fs, command.arg, false, now());
  } catch (error) {
    return refuse(connection, error);
  }
  // Each entry is one reply line (its name shown escaped, names.ts): it cannot end the reply early.
  const entries = lines.map((line) => ({ message: line, raw: true }));
  await connection.reply(213, `Status of ${fs.virtualPath(command.arg)}:`, ...entries, 'End of status');
}

/** A listing's lines, as ls(1) gives them: a folder's entries, or the one file named. */
async function listedLines(fs: RootedFileSystem, name: string, namesOnly: boolean, now: number): Promise<string[]> {
  const stats = await fs.get(name);
  const entries = stats.isDirectory() ? await fs.list(name) : [stats];
  return entries.map((entry) => (namesOnly ? shownName(entry.name) : formatListLine(entry, now)));
}

/**
 * Why a transfer stopped: ABOR or a broken data connection is 426 (RFC 959 §4.1.3); a full disk
 * 452 and a quota 552 (§4.2.2), where nothing was stored; a refused final step (the name was
 * taken meanwhile) its own code.
 */
function failedTransferReply(error: unknown, aborted: boolean): [number, string] {
  if (aborted) return [426, 'Transfer aborted'];
  if (error instanceof FtpReplyError) return [error.code, error.message];
  const storage = replyCodeFor(error);
  if (storage) return [storage, `${describeSystemError(error)}: transfer aborted, nothing stored`];
  return [426, `Connection closed; transfer aborted (${(error as Error).message})`];
}

/** The file system's refusal (its code, 550 unless it says otherwise), naming virtual paths only. */
async function refuse(connection: Connection, error: unknown): Promise<void> {
  if (!(error instanceof FtpReplyError)) throw error;
  await connection.reply(error.code, error.message);
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

/** ABOR (RFC 959 §4.1.3): the running transfer has already been stopped (426) when this runs. */
async function abort({ connection, abortedTransfer }: CommandContext): Promise<void> {
  connection.connector.end();
  await connection.reply(abortedTransfer() ? 226 : 225, abortedTransfer() ? 'Abort successful' : 'No transfer to abort');
}

/** Writes the rest of the file (if any) and half-closes: done once the kernel has the bytes and our FIN. */
function sendAndClose(socket: net.Socket, bytes: Buffer | undefined, signal: AbortSignal): Promise<void> {
  // ABOR while a stalled client holds the end back: stop at once, not at the data timeout.
  return untilAborted(socket, signal, () => whenWritten(socket, (done) => (bytes ? socket.end(bytes, done) : socket.end(done))));
}

/** Replies corked into one write: one segment, one wake-up of the client instead of two. */
function bothInOneWrite(connection: Connection, replies: () => Promise<unknown>[]): Promise<unknown> {
  connection.commandSocket.cork();
  const sent = replies();
  connection.commandSocket.uncork();
  return Promise.all(sent);
}

/** A file stream counts what it read; one made from a buffer went whole once it ended. */
function bytesRead(stream: Readable, size: number): number {
  return (stream as { bytesRead?: number }).bytesRead ?? (stream.readableEnded ? size : 0);
}

function takeRestart(connection: Connection): number {
  const start = connection.restByteCount ?? 0;
  connection.restByteCount = 0;
  return start;
}

function safeVirtual(fs: RootedFileSystem, name: string | null): string {
  try {
    return fs.virtualPath(name ?? '');
  } catch {
    return '?';
  }
}
