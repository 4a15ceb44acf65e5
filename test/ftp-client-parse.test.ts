import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetlabError } from '../lib/errors.ts';
import { formatEprt, formatPort, parseEpsvReply, parsePasvReply } from '../lib/ftp/client/data.ts';
import { parseFeatures, parseFtpTime, parseListLine, parseMlsdLine, parseQuotedPath } from '../lib/ftp/client/listing.ts';
import { splitWords } from '../lib/cli/ftp/shell.ts';
import { parseFtpUrl, remoteBaseName } from '../lib/ftp/client/url.ts';

test('an ftp:// URL gives host, port, percent-decoded user, password and path (anonymous when none)', () => {
  assert.deepEqual(parseFtpUrl('ftp://127.0.0.1:2121/pub/a%20b.txt'), { host: '127.0.0.1', port: 2121, user: undefined, password: undefined, path: 'pub/a b.txt' });
  assert.deepEqual(parseFtpUrl('ftp://al%40ice:p%3Ass@example.org/'), { host: 'example.org', port: 21, user: 'al@ice', password: 'p:ss', path: '' });
  assert.equal(parseFtpUrl('ftp://[::1]:2121/x').host, '::1');
  assert.equal(parseFtpUrl('ftp://h/%2Fetc/motd').path, '/etc/motd', 'RFC 1738: %2F makes the path absolute');
  assert.equal(parseFtpUrl('localhost:2121').port, 2121, 'a bare host:port, as `open` takes');
  assert.equal(remoteBaseName('pub/dir/file.iso'), 'file.iso');
});

test('a URL that is not ftp:// or is malformed is a usage error that says how to write it', () => {
  for (const bad of ['http://example.org/', 'ftp://h:99999/', 'ftp://h/%zz', 'ftp://']) {
    assert.throws(() => parseFtpUrl(bad), (error: NetlabError) => error.code === 'E_USAGE' && Boolean(error.hint), bad);
  }
});

test('EPSV and PASV replies give the data port (and PASV an address)', () => {
  assert.equal(parseEpsvReply('Entering Extended Passive Mode (|||6446|)'), 6446);
  assert.equal(parseEpsvReply('Entering extended passive mode (!!!6446!)'), 6446, 'RFC 2428: any delimiter');
  assert.equal(parseEpsvReply('Entering Extended Passive Mode (|||99999|)'), undefined);
  assert.deepEqual(parsePasvReply('Entering Passive Mode (10,1,2,3,25,46).'), { host: '10.1.2.3', port: 25 * 256 + 46 });
  assert.deepEqual(parsePasvReply('Entering Passive Mode 127,0,0,1,4,1'), { host: '127.0.0.1', port: 1025 });
  assert.equal(parsePasvReply('Entering Passive Mode (300,1,2,3,4,5)'), undefined);
});

test('EPRT and PORT name our address and port (RFC 2428 §2, RFC 959 §4.1.2)', () => {
  assert.equal(formatEprt('127.0.0.1', 6446), 'EPRT |1|127.0.0.1|6446|');
  assert.equal(formatEprt('::1', 6446), 'EPRT |2|::1|6446|');
  assert.equal(formatPort('127.0.0.1', 6446), 'PORT 127,0,0,1,25,46');
});

test('MLSD lines become typed entries; cdir and pdir are not entries (RFC 3659 §7)', () => {
  assert.deepEqual(parseMlsdLine('type=file;size=1024;modify=20240102030405.123;perm=adfrw;unix.owner=ftp; my file.txt'), {
    name: 'my file.txt',
    type: 'file',
    size: 1024,
    modified: '2024-01-02T03:04:05.123Z',
    permissions: 'adfrw',
    owner: 'ftp',
  });
  assert.equal(parseMlsdLine('Type=DIR;Modify=20240102030405; pub')?.type, 'dir', 'fact names are case-insensitive');
  assert.equal(parseMlsdLine('type=cdir; .'), undefined);
  assert.equal(parseMlsdLine('garbage'), undefined);
});

test('Unix LIST lines become entries, links with their target', () => {
  assert.deepEqual(parseListLine('-rw-r--r--    1 0        0            6 Nov 24 18:45 hello world.txt'), {
    name: 'hello world.txt',
    type: 'file',
    size: 6,
    listedDate: 'Nov 24 18:45',
    permissions: '-rw-r--r--',
    owner: '0',
    group: '0',
  });
  assert.equal(parseListLine('drwxr-xr-x   2 root     root         4096 Jan  1  2023 pub')?.type, 'dir');
  assert.deepEqual(parseListLine('lrwxrwxrwx 1 ftp ftp 4 Mar  3 10:00 latest -> v1.2')?.target, 'v1.2');
  assert.equal(parseListLine('total 12'), undefined);
});

test('PWD/MKD paths, MDTM times and FEAT lines are read as the RFCs write them', () => {
  assert.equal(parseQuotedPath('"/a ""quoted"" dir" is current directory'), '/a "quoted" dir');
  assert.equal(parseFtpTime('20240229235959')?.toISOString(), '2024-02-29T23:59:59.000Z');
  assert.equal(parseFtpTime('2024022923595'), undefined);
  assert.equal(parseFtpTime('20261202090503.250')?.toISOString(), '2026-12-02T09:05:03.250Z', "ftp-srv's milliseconds");
  assert.equal(parseFtpTime('20261202090503.2')?.toISOString(), '2026-12-02T09:05:03.200Z');
  assert.equal(parseFtpTime('20261202090503.123456789')?.toISOString(), '2026-12-02T09:05:03.123Z', 'RFC 3659 §2.3: any number of fraction digits');
  assert.equal(parseFtpTime('20270101000000')?.toISOString(), '2027-01-01T00:00:00.000Z', 'midnight, 1 January');
  for (const wrong of ['20241302000000', '20240431120000', '20230229120000', '20241202240000', '20241202126000', '20241202090503.']) {
    assert.equal(parseFtpTime(wrong), undefined, `${wrong} is no time`);
  }
  const features = parseFeatures(['Features:', ' MLST type*;size*;', ' EPSV', ' UTF8', 'End']);
  assert.deepEqual([...features], [['MLST', 'type*;size*;'], ['EPSV', ''], ['UTF8', '']]);
});

test('the shell splits words, keeping quoted names whole', () => {
  assert.deepEqual(splitWords(`get "my file.txt" 'out put.txt'  now`), ['get', 'my file.txt', 'out put.txt', 'now']);
});
