// Uploads under a hidden name, as ProFTPD's HiddenStores: STOR, APPE and STOU write `.in.NAME.` in
// the target's folder, and only once every byte is written and the file closed is it renamed to
// NAME. So a file under its final name is always complete: a client that breaks off (426, ABOR, a
// reset), a full disk or a server killed with -9 leaves no half file there. An interrupted upload's
// temporary file is removed at once (a server killed mid-upload removes it at its next start): FTP
// resumes with REST against the size of the file under its final name, and that file never holds a
// part. The rename is atomic (rename(2)); what it does not give is durability across a power cut
// (no fsync, as ProFTPD): a crash of the server process, not of the machine, is covered.

import { closeSync, constants, lstatSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BatchedFileWriter, openDescriptor } from '../file-writer.ts';

/** `.in.report.pdf.`: the hidden name of an upload of report.pdf in progress. */
const hiddenUploadPattern = /^\.in\..+\.$/s;

export function isHiddenUpload(name: string): boolean {
  return hiddenUploadPattern.test(name);
}

export interface UploadOptions {
  /** APPE: the new file starts as a copy of the existing one, and the upload is added at its end. */
  append: boolean;
  /** REST before STOR: the new file starts with the existing file's first `start` bytes. */
  start: number;
  /** The user may not replace an existing file (anonymous uploads): the final step refuses to. */
  noClobber: boolean;
}

/** Why an upload cannot begin: the code and words of its reply. */
export class UploadRefused extends Error {
  readonly code: number;

  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}

export class HiddenUpload {
  readonly stream: BatchedFileWriter;
  private readonly temporary: string;
  private readonly final: string;
  private readonly noClobber: boolean;

  private constructor(stream: BatchedFileWriter, temporary: string, final: string, noClobber: boolean) {
    this.stream = stream;
    this.temporary = temporary;
    this.final = final;
    this.noClobber = noClobber;
  }

  /**
   * Claims `.in.NAME.` (O_EXCL: one upload of a name at a time) and fills it with what APPE or REST
   * keep of the existing file. Errors keep their system code (EEXIST, ENOSPC…) for the reply.
   */
  static async open(final: string, options: UploadOptions): Promise<HiddenUpload> {
    const existing = await fs.lstat(final).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (existing?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (existing && options.noClobber) throw Object.assign(new Error('file exists'), { code: 'EEXIST' });
    // A link in the final place is refused, as an O_NOFOLLOW open refuses it: uploads never go
    // through a link (APPE and REST would read through it, a rename would replace it).
    if (existing?.isSymbolicLink()) throw Object.assign(new Error('symbolic link'), { code: 'ELOOP' });
    const keeps = options.append || options.start > 0;
    if (options.start > 0 && (existing?.size ?? 0) < options.start) {
      throw new UploadRefused(`REST ${options.start} is beyond the end of the file (${existing?.size ?? 0} bytes)`, 554);
    }
    const temporary = path.join(path.dirname(final), `.in.${path.basename(final)}.`);
    const fd = await openDescriptor(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644).catch((error: NodeJS.ErrnoException) =>
      Promise.reject(error.code === 'EEXIST' ? new UploadRefused('another upload of this name is in progress, try again later', 450) : error),
    );
    let position = 0;
    try {
      if (keeps && existing) {
        // copyFile clones or uses copy_file_range where it can, and copies the mode bits too.
        await fs.copyFile(final, temporary);
        if (options.append) position = (await fs.stat(temporary)).size; // the file as copied, grown meanwhile or not
        else await fs.truncate(temporary, (position = options.start));
      }
    } catch (error) {
      closeSync(fd);
      await fs.rm(temporary, { force: true });
      throw error;
    }
    return new HiddenUpload(new BatchedFileWriter(fd, position), temporary, final, options.noClobber);
  }

  /** Every byte is in the file: close it, then give it its name (226 may follow). */
  async commit(): Promise<void> {
    await this.stream.whenClosed();
    try {
      if (this.noClobber) {
        // link(2) fails when the name was taken meanwhile, where rename would replace it.
        await fs.link(this.temporary, this.final);
        await fs.rm(this.temporary, { force: true });
      } else {
        await fs.rename(this.temporary, this.final);
      }
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  /** The upload failed: close and remove the temporary file. */
  async discard(): Promise<void> {
    await this.stream.whenClosed();
    await fs.rm(this.temporary, { force: true });
  }
}

/**
 * At start-up: the `.in.*.` files a killed server left behind, removed from every folder under
 * the root (links are not followed). Returns the virtual paths removed, for the log. Another
 * instance serving the same root loses its uploads in progress (they fail, and the client retries).
 */
export function sweepHiddenUploads(root: string): string[] {
  const removed: string[] = [];
  const visit = (folder: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return; // unreadable: nothing of ours can be there
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && isHiddenUpload(entry.name)) {
        rmSync(full, { force: true });
        removed.push(`/${path.relative(root, full)}`);
      }
    }
  };
  if (lstatSync(root).isDirectory()) visit(root);
  return removed;
}
