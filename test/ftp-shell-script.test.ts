// `netlab ftp shell` fed by a pipe, as a script: every line read in order, none lost (even those
// written before the connect completes), the end of input ending the session as `bye` does, no
// prompt, and an exit status that says how the script went. In a real child process, against
// netlab ftpd and vsftpd, with the target given as a URL and as "host port".

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { ExitCode } from '../lib/errors.ts';
import { packageRoot } from '../lib/paths.ts';
import { startFtpServer } from '../lib/ftp/server/index.ts';
import { isolatedEnv, tempDir, type Captured } from './helpers.ts';
import { skipBecause, skipWithout } from './peers/available.ts';
import { startVsftpd } from '../peers/ftp-peers.ts';

/** A test that hangs (the bug this file guards against) fails on its own. */
const limit = { timeout: 30_000 };
const netlab = path.join(packageRoot, 'bin/netlab.js');
const scratch = tempDir({ after }, 'netlab-ftp-shell-');
const helloText = 'hello from the lab\n';

function makeRoot(name: string): string {
  const root = path.join(scratch, name);
  mkdirSync(path.join(root, 'pub'), { recursive: true });
  writeFileSync(path.join(root, 'pub', 'hello.txt'), helloText);
  return root;
}

/**
 * A relay to the server that connects onward only once `open` resolves: until then the shell
 * has its TCP connection but no greeting, so it is still connecting while its input arrives.
 */
async function heldRelay(port: number, open: Promise<unknown>): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => {});
    void open.then(() => {
      const server = net.connect(port, '127.0.0.1');
      sockets.add(server);
      server.on('error', () => client.destroy());
      client.pipe(server).pipe(client);
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => relay.close(() => resolve()));
    },
  };
}

/**
 * `netlab ftp shell TARGET… --trace` with `lines` piped in. The whole script, and the end of
 * input, are in the pipe before the server's greeting is let through.
 */
async function runScript(serverPort: number, target: (port: number) => string[], lines: string[], cwd: string): Promise<Captured> {
  let written!: () => void;
  const inputWritten = new Promise<void>((resolve) => (written = resolve));
  const relay = await heldRelay(serverPort, inputWritten);
  try {
    const child = spawn(process.execPath, [netlab, 'ftp', 'shell', ...target(relay.port), '--trace'], { cwd, env: isolatedEnv(scratch), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end(lines.map((line) => `${line}\n`).join(''), () => written());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code: code ?? -1, stdout, stderr };
  } finally {
    await relay.close();
  }
}

const forms = {
  URL: (port: number) => [`ftp://127.0.0.1:${port}/`],
  'host and port': (port: number) => ['127.0.0.1', String(port)],
};

/** The same script against each server and each form: in order, nothing lost, EOF ends it with QUIT. */
async function checkScript(serverPort: number, name: string): Promise<void> {
  for (const [form, target] of Object.entries(forms)) {
    const work = path.join(scratch, `${name}-${form.replace(/ /g, '-')}`);
    mkdirSync(work);
    // No bye: the end of input must end the session.
    const result = await runScript(serverPort, target, ['pwd', 'cd pub', 'ls', 'get hello.txt', 'pwd'], work);
    const what = `${name}, ${form}: ${result.stderr}`;
    assert.equal(result.code, ExitCode.ok, what);
    const lines = result.stdout.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const order = [/^connected to 127\.0\.0\.1:\d+: /, /^\/$/, /\bhello\.txt$/, /^received 19 B/, /^\/pub$/].map(at);
    assert.ok(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1])), `every command ran, in order (${order}): ${result.stdout}`);
    assert.equal(readFileSync(path.join(work, 'hello.txt'), 'utf8'), helloText, what);
    assert.doesNotMatch(result.stdout, /ftp>/, 'no prompt when stdin is not a terminal');
    assert.match(result.stderr, /^-> QUIT$/m, `the end of input logs out, as bye: ${what}`);
  }
}

test('a script piped into the shell runs whole against netlab ftpd, as a URL or as host and port', limit, async (t) => {
  const server = await startFtpServer({ host: '127.0.0.1', port: 0, root: makeRoot('ftpd') });
  t.after(() => server.close());
  await checkScript(server.address.port, 'ftpd');
});

test('a script piped into the shell runs whole against vsftpd, as a URL or as host and port', limit, async (t) => {
  if (skipWithout(t, 'vsftpd') || (process.getuid?.() !== 0 && skipBecause(t, 'vsftpd must be started as root (it chroots each session)'))) return;
  const peer = await startVsftpd({ root: makeRoot('vsftpd') });
  t.after(() => peer.close());
  await checkScript(peer.port, 'vsftpd');
});

test('a script goes on after a failure, and its exit status is that of the first failed command', limit, async (t) => {
  const server = await startFtpServer({ host: '127.0.0.1', port: 0, root: makeRoot('failing') });
  t.after(() => server.close());
  const refused = await runScript(server.address.port, forms.URL, ['cd nowhere', 'frobnicate', 'pwd'], scratch);
  assert.equal(refused.code, ExitCode.failure, 'the first failure, a 550, gives 1 (not the 2 of the unknown command after it)');
  assert.match(refused.stderr, /refused CWD nowhere: 550 /);
  assert.match(refused.stderr, /^error: unknown command "frobnicate"/m);
  assert.match(refused.stdout, /^\/$/m, 'pwd still ran');

  const unreachable = await runScript(server.address.port, () => ['127.0.0.1', '1'], ['ls', 'bye'], scratch);
  assert.equal(unreachable.code, ExitCode.network, 'no server there: 4, as the one-shot commands');
  assert.match(unreachable.stderr, /connection refused/);
  assert.match(unreachable.stderr, /^error: not connected/m, 'ls was still read, and refused');
});
