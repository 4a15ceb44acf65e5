// Explicit FTPS (RFC 4217): with a certificate, AUTH TLS secures the control connection and
// PROT P the data connections; curl and Python's FTP_TLS work with a self-signed pair from openssl.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { missingPeers, peers, skipWithout } from './peers/available.ts';
import { ControlConnection } from './peers/ftp-control.ts';
import { helloText, makeFtpTree, startTestFtpd } from './peers/ftp-tree.ts';

const run = promisify(execFile);

async function selfSignedPair(folder: string): Promise<{ cert: Buffer; key: Buffer }> {
  const cert = path.join(folder, 'cert.pem');
  const key = path.join(folder, 'key.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert]);
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

test('with a certificate, curl --ssl-reqd lists, downloads and uploads over TLS (passive)', { skip: missingPeers('openssl') }, async (t) => {
  const tree = makeFtpTree(t);
  const tls = await selfSignedPair(tree.base);
  const { port, lines } = await startTestFtpd(t, { root: tree.root, writable: true, tls });
  const url = `ftp://127.0.0.1:${port}`;
  const curl = (...args: string[]) => run('curl', ['-sS', '--max-time', '20', '--ssl-reqd', '-k', ...args]);

  const features = await ControlConnection.open(port);
  t.after(() => features.close());
  const feat = await features.send('FEAT');
  assert.match(feat.text, /^ AUTH TLS$/m);
  assert.match(feat.text, /^ PROT$/m);
  assert.equal((await features.send('AUTH TLS')).code, 234);
  if (skipWithout(t, 'curl')) return;

  assert.match((await curl(`${url}/pub/`)).stdout, /hello\.txt/);
  assert.equal((await curl(`${url}/pub/hello.txt`)).stdout, helloText);
  // (curl 7.88 stalls on active-mode FTPS after accepting our connection; ftplib covers active below.)
  writeFileSync(path.join(tree.base, 'up.txt'), 'over TLS\n');
  await curl('-T', path.join(tree.base, 'up.txt'), `${url}/incoming/`);
  assert.equal(readFileSync(path.join(tree.root, 'incoming/up.txt'), 'utf8'), 'over TLS\n');
  assert.ok(lines.some((line) => line.command === 'AUTH' && line.code === 234));
  assert.ok(lines.some((line) => line.command === 'PROT' && line.code === 200));
});

test("Python's FTP_TLS logs in over TLS and fetches with PROT P, passive and active (an empty file, and from the end, too)", { skip: missingPeers('openssl', 'python3') }, async (t) => {
  const tree = makeFtpTree(t);
  writeFileSync(path.join(tree.root, 'pub/empty.txt'), '');
  const tls = await selfSignedPair(tree.base);
  const { port } = await startTestFtpd(t, { root: tree.root, tls });
  const script = `
import ftplib, io, ssl
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
ftp = ftplib.FTP_TLS(context=context)
ftp.connect('127.0.0.1', ${port}, timeout=10)
ftp.login()
ftp.prot_p()
for passive in (True, False):
    ftp.set_pasv(passive)
    data = io.BytesIO()
    ftp.retrbinary('RETR pub/hello.txt', data.write)
    print(data.getvalue().decode(), end='')
    # Nothing to send: the data connection must still finish its TLS handshake before it closes.
    empty = io.BytesIO()
    print(ftp.retrbinary('RETR pub/empty.txt', empty.write), len(empty.getvalue()))
print(ftp.retrbinary('RETR pub/hello.txt', print, rest=${helloText.length}))
print(sorted(ftp.nlst()))
ftp.quit()
`;
  const { stdout } = await run(peers.python3.file, ['-c', script], { timeout: 20_000 });
  const empty = '226 Transfer complete 0\n';
  assert.equal(stdout, `${helloText}${empty}${helloText}${empty}226 Transfer complete\n['incoming', 'pub']\n`);
});

test('without a certificate, AUTH TLS is refused and curl --ssl-reqd gives up', async (t) => {
  const tree = makeFtpTree(t);
  const { port } = await startTestFtpd(t, { root: tree.root });
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  assert.doesNotMatch((await ftp.send('FEAT')).text, /AUTH TLS/);
  assert.equal((await ftp.send('AUTH TLS')).code, 502);
  if (skipWithout(t, 'curl')) return;
  await assert.rejects(run('curl', ['-sS', '--ssl-reqd', `ftp://127.0.0.1:${port}/pub/hello.txt`]), /SSL|TLS|denied|refused|64/i);
});
