// Names never reach the control stream raw (issue 11, parts 4 and 5), against the real daemon
// (`netlab start ftpd`): a client's CR is never echoed in a reply; names with CR or LF are refused
// on STOR, APPE, STOU, MKD and RNTO (553); files made outside FTP with CR, LF or ESC in their names
// are listed escaped (^M, ^J, ^[) and fetched by that form; our client prints them escaped too.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { hashPassword } from '../lib/ftp/server/index.ts';
import type { ServiceReport } from '../lib/services/daemon.ts';
import { isolatedEnv, netlabBin, tempDir } from './helpers.ts';
import { ControlConnection } from './peers/ftp-control.ts';
import { netlab } from './services-cli.ts';

const execFileAsync = promisify(execFile);
const limit = { timeout: 60_000 };

/** Files a local user made with names FTP would never create. */
const outside = {
  'crlf\n226 injected.txt': 'lf',
  'cr\rname.txt': 'cr',
  'esc\x1b[31mred': 'esc',
  'lit^Jx': 'literal', // a name that really is written with a caret…
  'lit\nx': 'newline', // …and the one its escape stands for: the literal name wins
};
const shown = ['cr^Mname.txt', 'crlf^J226 injected.txt', 'esc^[[31mred', 'lit^Jx', 'lit^Jx'];

/** Raw control characters a reply or a printed line must never hold (TAB aside). */
const rawControl = /[\x00-\x08\x0a-\x1f\x7f]/;

async function startDaemon(t: { after(fn: () => unknown): void }) {
  const dir = tempDir(t);
  const root = path.join(dir, 'ftp');
  mkdirSync(path.join(root, 'pub'), { recursive: true });
  mkdirSync(path.join(root, 'dir\rx'));
  for (const [name, text] of Object.entries(outside)) writeFileSync(path.join(root, 'pub', name), text);
  const env = { NETLAB_FTP_ACCOUNTS: `alice:${await hashPassword('s3cret')}:rw` };
  const started = await netlab(dir, ['start', 'ftpd', '--port', '0', '--root', root], env);
  assert.equal(started.code, 0, started.stderr);
  const [{ port }] = JSON.parse((await netlab(dir, ['status', 'ftpd', '--json'], env)).stdout) as ServiceReport[];
  return { dir, root, port: port! };
}

test('a client’s CR is never echoed raw; CR/LF names are refused with 553; names made outside FTP are listed escaped and fetched so', limit, async (t) => {
  const { root, port } = await startDaemon(t);
  const ftp = await ControlConnection.open(port);
  t.after(() => ftp.close());
  const raw: string[] = [];
  ftp.socket.on('data', (chunk: string) => raw.push(chunk));
  assert.equal((await ftp.login('alice', 's3cret')).code, 230);

  // The reply names the path with its CR shown, and it is one reply: the next command's reply is the next one.
  assert.equal((await ftp.send('SIZE x\r200 INJECTED')).text, '550 /x^M200 INJECTED: No such file or directory');
  assert.equal((await ftp.send('CWD nowhere\r226 ok')).text, '550 /nowhere^M226 ok: No such file or directory');
  assert.equal((await ftp.send('NOOP')).code, 200);

  for (const command of ['STOR a\rb', 'APPE a\rb', 'STOU a\rb']) {
    const { first } = await ftp.transfer(command, Buffer.from('x'));
    assert.equal(first.code, 553, `${command}: ${first.text}`);
    assert.match(first.text, /File name not allowed \(it holds a CR or LF\)/);
  }
  assert.equal((await ftp.send('MKD d\re')).code, 553);
  assert.equal((await ftp.send('RNFR pub/cr^Mname.txt')).code, 350, 'RNFR takes the escaped form');
  assert.equal((await ftp.send('RNTO x\ry')).code, 553);
  assert.deepEqual(readdirSync(root).sort(), ['dir\rx', 'pub'], 'nothing was created');

  const nlst = (await ftp.transfer('NLST pub')).data.toString();
  assert.deepEqual(nlst.split('\r\n').filter(Boolean).sort(), shown, 'one line per file, each name escaped');
  const list = (await ftp.transfer('LIST pub')).data.toString().split('\r\n').filter(Boolean);
  assert.equal(list.length, 5);
  assert.deepEqual(list.map((line) => line.split(/\s+/).slice(8).join(' ')).sort(), shown);
  const stat = await ftp.send('STAT pub');
  assert.equal(stat.code, 213);
  assert.equal(stat.text.split('\n').length, 5 + 2, 'one line per file, between the first and the last');

  for (const [asked, text] of [['pub/crlf^J226 injected.txt', 'lf'], ['pub/cr^Mname.txt', 'cr'], ['pub/esc^[[31mred', 'esc'], ['pub/lit^Jx', 'literal']]) {
    const fetched = await ftp.transfer(`RETR ${asked}`);
    assert.equal(fetched.final?.code, 226, `RETR ${asked}: ${fetched.first.text}`);
    assert.equal(fetched.data.toString(), text, asked);
  }
  assert.equal((await ftp.send('SIZE pub/crlf^J226 injected.txt')).text, '213 2');
  assert.equal((await ftp.send('CWD dir^Mx')).code, 250);
  assert.equal((await ftp.send('PWD')).text, '257 "/dir^Mx"');
  ftp.close();
  const replies = raw.join('').split('\r\n');
  assert.ok(!replies.some((line) => rawControl.test(line)), `a reply line held a control character: ${JSON.stringify(replies.filter((line) => rawControl.test(line)))}`);
});

test('our client (netlab ftp ls) prints such names escaped, from our server and from one that sends them raw', limit, async (t) => {
  const { dir, port } = await startDaemon(t);
  const ours = await execFileAsync(netlabBin, ['ftp', 'ls', `ftp://127.0.0.1:${port}/pub/`], { env: isolatedEnv(dir) });
  assert.deepEqual(ours.stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/).slice(8).join(' ')).sort(), shown);

  // A hostile server: raw CR, ESC and BEL in its listing and in its replies.
  const hostile = '-rw-r--r--    1 ftp      ftp             2 Dec  2 09:05 evil\r\x1b]0;pwned\x07\x1b[2J.txt\r\n';
  const data = net.createServer((socket) => socket.end(hostile));
  await new Promise<void>((resolve) => data.listen(0, '127.0.0.1', resolve));
  const control = net.createServer((socket) => {
    socket.write('220 \x1b[31mred greeting\r\n');
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const command = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (command.startsWith('USER')) socket.write('331 go on\r\n');
        else if (command.startsWith('PASS')) socket.write('230 in\r\n');
        else if (command === 'EPSV') socket.write(`229 Entering Extended Passive Mode (|||${(data.address() as net.AddressInfo).port}|)\r\n`);
        else if (command.startsWith('LIST')) socket.write('150 here\r\n226 done\r\n');
        else if (command === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('200 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    data.close();
    control.close();
  });
  const theirs = await execFileAsync(netlabBin, ['ftp', 'ls', `ftp://127.0.0.1:${(control.address() as net.AddressInfo).port}/`], { env: isolatedEnv(dir) });
  assert.match(theirs.stdout, /evil\^M\^\[\]0;pwned\^G\^\[\[2J\.txt/);
  assert.ok(!rawControl.test(theirs.stdout.replace(/\n/g, '')), JSON.stringify(theirs.stdout));
  assert.ok(!rawControl.test(theirs.stderr.replace(/\n/g, '')), JSON.stringify(theirs.stderr));
});
