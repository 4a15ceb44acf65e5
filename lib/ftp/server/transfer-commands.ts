// The commands that move bytes on a data connection: RETR, STOR, APPE and STOU (fast streaming, REST,
// uploads under a hidden name until complete), LIST, NLST (and STAT, their control-connection
// twin), and ABOR, which stops any of them.

import { randomBytes } from 'node:crypto';
import { close, createReadStream } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fromNetworkAscii, toNetworkAscii } from './ascii.ts';
import { refuse, safeVirtual, type CommandContext, type LogFields } from './command-context.ts';
import { DataChannel } from './data-channel.ts';
import { FtpReplyError, describeSystemError, replyCodeFor, type RootedFileSystem } from './filesystem.ts';
import { FileSender, transferChunkBytes, untilAborted, whenWritten } from './file-sender.ts';
import type { Connection } from './ftp-srv-adapter.ts';
import { formatListLine } from './listing.ts';
import { shownName } from './names.ts';

/** RETR: 150, the bytes (from REST's offset), then 226; 426 if the data connection breaks or ABOR. */
export async function retrieve(context: CommandContext): Promise<LogFields> {
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
export async function store(context: CommandContext): Promise<LogFields> {
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
    await refuseIfClientGone(connection.commandSocket, file.clientPath);
    await upload.commit().catch((error: unknown) => {
      throw new FtpReplyError(`${file.clientPath}: ${describeSystemError(error)}`, replyCodeFor(error) ?? 550);
    });
  };
  const what = command.directive === 'STOU' ? `FILE: ${file.clientPath}` : file.clientPath;
  return transfer(context, fields, () => upload.discard(), what, copy, () => upload.stream.bytesWritten);
}

/**
 * In stream mode the end of the file is the close of the data connection (RFC 959 §3.4.1), so a
 * client killed mid-upload (kill -9, Ctrl-C) looks like a finished one: its kernel closes the data
 * connection with a FIN. It closes the control connection at the same moment, though, and then
 * the 226 could never be delivered. The control connection's FIN or reset may come a little after
 * the data's (on a loaded machine two turns of the event loop were not enough), so the upload
 * waits for it up to clientGoneGraceMs; a client gone by then gets nothing stored. A live client
 * pays those 20 ms once per upload.
 */
const clientGoneGraceMs = 20;

async function refuseIfClientGone(control: net.Socket, clientPath: string): Promise<void> {
  const gone = () => control.destroyed || control.readableEnded;
  if (!gone()) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        control.off('end', done).off('close', done);
        resolve();
      };
      const timer = setTimeout(done, clientGoneGraceMs);
      control.once('end', done).once('close', done);
    });
  }
  if (gone()) {
    throw new FtpReplyError(`${clientPath}: the control connection closed before the end of the upload; nothing stored`, 426);
  }
}

/**
 * STOU (RFC 959 §4.1.3): store under a name the server makes up, told in the 150 reply as
 * "FILE: name" (RFC 1123 §4.1.2.9). ftp-srv's own STOU hangs once the file is not an fs.WriteStream.
 */
export async function storeUnique(context: CommandContext): Promise<LogFields> {
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
export async function listing(context: CommandContext): Promise<LogFields | void> {
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
export async function status({ connection, command, fallback, now }: CommandContext): Promise<void> {
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

/** ABOR (RFC 959 §4.1.3): the running transfer has already been stopped (426) when this runs. */
export async function abort({ connection, abortedTransfer }: CommandContext): Promise<void> {
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

