// bench/ftp-client: our FTP client against curl, both downloading the same 1 GiB file from the
// same vsftpd on loopback, in the same run — to a file, to /dev/null (the network path alone) — and uploading it.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FtpClient } from '../lib/ftp/client/index.ts';
import { startVsftpd } from '../peers/ftp-peers.ts';
import { printComparison, type Measurement } from './_report.ts';

const run = promisify(execFile);
const size = 1024 * 1024 * 1024;
const rounds = 3;

/** 1 GiB made of one random MiB repeated: FTP does not compress, so content does not matter. */
function makeFile(file: string): void {
  const block = randomBytes(1024 * 1024);
  const fd = openSync(file, 'w');
  for (let written = 0; written < size; written += block.length) writeSync(fd, block);
  closeSync(fd);
}

/** curl's own clock (%{time_total}: connect, login, transfer), so its process start is not counted. */
async function curlSeconds(url: string, out: string): Promise<number> {
  const { stdout } = await run('curl', ['--silent', '--show-error', '--output', out, '--write-out', '%{time_total}', url]);
  return Number(stdout);
}

async function curlUploadSeconds(file: string, url: string): Promise<number> {
  const { stdout } = await run('curl', ['--silent', '--show-error', '--upload-file', file, '--write-out', '%{time_total}', url]);
  return Number(stdout);
}

async function oursUploadSeconds(port: number, file: string, remote: string): Promise<number> {
  const started = performance.now();
  const client = await FtpClient.connect({ host: '127.0.0.1', port });
  await client.login();
  const bytes = await client.uploadFile(file, remote);
  await client.quit();
  if (bytes !== size) throw new Error(`sent ${bytes} bytes, expected ${size}`);
  return (performance.now() - started) / 1000;
}

/** Ours the same way: from connect to QUIT, in this process. */
async function oursSeconds(port: number, out: string): Promise<number> {
  const started = performance.now();
  const client = await FtpClient.connect({ host: '127.0.0.1', port });
  await client.login();
  const bytes = await client.downloadFile('big.bin', out);
  await client.quit();
  if (bytes !== size) throw new Error(`received ${bytes} bytes, expected ${size}`);
  return (performance.now() - started) / 1000;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'netlab-bench-ftp-client-'));
try {
  const root = path.join(scratch, 'root');
  mkdirSync(root);
  makeFile(path.join(root, 'big.bin'));
  const server = await startVsftpd({ root, writable: true });
  const rows: Measurement[] = [];
  try {
    const url = `ftp://127.0.0.1:${server.port}/big.bin`;
    for (const [label, out] of [
      ['RETR 1 GiB to a file', path.join(scratch, 'copy.bin')],
      ['RETR 1 GiB to /dev/null', '/dev/null'],
    ] as const) {
      // Alternate the two programs and keep each one's best round: the machine is shared and noisy.
      let ours = Infinity;
      let curl = Infinity;
      // Each download starts with no file: overwriting blocks already allocated would flatter whoever does it.
      const fresh = () => out !== '/dev/null' && rmSync(out, { force: true });
      for (let round = 0; round < rounds; round++) {
        fresh();
        curl = Math.min(curl, await curlSeconds(url, out));
        fresh();
        ours = Math.min(ours, await oursSeconds(server.port, out));
      }
      rows.push({ metric: label, ours: size / 2 ** 20 / ours, reference: size / 2 ** 20 / curl, against: 'curl 7.88', unit: 'MiB/s', target: 0.5 });
    }
    // Not a target of the issue, for scale: STOR of the same file into incoming/, each copy deleted after.
    let ours = Infinity;
    let curl = Infinity;
    const copy = path.join(root, 'incoming', 'copy.bin');
    for (let round = 0; round < rounds; round++) {
      curl = Math.min(curl, await curlUploadSeconds(path.join(root, 'big.bin'), `ftp://127.0.0.1:${server.port}/incoming/copy.bin`));
      rmSync(copy, { force: true });
      ours = Math.min(ours, await oursUploadSeconds(server.port, path.join(root, 'big.bin'), 'incoming/copy.bin'));
      rmSync(copy, { force: true });
    }
    rows.push({ metric: 'STOR 1 GiB from a file', ours: size / 2 ** 20 / ours, reference: size / 2 ** 20 / curl, against: 'curl 7.88', unit: 'MiB/s' });
  } finally {
    await server.close();
  }
  printComparison(`FTP client vs curl, 1 GiB with vsftpd on loopback (best of ${rounds}, alternating)`, rows);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
