// `netlab ftp` as a person uses it: one-shot ls/get/put with URLs, --json, --trace with the
// password masked, errors as one clear line with the right exit status, and the shell fed by a pipe.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { ExitCode } from '../lib/errors.ts';
import { Output } from '../lib/cli/output.ts';
import { packageRoot } from '../lib/paths.ts';
import { getAction } from '../lib/cli/ftp/actions.ts';
import { FtpClient } from '../lib/ftp/client/index.ts';
import { hashPassword, startFtpServer } from '../lib/ftp/server/index.ts';
import type { ServerHandle } from '../lib/services/handle.ts';
import ftp from '../scripts/ftp.ts';
import { capture, tempDir } from './helpers.ts';

/** A test that hangs fails on its own instead of holding up the suite. */
const limit = { timeout: 30_000 };

const scratch = tempDir({ after }, 'netlab-ftp-cli-');
const root = path.join(scratch, 'root');
const password = 'p@ss:wörd';
let server: ServerHandle;
let base = '';

before(async () => {
  mkdirSync(path.join(root, 'pub'), { recursive: true });
  writeFileSync(path.join(root, 'pub', 'hello.txt'), 'hello from the lab\n');
  server = await startFtpServer({
    host: '127.0.0.1',
    port: 0,
    root,
    writable: true,
    accounts: [{ user: 'alice', passwordHash: await hashPassword(password), write: true }],
  });
  base = `ftp://127.0.0.1:${server.address.port}`;
});
after(() => server?.close());

test('ls lists a folder as the server writes it; --json gives typed entries', limit, async () => {
  const listing = await capture(ftp, ['ls', `${base}/pub`]);
  assert.equal(listing.code, 0, listing.stderr);
  assert.match(listing.stdout, /^-\S+\s.*\bhello\.txt$/m);
  const json = await capture(ftp, ['ls', '--json', `${base}/pub/`]);
  assert.deepEqual(
    JSON.parse(json.stdout).map((entry: { name: string; type: string; size: number }) => [entry.name, entry.type, entry.size]),
    [['hello.txt', 'file', 19]],
  );
});

test('get saves a file under its name or the one given, or writes it to stdout with -', limit, async () => {
  const out = path.join(scratch, 'copy.txt');
  const saved = await capture(ftp, ['get', `${base}/pub/hello.txt`, out]);
  assert.equal(saved.code, 0, saved.stderr);
  assert.equal(readFileSync(out, 'utf8'), 'hello from the lab\n');
  assert.match(saved.stdout, /^received 19 B in [\d.]+ s \(.+\/s\) → .*copy\.txt\n$/);
  const piped = await capture(ftp, ['get', `${base}/pub/hello.txt`, '-']);
  assert.equal(piped.stdout, 'hello from the lab\n');
});

test('a progress bar with rate and ETA is drawn on a terminal, never into a pipe', limit, async () => {
  const big = path.join(root, 'pub', 'two-mib.bin');
  writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 7));
  const draw = async (isTTY: boolean) => {
    const stdout = Object.assign(new PassThrough(), { isTTY, columns: 120 });
    let text = '';
    stdout.on('data', (chunk) => (text += chunk));
    const out = new Output({ stdout, stderr: new PassThrough() });
    const client = await FtpClient.connect({ host: '127.0.0.1', port: server.address.port });
    await client.login();
    await getAction(client, out, 'pub/two-mib.bin', path.join(scratch, `two-mib-${isTTY}.bin`));
    await client.quit();
    return text;
  };
  const terminal = await draw(true);
  assert.match(terminal, /two-mib-true\.bin \S+ 100% 2\.0 MiB\/2\.0 MiB [\d.]+ [KMG]iB\/s ETA /);
  assert.match(terminal, /received 2\.0 MiB in/);
  const piped = await draw(false);
  assert.doesNotMatch(piped, /ETA|%/);
  assert.match(piped, /^received 2\.0 MiB in [\d.]+ s/);
});

test('local files: a bad path fails before RETR, a refused RETR keeps the old file, a longer old file is cut', limit, async () => {
  const noFolder = await capture(ftp, ['get', '--trace', `${base}/pub/hello.txt`, path.join(scratch, 'no-such-folder', 'x.txt')]);
  assert.equal(noFolder.code, ExitCode.missing);
  assert.match(noFolder.stderr, /^error: cannot write .*no-such-folder\/x\.txt: its folder does not exist — check the local path/m);
  assert.doesNotMatch(noFolder.stderr, /^-> RETR/m);
  const kept = path.join(scratch, 'kept.txt');
  writeFileSync(kept, 'precious\n');
  assert.equal((await capture(ftp, ['get', `${base}/pub/missing.txt`, kept])).code, ExitCode.failure);
  assert.equal(readFileSync(kept, 'utf8'), 'precious\n', 'a 550 leaves the local file as it was');
  const longer = path.join(scratch, 'longer.txt');
  writeFileSync(longer, 'x'.repeat(1000));
  assert.equal((await capture(ftp, ['get', `${base}/pub/hello.txt`, longer])).code, 0);
  assert.equal(readFileSync(longer, 'utf8'), 'hello from the lab\n', 'the old tail is cut');
  const missing = await capture(ftp, ['put', path.join(scratch, 'nothing-here.txt'), `${base}/incoming/`]);
  assert.equal(missing.code, ExitCode.missing);
  assert.match(missing.stderr, /nothing-here\.txt: no such file/);
});

test('put uploads into a folder URL, keeping the local name', limit, async () => {
  const file = path.join(scratch, 'notes.txt');
  writeFileSync(file, 'uploaded by the test\n');
  const result = await capture(ftp, ['put', '--json', file, `${base}/incoming/`]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).remote, 'incoming/notes.txt');
  assert.equal(readFileSync(path.join(root, 'incoming', 'notes.txt'), 'utf8'), 'uploaded by the test\n');
});

test('--trace shows the dialogue with the password masked; user:password@ is percent-decoded', limit, async () => {
  const url = `ftp://alice:${encodeURIComponent(password)}@127.0.0.1:${server.address.port}/pub/hello.txt`;
  const traced = await capture(ftp, ['get', '--trace', url, '-']);
  assert.equal(traced.code, 0, traced.stderr);
  assert.match(traced.stderr, /^-> USER alice$/m);
  assert.match(traced.stderr, /^<- 331 /m);
  assert.match(traced.stderr, /^-> PASS \*\*\*\*$/m);
  assert.match(traced.stderr, /^<- 230 /m);
  assert.match(traced.stderr, /^-> RETR pub\/hello\.txt$/m);
  assert.ok(!traced.stderr.includes('wörd') && !traced.stderr.includes(encodeURIComponent(password)), 'the password never shows');
  assert.equal(traced.stdout, 'hello from the lab\n', 'the trace goes to stderr, the file to stdout');
});

test('--active makes the server connect back (EPRT); passive is the default (EPSV)', limit, async () => {
  const active = await capture(ftp, ['ls', '--active', '--trace', `${base}/pub`]);
  assert.equal(active.code, 0, active.stderr);
  assert.match(active.stderr, /^-> EPRT \|1\|127\.0\.0\.1\|\d+\|$/m);
  assert.doesNotMatch(active.stderr, /^-> EPSV/m);
  assert.match(active.stdout, /hello\.txt/);
  const passive = await capture(ftp, ['ls', '--trace', `${base}/pub`]);
  assert.match(passive.stderr, /^-> EPSV$/m);
});

test('errors are one clear line with the server’s reply and the right exit status', limit, async () => {
  const missing = await capture(ftp, ['get', `${base}/pub/nope.txt`, path.join(scratch, 'nope.txt')]);
  assert.equal(missing.code, ExitCode.failure);
  assert.match(missing.stderr, new RegExp(`^error: FTP server 127\\.0\\.0\\.1:${server.address.port} refused RETR pub/nope\\.txt: 550 .+ — check the path`));
  const badLogin = await capture(ftp, ['ls', `ftp://alice:wrong@127.0.0.1:${server.address.port}/`]);
  assert.equal(badLogin.code, ExitCode.permission);
  assert.match(badLogin.stderr, /refused PASS \*\*\*\*: 530 .* — check the user name and password/);
  assert.ok(!badLogin.stderr.includes('wrong'));
  const refused = await capture(ftp, ['ls', 'ftp://127.0.0.1:1/']);
  assert.equal(refused.code, ExitCode.network);
  assert.match(refused.stderr, /connection refused/);
  const notFtp = await capture(ftp, ['ls', 'http://example.org/']);
  assert.equal(notFtp.code, ExitCode.usage);
});

test('the shell reads commands from a pipe: lcd, open, user, ls, cd, pwd, get, put, mkdir, rm, bye', limit, async () => {
  const work = path.join(scratch, 'shell');
  mkdirSync(work);
  writeFileSync(path.join(work, 'up.txt'), 'from the shell\n');
  const script = [
    `lcd ${work}`,
    `open 127.0.0.1 ${server.address.port}`,
    'user alice "p@ss:wörd"',
    'pwd',
    'cd pub',
    'ls',
    'get hello.txt',
    'cdup',
    'mkdir box',
    'put up.txt box/up.txt',
    'size box/up.txt',
    'rm box/up.txt',
    'frobnicate',
    'bye',
    'pwd',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(packageRoot, 'scripts/ftp.ts')], { cwd: packageRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(`${script}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.match(stdout, /^connected to 127\.0\.0\.1:\d+: /m);
  assert.match(stdout, /^\/\n/m, 'pwd');
  assert.match(stdout, /hello\.txt\n/);
  assert.match(stdout, /^received 19 B/m);
  assert.equal(readFileSync(path.join(work, 'hello.txt'), 'utf8'), 'hello from the lab\n');
  assert.match(stdout, /^created \/box$/m);
  assert.match(stdout, /^15$/m, 'size of the uploaded file');
  assert.match(stderr, /^error: unknown command "frobnicate" — help lists the commands$/m);
  assert.equal(stdout.match(/^\/$/gm)?.length, 1, 'nothing runs after bye');
  assert.equal(code, ExitCode.usage, 'a piped script exits with its first failure: the unknown command, 2');
});
