// What `netlab ftp ls|get|put` and the shell's commands of the same names do: one transfer with
// its progress bar and its summary, shared so that the one-shot CLI and the shell behave alike.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { NetlabError, systemErrorCode } from '../../errors.ts';
import type { Output } from '../output.ts';
import { visibleControls } from '../../text.ts';
import { partialFile, resumeOffset, type FtpClient } from '../../ftp/client/client.ts';
import { listingLines } from '../../ftp/client/listing.ts';
import { startProgress, transferSummary } from './progress.ts';
import { remoteBaseName } from '../../ftp/client/url.ts';

export interface TransferResult {
  remote: string;
  local: string;
  bytes: number;
  seconds: number;
  resumedAt?: number;
}

/** LIST as the server writes it, or typed entries (MLSD when the server has it) with --json. */
export async function listAction(client: FtpClient, out: Output, remotePath?: string): Promise<void> {
  if (out.json) {
    out.result(await client.entries(remotePath));
    return;
  }
  for (const line of listingLines(await client.list(remotePath))) out.line(visibleControls(line));
}

/** RETR to a file (its remote name by default, or into a folder), or to stdout with "-". */
export async function getAction(client: FtpClient, out: Output, remote: string, local?: string, options: { resume?: boolean; cwd?: string } = {}): Promise<TransferResult> {
  if (local === '-') {
    let bytes = 0;
    try {
      await client.download(remote, out.stdout, { end: false, onProgress: (count) => (bytes = count) });
    } catch (error) {
      // `| head` closed the pipe: it has what it wanted; the transfer was stopped with ABOR.
      if (systemErrorCode(error) !== 'EPIPE') throw error;
    }
    return { remote, local: '-', bytes, seconds: 0 };
  }
  const name = remoteBaseName(remote);
  if (!name) throw new NetlabError('E_USAGE', `${JSON.stringify(remote)} names no file`, { hint: 'give the path of a file, e.g. ftp://host/pub/file.txt' });
  let file = path.resolve(options.cwd ?? '.', local ?? name);
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = path.join(file, name);
  const resumedAt = options.resume ? resumeOffset(file) : 0;
  const total = await client.size(remote).catch(() => undefined);
  // A whole partial file still goes through downloadFile, which names it (REST at its end: no byte).
  if (total !== undefined && resumedAt >= total && options.resume && !existsSync(partialFile(file))) {
    out.info(`${path.basename(file)} is already complete (${total} bytes)`);
    return { remote, local: file, bytes: 0, seconds: 0, resumedAt };
  }
  const progress = startProgress(out, path.basename(file), total === undefined ? undefined : total - resumedAt);
  let bytes: number;
  let seconds = 0;
  try {
    bytes = await client.downloadFile(remote, file, { resume: options.resume, onProgress: progress.update });
  } finally {
    seconds = progress.stop();
  }
  const result = { remote, local: file, bytes, seconds, ...(resumedAt ? { resumedAt } : {}) };
  out.result(result, () => out.info(`${transferSummary('received', bytes, seconds)}${resumedAt ? `, resumed at byte ${resumedAt}` : ''} → ${file}`));
  return result;
}

/** The local file a put sends, checked before any connection: its absolute path and size. */
export function fileToSend(local: string, cwd = '.'): { file: string; size: number } {
  const file = path.resolve(cwd, local);
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new NetlabError('E_NOT_FOUND', `${local}: no such file`, { hint: 'check the local path' });
  if (!stat.isFile()) throw new NetlabError('E_INPUT', `${local} is not a regular file`, { hint: 'put sends one file at a time' });
  return { file, size: stat.size };
}

/** STOR a file; a remote path ending in "/" (or empty) means "into this folder, same name". */
export async function putAction(client: FtpClient, out: Output, local: string, remote = '', options: { resume?: boolean; cwd?: string } = {}): Promise<TransferResult> {
  const { file, size } = fileToSend(local, options.cwd);
  const target = remote === '' || remote.endsWith('/') ? `${remote}${path.basename(file)}` : remote;
  const progress = startProgress(out, path.basename(file), size);
  let bytes: number;
  let seconds = 0;
  try {
    bytes = await client.uploadFile(file, target, { resume: options.resume, onProgress: progress.update });
  } finally {
    seconds = progress.stop();
  }
  const result = { remote: target, local: file, bytes, seconds };
  out.result(result, () => out.info(`${transferSummary('sent', bytes, seconds)} → ${target}`));
  return result;
}
