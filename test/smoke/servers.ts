// Smoke test of every server exercise as a user runs one: `netlab NAME --port 0` in the foreground,
// its "listening on" line awaited, one request from netlab's own client where the lab has one,
// then Ctrl-C (SIGINT), after which it must exit 0. CI runs it as an unprivileged user on a clone
// owned by root (a teacher's shared install), where data/ is not writable.
// Not a node:test file: `npm test` does not pick it up.
//   node --import tsx test/smoke/servers.ts [NAME…]     (all the servers `netlab list` marks, by default)

import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const netlabBin = path.join(repo, 'bin/netlab.js');
const runFile = promisify(execFile);
/** Starting one exercise means compiling it with tsx first: slow on a busy CI machine. */
const startTimeoutMs = 30_000;

interface Listening {
  host: string;
  port: number;
}

interface ServerCheck {
  /** Options after `--port 0`. */
  args?: string[];
  /** One request against the running server; throws when the answer is wrong. */
  request?: (server: Listening) => Promise<void>;
}

/** Runs `netlab ARGS…` and returns its stdout; rejects (with its stderr) when it exits non-zero. */
async function netlab(...args: string[]): Promise<string> {
  const { stdout } = await runFile(process.execPath, [netlabBin, ...args], { cwd: repo, timeout: startTimeoutMs });
  return stdout;
}

function expect(output: string, pattern: RegExp, what: string): void {
  if (!pattern.test(output)) throw new Error(`${what}: expected ${pattern}, got ${JSON.stringify(output)}`);
}

/** Connects, writes `send` (if any), and returns all the server sends until it closes. */
async function tcpExchange({ host, port }: Listening, send?: string, until?: RegExp): Promise<string> {
  const socket = net.connect({ host, port });
  socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  socket.setEncoding('utf8');
  let text = '';
  socket.on('data', (chunk: string) => {
    text += chunk;
    if (until?.test(text)) socket.end();
  });
  if (send !== undefined) socket.write(send);
  await once(socket, 'close');
  return text;
}

const checks: Record<string, ServerCheck> = {
  'tcp-server': { request: async ({ port }) => expect(await netlab('tcp-client', '--port', String(port), 'smoke'), /smoke/, 'tcp-client against the echo') },
  'udp-server': { args: ['--echo'], request: async ({ port }) => expect(await netlab('udp-client', '--port', String(port), '--wait', 'smoke'), /smoke/, 'udp-client --wait') },
  fingerd: { request: async ({ port }) => expect(await netlab('finger', '--port', String(port), '@127.0.0.1'), /\S/, 'finger @127.0.0.1') },
  'calc-server': { request: async ({ port }) => expect(await netlab('calc', '--port', String(port), 'add', '2', '3'), /= 5$/m, 'calc add 2 3') },
  // Its SQLite database is under the data directory: the call proves that directory is writable.
  'annuaire-server': { request: async ({ port }) => expect(await netlab('annuaire', '--port', String(port), 'count'), /\d/, 'annuaire count') },
  ftpd: { request: async ({ port }) => expect(await netlab('ftp', 'ls', `ftp://127.0.0.1:${port}/`), /incoming/, 'ftp ls') },
  // RFC 865: the server sends a quote and closes; there is no client to run.
  qotd: { request: async (server) => expect(await tcpExchange(server), /\S/, 'a quote') },
};

/** Starts one server, checks it, stops it with SIGINT; resolves with what went wrong, or undefined. */
async function smoke(name: string): Promise<string | undefined> {
  const check = checks[name] ?? {};
  const child = spawn(process.execPath, [netlabBin, name, '--port', '0', ...(check.args ?? [])], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const output = () => `\n  stdout: ${stdout.trim() || '(none)'}\n  stderr: ${stderr.trim() || '(none)'}`;
  try {
    // lib/cli/run.ts: "NAME listening on PROTOCOL HOST:PORT — Ctrl-C to stop", on stdout or stderr.
    const listening = await new Promise<Listening>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${startTimeoutMs / 1000} s`)), startTimeoutMs);
      const look = () => {
        const match = / listening on \S+ (\S+):(\d+) /.exec(stdout + stderr);
        if (match) {
          clearTimeout(timer);
          resolve({ host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) });
        }
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      void exited.then(([code, signal]) => reject(new Error(`exited (${signal ?? code}) before listening`)));
    });
    await check.request?.(listening);
    child.kill('SIGINT');
    const [code, signal] = await exited;
    if (code !== 0) return `stopped by Ctrl-C, it exited with ${signal ?? code}, not 0${output()}`;
    return undefined;
  } catch (error) {
    child.kill('SIGKILL');
    const detail = error instanceof Error ? `${error.message}${'stderr' in error && error.stderr ? ` — ${String(error.stderr).trim()}` : ''}` : String(error);
    return `${detail}${output()}`;
  }
}

const listed = JSON.parse(await netlab('list', '--json')) as { name: string; service: boolean }[];
const servers = process.argv.slice(2).length > 0 ? process.argv.slice(2) : listed.filter((exercise) => exercise.service).map((exercise) => exercise.name);
let failures = 0;
for (const name of servers) {
  const started = performance.now();
  const problem = await smoke(name);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (problem) failures++;
  console.log(`${problem ? 'FAIL' : 'ok  '} ${name} (${seconds} s)${checks[name] ? '' : ' — listens; no request known for it'}${problem ? `: ${problem}` : ''}`);
}
console.log(`${servers.length - failures}/${servers.length} servers passed the smoke test (uid ${process.getuid?.()})`);
process.exitCode = failures > 0 ? 1 : 0;
