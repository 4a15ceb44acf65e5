// The FTP client session: log in (anonymous by default), explicit TLS (RFC 4217), and one method
// per command of RFC 959 / RFC 3659 — each refused command becomes a NetlabError naming the reply.

import { constants, createReadStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { NetlabError } from '../../errors.ts';
import { BatchedFileWriter, openDescriptor } from '../file-writer.ts';
import { ControlConnection, type TraceSink } from './control.ts';
import type { DataOptions, DataState } from './data.ts';
import { localFileError, replyError } from './errors.ts';
import { listingLines, parseFeatures, parseFtpTime, parseListLine, parseMlsdLine, parseQuotedPath, type FtpEntry } from './listing.ts';
import { abortTransfer, expect, memorySink, transfer, type TransferSession } from './transfer.ts';
import { defaultFtpPort } from './url.ts';

export interface FtpClientOptions {
  host: string;
  port?: number;
  /** Explicit FTPS: AUTH TLS, then PBSZ 0 and PROT P so that data connections are encrypted too. */
  tls?: boolean;
  /** Accept a certificate that does not verify (a self-signed lab server). */
  insecure?: boolean;
  /** Active mode (EPRT/PORT): the server connects to us. Default passive (EPSV/PASV). */
  active?: boolean;
  connectTimeoutMs?: number;
  replyTimeoutMs?: number;
  /** How long a data connection may stay silent. */
  dataIdleTimeoutMs?: number;
  /** Socket and file buffer size (default 1 MiB: fewer system calls on big files). */
  bufferSize?: number;
  signal?: AbortSignal;
  trace?: TraceSink;
}

export interface TransferOptions {
  onProgress?: (bytes: number) => void;
}

/** RFC 1635 suggests an e-mail address as the anonymous password; servers no longer check it. */
export const anonymousPassword = 'netlab@';

export class FtpClient implements TransferSession {
  readonly dataState: DataState = { epsvRefused: false, eprtRefused: false };
  readonly dataIdleTimeoutMs: number;
  /** The text of the 220 greeting ("(vsFTPd 3.0.3)"). */
  greeting = '';
  active: boolean;
  private type: 'A' | 'I' | undefined;
  private features: Map<string, string> | undefined;
  private protectedData = false;

  readonly control: ControlConnection;
  private readonly options: FtpClientOptions;

  private constructor(
    control: ControlConnection,
    options: FtpClientOptions,
  ) {
    this.control = control;
    this.options = options;
    this.active = options.active ?? false;
    this.dataIdleTimeoutMs = options.dataIdleTimeoutMs ?? 30_000;
  }

  /** Connects, reads the greeting and, with `tls`, secures the control connection. Log in next. */
  static async connect(options: FtpClientOptions): Promise<FtpClient> {
    const { control, greeting } = await ControlConnection.open({
      host: options.host,
      port: options.port ?? defaultFtpPort,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      replyTimeoutMs: options.replyTimeoutMs ?? 30_000,
      signal: options.signal,
      trace: options.trace,
    });
    const client = new FtpClient(control, options);
    try {
      if (greeting.code !== 220) throw replyError(greeting, 'the connection', control.endpoint);
      client.greeting = greeting.text;
      if (options.tls) {
        // RFC 4217 §4: AUTH TLS, 234, then the TLS handshake on the control connection.
        await expect(control, 'AUTH TLS', 234);
        await control.upgradeToTls({ servername: options.host, rejectUnauthorized: !options.insecure });
      }
    } catch (error) {
      control.close();
      throw error;
    }
    return client;
  }

  /** USER/PASS (RFC 959 §4.1.1, §5.4): 230 after USER needs no password; 331 asks for one. */
  async login(user = 'anonymous', password?: string): Promise<void> {
    const reply = await this.control.command(`USER ${user}`);
    if (reply.code === 331) {
      await expect(this.control, `PASS ${password ?? (user === 'anonymous' || user === 'ftp' ? anonymousPassword : '')}`, 230, 202);
    } else if (reply.code !== 230) {
      throw replyError(reply, `USER ${user}`, this.control.endpoint);
    }
    if (this.control.isTls) {
      // RFC 4217 §8–9: PBSZ 0 (TLS needs no buffer size), then PROT P — encrypted data connections.
      await expect(this.control, 'PBSZ 0', 200);
      await expect(this.control, 'PROT P', 200);
      this.protectedData = true;
    }
    this.type = undefined;
    this.features = undefined;
  }

  dataOptions(): DataOptions {
    return {
      passive: !this.active,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      bufferSize: this.options.bufferSize ?? 1024 * 1024,
      tls: this.protectedData
        ? { servername: this.options.host, rejectUnauthorized: !this.options.insecure, session: this.control.tlsSession }
        : undefined,
      signal: this.options.signal,
    };
  }

  async setType(type: 'A' | 'I'): Promise<void> {
    if (this.type === type) return;
    await expect(this.control, `TYPE ${type}`, 200);
    this.type = type;
  }

  /** FEAT (RFC 2389): what the server supports beyond RFC 959, by name (MLST, SIZE, EPSV, UTF8…). */
  async feat(): Promise<Map<string, string>> {
    if (this.features) return this.features;
    const reply = await this.control.command('FEAT');
    this.features = reply.code === 211 ? parseFeatures(reply.lines) : new Map();
    return this.features;
  }

  async system(): Promise<string> {
    return (await expect(this.control, 'SYST', 215)).text;
  }

  async pwd(): Promise<string> {
    const reply = await expect(this.control, 'PWD', 257);
    return parseQuotedPath(reply.text) ?? reply.text;
  }

  async cd(path: string): Promise<void> {
    await expect(this.control, `CWD ${path}`, 250, 200);
  }

  async cdup(): Promise<void> {
    await expect(this.control, 'CDUP', 250, 200);
  }

  /** SIZE (RFC 3659 §4), in TYPE I so that the count is the bytes RETR will send. */
  async size(path: string): Promise<number> {
    await this.setType('I');
    const reply = await expect(this.control, `SIZE ${path}`, 213);
    const size = Number(reply.text.trim());
    if (!Number.isSafeInteger(size)) throw new NetlabError('E_PROTOCOL', `the server answered SIZE with ${JSON.stringify(reply.text)}`);
    return size;
  }

  /** MDTM (RFC 3659 §3): the modification time, UTC. */
  async modifiedAt(path: string): Promise<Date> {
    const reply = await expect(this.control, `MDTM ${path}`, 213);
    const date = parseFtpTime(reply.text);
    if (!date) throw new NetlabError('E_PROTOCOL', `the server answered MDTM with ${JSON.stringify(reply.text)}`);
    return date;
  }

  /** LIST: the server's own human format (usually `ls -l`), as text. */
  async list(path?: string): Promise<string> {
    return this.listing(path ? `LIST ${path}` : 'LIST');
  }

  /** NLST: names only, one per line. */
  async nameList(path?: string): Promise<string[]> {
    return listingLines(await this.listing(path ? `NLST ${path}` : 'NLST'));
  }

  /** MLSD (RFC 3659 §7) when the server has it, else LIST parsed as `ls -l` lines: typed entries. */
  async entries(path?: string): Promise<FtpEntry[]> {
    if ((await this.feat()).has('MLST')) {
      const lines = listingLines(await this.listing(path ? `MLSD ${path}` : 'MLSD', 'I'));
      return lines.map(parseMlsdLine).filter((entry): entry is FtpEntry => entry !== undefined);
    }
    const lines = listingLines(await this.list(path));
    return lines.map(parseListLine).filter((entry): entry is FtpEntry => entry !== undefined && entry.name !== '.' && entry.name !== '..');
  }

  /** RETR into a stream; `offset` sends REST first (resume). `end: false` leaves the stream open (stdout). */
  async download(remotePath: string, destination: Writable, options: TransferOptions & { offset?: number; end?: boolean } = {}): Promise<number> {
    return transfer(this, { direction: 'download', command: `RETR ${remotePath}`, type: 'I', destination, ...options });
  }

  /** STOR (or APPE with `append`) from a stream. */
  async upload(source: Readable, remotePath: string, options: TransferOptions & { append?: boolean } = {}): Promise<number> {
    return transfer(this, { direction: 'upload', command: `${options.append ? 'APPE' : 'STOR'} ${remotePath}`, type: 'I', source, onProgress: options.onProgress });
  }

  /**
   * RETR to a file, through `partialFile(localPath)`: the bytes go to NAME.part, renamed onto NAME
   * once the transfer is whole, so NAME is never half a file and an old NAME stays as it was
   * until then (as Firefox does with its .part files). A broken transfer keeps NAME.part for `resume`, which
   * continues it with REST (RFC 3659 §5), or continues NAME itself when a partial NAME is all
   * there is (another tool's). A device or a pipe (/dev/null) takes the bytes directly.
   * Resolves to the bytes received now.
   */
  async downloadFile(remotePath: string, localPath: string, options: TransferOptions & { resume?: boolean } = {}): Promise<number> {
    const target = statSync(localPath, { throwIfNoEntry: false });
    if (target && !target.isFile()) return this.downloadInto(remotePath, localPath, { ...options, offset: null });
    const partial = partialFile(localPath);
    const moved = options.resume === true && target !== undefined && !existsSync(partial);
    if (moved) renameSync(localPath, partial);
    const offset = options.resume ? resumeOffset(localPath) : 0;
    try {
      const bytes = await this.downloadInto(remotePath, partial, { ...options, offset, mode: target && target.mode & 0o7777, shownAs: localPath });
      renameSync(partial, localPath);
      return bytes;
    } catch (error) {
      // Nothing new arrived: put back what was there (a refused RETR leaves no trace).
      const kept = statSync(partial, { throwIfNoEntry: false })?.size ?? 0;
      if (moved && kept === offset) renameSync(partial, localPath);
      else if (kept === 0) rmSync(partial, { force: true });
      throw existsSync(partial) ? keptPartial(error, partial) : error;
    }
  }

  /**
   * RETR into `file`, opened before RETR, so that a bad local path fails first. Writes start at
   * `offset` (0 starts the file afresh) and the end is cut once done; `offset: null` for a device
   * or a pipe, which take plain writes and cannot be cut. Errors name `shownAs`, the file the user asked for.
   */
  private async downloadInto(remotePath: string, file: string, options: TransferOptions & { offset: number | null; mode?: number; shownAs?: string }): Promise<number> {
    const shownAs = options.shownAs ?? file;
    const flags = constants.O_WRONLY | constants.O_CREAT | (options.offset === 0 ? constants.O_TRUNC : 0);
    const fd = await openDescriptor(file, flags, options.mode ?? 0o666).catch((error) => Promise.reject(localFileError(error, shownAs, 'write')));
    const writer = new BatchedFileWriter(fd, options.offset);
    try {
      const bytes = await this.download(remotePath, writer, { offset: options.offset ?? 0, onProgress: options.onProgress });
      await closed(writer); // already, unless the server answered 2yz with no data, which leaves it open
      if (options.offset !== null) await truncate(file, options.offset + bytes);
      return bytes;
    } catch (error) {
      await settled(writer);
      throw localFileError(error, shownAs, 'write');
    }
  }

  /** STOR from a file; `resume` sends only what the server lacks, with APPE from its SIZE. */
  async uploadFile(localPath: string, remotePath: string, options: TransferOptions & { resume?: boolean } = {}): Promise<number> {
    const offset = options.resume ? await this.size(remotePath).catch(() => 0) : 0;
    const handle = await open(localPath, 'r').catch((error) => Promise.reject(localFileError(error, localPath, 'read')));
    const file = createReadStream('', { fd: handle, start: offset, highWaterMark: this.dataOptions().bufferSize });
    try {
      return await this.upload(file, remotePath, { append: offset > 0, onProgress: options.onProgress });
    } catch (error) {
      await settled(file);
      throw localFileError(error, localPath, 'read');
    }
  }

  async delete(path: string): Promise<void> {
    await expect(this.control, `DELE ${path}`, 250, 200);
  }

  /** MKD: resolves to the path the server created (257 "path"). */
  async mkdir(path: string): Promise<string> {
    const reply = await expect(this.control, `MKD ${path}`, 257, 250);
    return parseQuotedPath(reply.text) ?? path;
  }

  async rmdir(path: string): Promise<void> {
    await expect(this.control, `RMD ${path}`, 250, 200);
  }

  /** RNFR then RNTO (RFC 959 §4.1.3): 350 "ready for the destination name", then 250. */
  async rename(from: string, to: string): Promise<void> {
    await expect(this.control, `RNFR ${from}`, 350);
    await expect(this.control, `RNTO ${to}`, 250, 200);
  }

  async noop(): Promise<void> {
    await expect(this.control, 'NOOP', 200);
  }

  /** ABOR between transfers (the server answers 225); transfers send their own when the local side fails. */
  async abort(): Promise<void> {
    await abortTransfer(this.control, false);
  }

  /** QUIT (221) and close; a server that already left is not an error here. */
  async quit(): Promise<void> {
    try {
      await this.control.command('QUIT');
    } catch {
      // the session is over either way
    } finally {
      this.control.close();
    }
  }

  close(): void {
    this.control.close();
  }

  private async listing(command: string, type: 'A' | 'I' = 'A'): Promise<string> {
    const { sink, text } = memorySink();
    await transfer(this, { direction: 'download', command, type, destination: sink });
    return text();
  }
}

/** Where `downloadFile` puts the bytes of `localPath` until the transfer is whole. */
export function partialFile(localPath: string): string {
  return `${localPath}.part`;
}

/** Where a resumed download of `localPath` starts: the size of its partial file, else of the file itself. */
export function resumeOffset(localPath: string): number {
  return (statSync(partialFile(localPath), { throwIfNoEntry: false }) ?? statSync(localPath, { throwIfNoEntry: false }))?.size ?? 0;
}

/** A broken download's error, saying also where its bytes are and how to continue them. */
function keptPartial(error: unknown, partial: string): unknown {
  if (!(error instanceof NetlabError)) return error;
  const hint = [error.hint, `the bytes received so far are in ${partial}: get -c (reget in the shell) continues them`].filter(Boolean).join('; ');
  return new NetlabError(error.code, error.message, { cause: error.cause, hint, details: error.details });
}

/** Ends a file stream if nothing did, and waits until its file is closed. */
async function closed(stream: Writable): Promise<void> {
  if (stream.closed) return;
  const done = new Promise((resolve, reject) => {
    stream.once('close', resolve);
    stream.once('error', reject);
  });
  if (!stream.writableEnded) stream.end();
  await done;
}

/** Destroys a file stream (closing its file) and waits until that is done. */
async function settled(stream: Readable | Writable): Promise<void> {
  if (stream.closed) return;
  const closed = new Promise((resolve) => stream.once('close', resolve));
  stream.destroy();
  await closed;
}
