// The file system ftp-srv sees: a chroot made of real paths. Every name is resolved (symbolic
// links included) and refused unless it stays under the user's root; replies name virtual paths only.

import { closeSync, constants, openSync, readSync, realpathSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FileSystem, type FtpConnection } from 'ftp-srv';
import type { Access } from './accounts.ts';
import { BatchedFileWriter, openDescriptor } from '../file-writer.ts';
import type { ListedStats } from './listing.ts';

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

  override async list(name = '.'): Promise<ListedStats[]> {
    const { real, virtual } = await this.resolveExisting(name);
    const names = await this.attempt(virtual, () => fs.readdir(real));
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
    const virtual = this.virtualPath(name);
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

  /** STOR/APPE: a stream into the file; REST before STOR writes from that offset without truncating. */
  override async write(name: string, { append = false, start }: { append?: boolean; start?: number } = {}): Promise<{ stream: BatchedFileWriter; clientPath: string }> {
    const virtual = this.virtualPath(name);
    this.assertWritable(virtual, append ? 'append' : 'store');
    const { real } = await this.resolveNew(name);
    // O_NOFOLLOW: a link put in place after our check cannot redirect the write out of the root.
    // Upload-only users never overwrite (O_EXCL), as vsftpd's anonymous uploads.
    let flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;
    if (append) flags |= constants.O_APPEND;
    else if (!start) flags |= constants.O_TRUNC;
    if (this.access.write === 'uploads') flags |= constants.O_EXCL;
    const fd = await this.attempt(virtual, () => openDescriptor(real, flags, 0o644));
    return { stream: new BatchedFileWriter(fd, append || !start ? null : start), clientPath: virtual };
  }

  override async delete(name: string): Promise<void> {
    const virtual = this.virtualPath(name);
    this.assertWritable(virtual, 'delete');
    const { real } = await this.resolveNew(name);
    // lstat: deleting a link removes the link, never what it points to.
    const stats = await this.attempt(virtual, () => fs.lstat(real));
    await this.attempt(virtual, () => (stats.isDirectory() ? fs.rmdir(real) : fs.unlink(real)));
  }

  /** MKD: one folder (RFC 959 §4.1.3); the reply names its virtual path. */
  override async mkdir(name: string): Promise<string> {
    const virtual = this.virtualPath(name);
    this.assertWritable(virtual, 'mkdir');
    const { real } = await this.resolveNew(name);
    await this.attempt(virtual, () => fs.mkdir(real));
    return virtual;
  }

  override async rename(from: string, to: string): Promise<void> {
    const source = this.virtualPath(from);
    const target = this.virtualPath(to);
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
    return path.posix.resolve('/', this.directory, name.replace(/\\/g, '/'));
  }

  /** An existing name, followed through every link: refused when the real path leaves the root. */
  private async resolveExisting(name: string): Promise<Resolved> {
    const virtual = this.virtualPath(name);
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
    throw failure(`${virtual}: Permission denied${where}`);
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

function asReply(virtual: string, error: unknown): FtpReplyError {
  return error instanceof FtpReplyError ? error : failure(`${virtual}: ${describeSystemError(error)}`);
}

/** An error ftp-srv's handlers send as it is: they reply with `code` (or their own) and `message`. */
export class FtpReplyError extends Error {
  constructor(
    message: string,
    readonly code = 550,
  ) {
    super(message);
    this.name = 'FtpReplyError';
  }
}

function failure(message: string, code = 550): FtpReplyError {
  return new FtpReplyError(message, code);
}
