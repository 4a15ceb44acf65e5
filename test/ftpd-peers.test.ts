// ftpd against the real clients students use: curl (list, get, put, EPSV, PASV, active -P),
// Python's ftplib (Debian's python3) and lftp. Every transfer is checked byte for byte.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { missingPeers, peers, skipBecause, skipWithout } from './peers/available.ts';
import { ControlConnection } from './peers/ftp-control.ts';
import { helloText, makeFtpTree, startTestFtpd } from './peers/ftp-tree.ts';

const run = promisify(execFile);
const curl = (...args: string[]) => run('curl', ['-sS', '--max-time', '20', ...args], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

test('curl lists, downloads (EPSV, PASV, active -P) and uploads into incoming/', { skip: missingPeers('curl') }, async (t) => {
  const tree = makeFtpTree(t);
  const payload = randomBytes(3 * 1024 * 1024 + 17);
  writeFileSync(path.join(tree.root, 'pub/blob.bin'), payload);
  const { port, lines } = await startTestFtpd(t, { root: tree.root, writable: true });
  const url = `ftp://127.0.0.1:${port}`;

  const listing = (await curl(`${url}/pub/`)).stdout.toString();
  assert.match(listing, /^-rw-r--r-- +1 ftp +ftp +23 \w{3} [ \d]\d \d\d:\d\d hello\.txt$/m);
  assert.match(listing, /^l.* up -> \.\.$/m);
  assert.deepEqual((await curl('--list-only', `${url}/`)).stdout.toString().split(/\r?\n/).filter(Boolean).sort(), ['incoming', 'pub']);

  for (const mode of [[], ['--disable-epsv'], ['-P', '127.0.0.1'], ['-P', '127.0.0.1', '--disable-eprt']]) {
    const { stdout } = await curl(...mode, `${url}/pub/blob.bin`);
    assert.equal(sha256(stdout), sha256(payload), `download with ${mode.join(' ') || 'EPSV'}`);
  }
  assert.equal((await curl('--disable-epsv', `${url}/pub/hello.txt`)).stdout.toString(), helloText);
  // Resume: curl sends REST 1000000 and gets the rest.
  assert.equal(sha256((await curl('-C', '1000000', `${url}/pub/blob.bin`)).stdout), sha256(payload.subarray(1_000_000)));

  const upload = path.join(tree.base, 'upload.bin');
  writeFileSync(upload, payload);
  await curl('-T', upload, `${url}/incoming/`);
  assert.equal(sha256(readFileSync(path.join(tree.root, 'incoming/upload.bin'))), sha256(payload));
  await assert.rejects(curl('-T', upload, `${url}/pub/upload.bin`), /553/);

  // One request-log line per command, with the transfer's xferlog fields.
  const stored = lines.find((line) => line.command === 'STOR' && line.code === 226);
  assert.equal(stored?.direction, 'i');
  assert.equal(stored?.bytes, payload.length);
  assert.equal(stored?.file, '/incoming/upload.bin');
  assert.equal(stored?.user, 'anonymous');
  const sent = lines.filter((line) => line.command === 'RETR' && line.status === 'c');
  assert.ok(sent.some((line) => line.bytes === payload.length && line.direction === 'o'));
  assert.ok(lines.every((line) => typeof line.client === 'string' && typeof line.code === 'number'));
});

test("Python's ftplib logs in, walks, downloads and uploads, passive and active", { skip: missingPeers('python3') }, async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root, writable: true });
  const script = `
import ftplib, hashlib, io, sys
for passive in (True, False):
    ftp = ftplib.FTP()
    ftp.connect('127.0.0.1', ${port}, timeout=10)
    print(ftp.login())
    ftp.set_pasv(passive)
    print(sorted(ftp.nlst()))
    ftp.cwd('pub')
    print(ftp.pwd())
    data = io.BytesIO()
    ftp.retrbinary('RETR hello.txt', data.write)
    print(repr(data.getvalue().decode()))
    print(ftp.size('hello.txt'))
    ftp.cwd('/incoming')
    print(ftp.storbinary('STOR from-python-%s.txt' % passive, io.BytesIO(b'uploaded by ftplib')))
    try:
        ftp.delete('from-python-%s.txt' % passive)
    except ftplib.error_perm as e:
        print('refused', str(e)[:3])
    print(ftp.quit())
`;
  const { stdout } = await run(peers.python3.file, ['-c', script], { timeout: 30_000 });
  const out = stdout.split('\n');
  assert.equal(out.filter((line) => line.startsWith('230')).length, 2);
  assert.equal(out.filter((line) => line === "['incoming', 'pub']").length, 2);
  assert.equal(out.filter((line) => line === '257 "/pub" is current directory' || line === '/pub').length, 2, stdout);
  assert.equal(out.filter((line) => line === `'${helloText.replace('\n', '\\n')}'`).length, 2, stdout);
  assert.equal(out.filter((line) => line === '23').length, 2);
  assert.equal(out.filter((line) => line.startsWith('226')).length, 2);
  assert.equal(out.filter((line) => line === 'refused 550').length, 2);
  assert.equal(readFileSync(path.join(tree.root, 'incoming/from-python-True.txt'), 'utf8'), 'uploaded by ftplib');
  assert.equal(readFileSync(path.join(tree.root, 'incoming/from-python-False.txt'), 'utf8'), 'uploaded by ftplib');
});

test('lftp lists, mirrors the tree and uploads', { skip: missingPeers('lftp') }, async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root, writable: true });
  const local = path.join(tree.base, 'mirror');
  const commands = [
    'set net:max-retries 1; set net:timeout 10; set ftp:ssl-allow no',
    `open -u anonymous,student@ ftp://127.0.0.1:${port}`,
    'cls -1 /',
    `mirror --no-symlinks /pub ${local}`,
    `put -O /incoming ${path.join(tree.base, 'secret.txt')} -o lftp.txt`,
    'cls -1 /incoming',
  ].join('; ');
  const { stdout } = await run('lftp', ['-c', commands], { timeout: 30_000 });
  assert.match(stdout, /^\/?incoming\/$/m);
  assert.match(stdout, /^\/?pub\/$/m);
  assert.doesNotMatch(stdout, /etclink|escape/);
  assert.match(stdout, /lftp\.txt/);
  assert.equal(readFileSync(path.join(local, 'hello.txt'), 'utf8'), helloText);
  assert.equal(readFileSync(path.join(tree.root, 'incoming/lftp.txt'), 'utf8'), readFileSync(path.join(tree.base, 'secret.txt'), 'utf8'));
});

test('ftplib fetches files around the in-memory size limit byte for byte; names keep their quotes; LIST takes ls options', { skip: missingPeers('python3') }, async (t) => {
  const tree = makeFtpTree(t);
  // 256 KiB is the largest file read whole and sent from memory (its 150 and 226 leave together).
  const sizes = [0, 1, 1024, 256 * 1024, 256 * 1024 + 1, 2 * 1024 * 1024 + 3];
  const files = sizes.map((size) => ({ name: `size-${size}.bin`, bytes: randomBytes(size) }));
  files.push({ name: 'say "hello".txt', bytes: Buffer.from(helloText) });
  for (const file of files) writeFileSync(path.join(tree.root, 'pub', file.name), file.bytes);
  const { port, lines } = await startTestFtpd(t, { root: tree.root });
  const script = `
import ftplib, hashlib, json, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', ${port}, timeout=10)
ftp.login()
ftp.cwd('pub')
digests = {}
for name in json.loads(sys.argv[1]):
    digest = hashlib.sha256()
    final = ftp.retrbinary('RETR ' + name, digest.update)
    digests[name] = [digest.hexdigest(), final[:3]]
listing = []
ftp.retrlines('LIST -la', listing.append)
print(json.dumps({'digests': digests, 'listing': listing}))
ftp.quit()
`;
  const { stdout } = await run(peers.python3.file, ['-c', script, JSON.stringify(files.map((file) => file.name))], { timeout: 30_000 });
  const { digests, listing } = JSON.parse(stdout) as { digests: Record<string, [string, string]>; listing: string[] };
  for (const file of files) assert.deepEqual(digests[file.name], [sha256(file.bytes), '226'], file.name);
  assert.ok(listing.some((line) => line.endsWith(' say "hello".txt')), listing.join('\n'));
  for (const file of files) {
    const logged = lines.find((line) => line.command === 'RETR' && line.file === `/pub/${file.name}`);
    assert.deepEqual([logged?.code, logged?.status, logged?.bytes], [226, 'c', file.bytes.length], file.name);
  }
});

test('TYPE A sends lines with CRLF and stores them with LF (RFC 959 §3.1.1.1); TYPE I leaves bytes alone', async (t) => {
  const tree = makeFtpTree(t);
  writeFileSync(path.join(tree.root, 'pub/lines.txt'), 'one\ntwo\n\nthree');
  const { port } = await startTestFtpd(t, { root: tree.root, writable: true });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  await ftp.login();
  assert.equal((await ftp.send('TYPE A')).code, 200);
  assert.equal((await ftp.transfer('RETR pub/lines.txt')).data.toString(), 'one\r\ntwo\r\n\r\nthree');
  assert.equal((await ftp.transfer('STOR incoming/dos.txt', Buffer.from('a\r\nb\rc\r\n\r'))).final?.code, 226);
  assert.equal(readFileSync(path.join(tree.root, 'incoming/dos.txt'), 'utf8'), 'a\nb\rc\n\r');
  assert.equal((await ftp.send('TYPE I')).code, 200);
  assert.equal((await ftp.transfer('RETR pub/lines.txt')).data.toString(), 'one\ntwo\n\nthree');
  // ftplib's retrlines uses TYPE A and gets the lines back.
  if (skipWithout(t, 'python3')) return;
  const script = `
import ftplib
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', ${port}, timeout=10)
ftp.login()
ftp.retrlines('RETR pub/lines.txt', print)
ftp.quit()
`;
  assert.equal((await run(peers.python3.file, ['-c', script])).stdout, 'one\ntwo\n\nthree\n');
});

test('over IPv6, curl fetches with EPSV and EPRT; PASV, which cannot name an IPv6 address, says so', async (t) => {
  const tree = makeFtpTree(t);
  let started: Awaited<ReturnType<typeof startTestFtpd>>;
  try {
    started = await startTestFtpd(t, { root: tree.root, host: '::1' });
  } catch (error) {
    skipBecause(t, `no IPv6 loopback here: ${(error as Error).message}`);
    return;
  }
  const ftp = await ControlConnection.open(started.port, '::1');
  t.after(() => ftp.close());
  await ftp.login();
  assert.equal((await ftp.send('PASV')).code, 425);
  assert.equal((await ftp.send('EPSV 1')).code, 522);
  assert.equal((await ftp.transfer('RETR pub/hello.txt')).data.toString(), helloText);
  if (skipWithout(t, 'curl')) return;
  const url = `ftp://[::1]:${started.port}`;
  assert.equal((await curl(`${url}/pub/hello.txt`)).stdout.toString(), helloText);
  assert.equal((await curl('-P', '::1', `${url}/pub/hello.txt`)).stdout.toString(), helloText);
});
