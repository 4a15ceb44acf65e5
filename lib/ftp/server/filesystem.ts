// The file system ftp-srv sees: a chroot made of real paths. Every name is resolved (symbolic
// links included) and refused unless it stays under the user's root; replies name virtual paths only.

import { closeSync, constants, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FileSystem, type FtpConnection } from 'ftp-srv';
import type { Access } from './accounts.ts';
import { HiddenUpload, UploadRefused, isHiddenUpload } from './hidden-store.ts';
import type { ListedStats } from './listing.ts';
import { hasLineBreak, unescapedName } from './names.ts';

/** Files up to this size are read in one call and sent from memory. */
const smallFileBytes = 256 * 1024;

export interface RootedFileSystemOptions {
  access: Access;
  /** The upload folder for `write: 'uploads'` users, relative to the root (default incoming). */
  uploadDir?: string;
}

/** What RETR sends: a small file already in memory, or a larger one open (the caller closes `fd`). */
export type FileToSend = { clientPath: string; size: number } & ({ bytes: Buffer; fd?: undefined } | { fd: number; bytes?: undefined });

interface Resolved {
  /** The path the client sees, from "/" (never the server's real path). */
  virtual: string;
  /** The real path on disk, inside the root. */
  real: string;
}

type WriteOperation = 'store' | 'append' | 'mkdir' | 'delete' | 'rename' | 'chmod';

export class RootedFileSystem extends FileSystem {
  private readonly access: Access;
  private readonly uploadDir: string;
  private directory = '/';

  constructor(connection: FtpConnection, options: RootedFileSystemOptions) {
    super(connection, { root: options.access.root, cwd: '/' });
    this.access = options.access;
    this.uploadDir = path.posix.resolve('/', options.uploadDir ?? 'incoming');
  }

  override currentDirectory(): string {
    return this.directory;
  }

  override async get(name: string): Promise<NamedStats> {
    const { real, virtual } = await this.resolveExisting(name);
    const stats = await this.attempt(virtual, () => fs.stat(real));
    return Object.assign(stats, { name: path.posix.basename(virtual) || '/' });
  }

  /** A folder's entries, without the uploads in progress (hidden-store.ts). */
  override async list(name = '.'): Promise<ListedStats[]> {
    const { real, virtual } = await this.resolveExisting(name);
    const names = (await this.attempt(virtual, () => fs.readdir(real))).filter((entry) => !isHiddenUpload(entry));
    const entries = await Promise.all(
      names.map(async (entry): Promise<ListedStats | undefined> => {
        const full = path.join(real, entry);
        try {
          // An entry whose link leads out of the root is left out: it does not exist for this user.
          if (!this.contains(await fs.realpath(full))) return undefined;
          const stats = await fs.lstat(full);
          const link = stats.isSymbolicLink() ? await fs.readlink(full) : undefined;
          return Object.assign(stats, { name: entry, link });
        } catch {
          return undefined; // dangling link, or removed meanwhile
        }
      }),
    );
    return entries.filter((entry) => entry !== undefined);
  }

  override async chdir(name = '.'): Promise<string> {
    const { real, virtual } = await this.resolveExisting(name);
    const stats = await this.attempt(virtual, () => fs.stat(real));
    if (!stats.isDirectory()) throw failure(`${virtual}: Not a directory`);
    await this.attempt(virtual, () => fs.access(real, constants.R_OK | constants.X_OK));
    this.directory = virtual;
    return virtual;
  }

  /**
   * RETR: the file from `start`, open, with its size and virtual path. A small file is read whole
   * before the reply. The look-up, open and small read are synchronous: on a local disk each
   * takes microseconds, less than one thread-pool round trip, of which they would cost four.
   */
  override async read(name: string, { start = 0 }: { start?: number } = {}): Promise<FileToSend> {
    const virtual = this.virtualPath(this.spelledOnDisk(name));
    const full = path.join(this.root, virtual);
    const [real, stats] = this.attemptNow(virtual, () => [realpathSync.native(full), statSync(full)] as const);
    if (!this.contains(real)) throw failure(`${virtual}: Permission denied (outside the FTP root)`);
    if (stats.isDirectory()) throw failure(`${virtual}: Is a directory`);
    if (!stats.isFile()) throw failure(`${virtual}: Not a regular file`);
    const size = Math.max(0, stats.size - start);
    const fd = this.attemptNow(virtual, () => openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW));
    if (size <= smallFileBytes) {
      try {
        const bytes = this.attemptNow(virtual, () => readWhole(fd, size, start));
        return { clientPath: virtual, size: bytes.length, bytes };
      } finally {
        closeSync(fd);
      }
    }
    return { fd, clientPath: virtual, size };
  }

  /**
   * STOR/APPE/STOU: an upload under a hidden name, renamed once complete (hidden-store.ts); REST
   * before STOR keeps the file's first bytes. Upload-only users never replace a file, as vsftpd's
   * anonymous uploads.
   */
  override async write(name: string, { append = false, start = 0 }: { append?: boolean; start?: number } = {}): Promise<{ upload: HiddenUpload; clientPath: string }> {
    const virtual = this.newName(name);
    this.assertWritable(virtual, append ? 'append' : 'store');
    const { real } = await this.resolveNew(name);
    const upload = await this.attempt(virtual, () => HiddenUpload.open(real, { append, start, noClobber: this.access.write === 'uploads' }));
    return { upload, clientPath: virtual };
  }

  override async delete(name: string): Promise<void> {
    name = this.spelledOnDisk(name);
    const virtual = this.virtualPath(name);
    this.assertWritable(virtual, 'delete');
    const { real } = await this.resolveNew(name);
    // lstat: deleting a link removes the link, never what it points to.
    const stats = await this.attempt(virtual, () => fs.lstat(real));
    await this.attempt(virtual, () => (stats.isDirectory() ? fs.rmdir(real) : fs.unlink(real)));
  }

  /** MKD: one folder (RFC 959 §4.1.3); the reply names its virtual path. */
  override async mkdir(name: string): Promise<string> {
    const virtual = this.newName(name);
    this.assertWritable(virtual, 'mkdir');
    const { real } = await this.resolveNew(name);
    await this.attempt(virtual, () => fs.mkdir(real));
    return virtual;
  }

  override async rename(from: string, to: string): Promise<void> {
    from = this.spelledOnDisk(from);
    const source = this.virtualPath(from);
    const target = this.newName(to);
    this.assertWritable(source, 'rename');
    this.assertWritable(target, 'rename');
    const [{ real: realFrom }, { real: realTo }] = await Promise.all([this.resolveNew(from), this.resolveNew(to)]);
    await this.attempt(source, () => fs.lstat(realFrom));
    await this.attempt(target, () => fs.rename(realFrom, realTo));
  }

  override async chmod(name: string, mode: string | number): Promise<void> {
    const virtual = this.virtualPath(name);
    this.assertWritable(virtual, 'chmod');
    const { real } = await this.resolveExisting(name);
    const bits = typeof mode === 'number' ? mode : parseInt(mode, 8);
    if (!Number.isInteger(bits) || bits < 0 || bits > 0o777) throw failure(`${virtual}: Invalid mode`, 501);
    await this.attempt(virtual, () => fs.chmod(real, bits));
  }

  /**
   * The client's name as a path from "/": backslashes count as separators, and ".." stops at the
   * root as it does under chroot(2). Percent signs are just characters: FTP has no URL encoding.
   */
  virtualPath(name = '.'): string {
    if (name.includes('\0')) throw failure('Invalid file name', 501);
    const virtual = path.posix.resolve('/', this.directory, name.replace(/\\/g, '/'));
    // Uploads in progress are the server's: never listed, fetched, replaced or removed by a client.
    if (hiddenUploadInPath.test(virtual)) throw failure(`${virtual}: File name not allowed (.in.NAME. is the name of an upload in progress)`, 553);
    return virtual;
  }

  /** A name STOR, MKD or RNTO would create: never one with a line break (names.ts). */
  private newName(name: string): string {
    const virtual = this.virtualPath(name);
    if (hasLineBreak(virtual)) throw failure(`${virtual}: File name not allowed (it holds a CR or LF)`, 553);
    return virtual;
  }

  /**
   * The name as the client sent it, or, when no such file exists, the one its caret escapes stand
   * for: "a^Jb" as LIST showed it finds "a\nb" (names.ts). A file really named "a^Jb" wins.
   */
  private spelledOnDisk(name: string): string {
    const plain = unescapedName(name);
    if (plain === undefined) return name;
    const exists = (candidate: string) => lstatSync(path.join(this.root, this.virtualPath(candidate)), { throwIfNoEntry: false }) !== undefined;
    return !exists(name) && exists(plain) ? plain : name;
  }

  /** An existing name, followed through every link: refused when the real path leaves the root. */
  private async resolveExisting(name: string): Promise<Resolved> {
    const virtual = this.virtualPath(this.spelledOnDisk(name));
    const real = await this.attempt(virtual, () => fs.realpath(path.join(this.root, virtual)));
    if (!this.contains(real)) throw failure(`${virtual}: Permission denied (outside the FTP root)`);
    return { virtual, real };
  }

  /** A name that may not exist yet: its folder must resolve inside the root; the last part must not be a link out. */
  private async resolveNew(name: string): Promise<Resolved> {
    const virtual = this.virtualPath(name);
    if (virtual === '/') throw failure('/: Permission denied');
    const parent = await this.attempt(path.posix.dirname(virtual), () => fs.realpath(path.join(this.root, path.posix.dirname(virtual))));
    if (!this.contains(parent)) throw failure(`${virtual}: Permission denied (outside the FTP root)`);
    return { virtual, real: path.join(parent, path.posix.basename(virtual)) };
  }

  private contains(real: string): boolean {
    return real === this.root || real.startsWith(this.root.endsWith(path.sep) ? this.root : this.root + path.sep);
  }

  /** Read-only users write nothing; upload-only users store new files and make folders under incoming/. */
  private assertWritable(virtual: string, operation: WriteOperation): void {
    const { write } = this.access;
    if (write === 'all') return;
    const inUploads = virtual.startsWith(`${this.uploadDir}/`);
    if (write === 'uploads' && inUploads && (operation === 'store' || operation === 'mkdir')) return;
    const where = write === 'uploads' ? ` (uploads go to ${this.uploadDir}/, new files only)` : ' (read-only access)';
    // RFC 959 §5.4: 553 "file name not allowed" is a reply of STOR, APPE and STOU; MKD and the rest have 550.
    throw failure(`${virtual}: Permission denied${where}`, operation === 'store' || operation === 'append' ? 553 : 550);
  }

  /** Runs a file operation; a system error becomes a reply naming the virtual path only. */
  private async attempt<T>(virtual: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw asReply(virtual, error);
    }
  }

  /** attempt, for a synchronous operation. */
  private attemptNow<T>(virtual: string, operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      throw asReply(virtual, error);
    }
  }
}

export type NamedStats = import('node:fs').Stats & { name: string };

const systemErrorText: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Permission denied',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  ENOSPC: 'No space left on device',
  EXDEV: 'Cannot move across file systems',
  EDQUOT: 'Disk quota exceeded',
  EFBIG: 'File too large',
};

/** "No such file or directory", never Node's "ENOENT: …, stat '/srv/ftp/x'" (which leaks the real path). */
export function describeSystemError(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return (typeof code === 'string' && systemErrorText[code]) || 'Operation failed';
}

/** Up to `size` bytes from `position` (fewer if the file shrank meanwhile). */
function readWhole(fd: number, size: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  return buffer.subarray(0, readSync(fd, buffer, 0, size, position));
}

/**
 * A full disk is 452, "insufficient storage space", and a quota or file size limit 552, "exceeded
 * storage allocation" (RFC 959 §4.2.2); anything else 550, "file unavailable".
 */
const systemErrorReply: Record<string, number> = { ENOSPC: 452, EDQUOT: 552, EFBIG: 552 };

export function replyCodeFor(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? systemErrorReply[code] : undefined;
}

function asReply(virtual: string, error: unknown): FtpReplyError {
  if (error instanceof FtpReplyError) return error;
  if (error instanceof UploadRefused) return failure(`${virtual}: ${error.message}`, error.code);
  return failure(`${virtual}: ${describeSystemError(error)}`, replyCodeFor(error));
}

/** An error ftp-srv's handlers send as it is: they reply with `code` (or their own) and `message`. */
export class FtpReplyError extends Error {
  readonly code: number;

  constructor(message: string, code = 550) {
    super(message);
    this.code = code;
    this.name = 'FtpReplyError';
  }
}

const hiddenUploadInPath = /\/\.in\.[^/]+\.(?=\/|$)/;

function failure(message: string, code = 550): FtpReplyError {
  return new FtpReplyError(message, code);
}
