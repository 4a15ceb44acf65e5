import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { ExitCode, NetlabError } from '../lib/errors.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { netlab } from '../lib/cli/main.ts';
import { argumentsIfMain } from '../lib/cli/process.ts';
import { packageRoot } from '../lib/paths.ts';
import { Output, wantsColour } from '../lib/cli/output.ts';
import { capture, isolatedEnv, nodeWithTsx, tempDir } from './helpers.ts';
import { skipWithout } from './peers/available.ts';

const run = promisify(execFile);

const greet = defineExercise({
  name: 'greet',
  description: 'says hello',
  args: {
    who: { type: 'positional', description: 'whom to greet', required: true },
    loud: { type: 'boolean', description: 'shout' },
    json: { type: 'boolean', description: 'as JSON' },
  },
  run({ args, out }) {
    const text = `hello ${args.who}`;
    out.result({ greeting: text }, () => out.line(args.loud ? text.toUpperCase() : text));
  },
});

test('an exercise gets its parsed arguments and prints through its output', async () => {
  assert.deepEqual(await capture(greet, ['world']), { code: 0, stdout: 'hello world\n', stderr: '' });
  assert.equal((await capture(greet, ['world', '--loud'])).stdout, 'HELLO WORLD\n');
  assert.deepEqual(JSON.parse((await capture(greet, ['world', '--json'])).stdout), { greeting: 'hello world' });
});

test('an unknown option or a missing argument is a usage error, not a surprise', async () => {
  const unknown = await capture(greet, ['world', '--lod']);
  assert.equal(unknown.code, ExitCode.usage);
  assert.match(unknown.stderr, /^error: greet: unknown option --lod — see: netlab greet --help\n$/);
  const missing = await capture(greet, []);
  assert.equal(missing.code, ExitCode.usage);
  assert.match(missing.stderr, /missing <who>/);
});

test('--help is generated from the argument definitions', async () => {
  const help = await capture(greet, ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /says hello/);
  assert.match(help.stdout, /--loud/);
  assert.match(help.stdout, /whom to greet/);
  assert.doesNotMatch(help.stdout, /[ \t]$/m, 'no line ends in spaces (citty pads its table rows)');
});

test('--help shows camelCase options in kebab-case, as the docs write them; both spellings parse', async () => {
  const limited = defineExercise({
    name: 'limited',
    description: 'counts',
    args: {
      maxConnections: { type: 'string', description: 'how many', valueHint: 'n', required: true },
      allowForwarding: { type: 'boolean', description: 'forward' },
    },
    run: ({ args, out }) => out.line(`${args.maxConnections} ${args.allowForwarding === true}`),
  });
  const help = (await capture(limited, ['--help'])).stdout;
  assert.match(help, /--max-connections=<n> +how many/);
  assert.match(help, /--allow-forwarding +forward/);
  assert.doesNotMatch(help, /maxConnections|allowForwarding/);
  assert.equal((await capture(limited, ['--max-connections', '3', '--allow-forwarding'])).stdout, '3 true\n');
  assert.equal((await capture(limited, ['--maxConnections=4', '--allowForwarding'])).stdout, '4 true\n');
  assert.match((await capture(limited, [])).stderr, /^error: limited: missing --max-connections — /);
});

test('colours: none in help written to a pipe or a file; FORCE_COLOR brings them, NO_COLOR drops them on a terminal', async (t) => {
  // citty colours unless CI or TEST is set: a child without them, so that only netlab decides.
  const { CI, TEST, NO_COLOR, FORCE_COLOR, ...inherited } = process.env;
  void [CI, TEST, NO_COLOR, FORCE_COLOR];
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...inherited, TERM: 'xterm-256color', ...extra });
  const script = path.join(packageRoot, 'scripts/tcp-server.ts');
  const help = async (extra?: NodeJS.ProcessEnv) => (await run(nodeWithTsx[0], [...nodeWithTsx.slice(1), script, '--help'], { env: env(extra) })).stdout;
  const esc = /\x1b\[/;
  const piped = await help();
  assert.match(piped, /--max-connections=<n>/);
  assert.doesNotMatch(piped, esc, 'stdout is a pipe: plain text');
  assert.match(await help({ FORCE_COLOR: '1' }), esc);
  assert.doesNotMatch(await help({ FORCE_COLOR: '0' }), esc);

  assert.equal(wantsColour(Object.assign(sink([]), { isTTY: true }), {}), true);
  assert.equal(wantsColour(Object.assign(sink([]), { isTTY: true }), { NO_COLOR: '1' }), false);
  assert.equal(wantsColour(Object.assign(sink([]), { isTTY: true }), { TERM: 'dumb' }), false);
  if (skipWithout(t, 'script')) return;
  // script(1) gives the child a terminal for stdout, as a person's shell would.
  const onTerminal = (extra?: NodeJS.ProcessEnv) => run('script', ['-qec', `${nodeWithTsx.join(' ')} ${script} --help`, '/dev/null'], { env: env(extra) });
  assert.match((await onTerminal()).stdout, esc, 'a terminal gets colours');
  assert.doesNotMatch((await onTerminal({ NO_COLOR: '1' })).stdout, esc);
});

test('a NetlabError ends the command with its sentence, its hint and its exit code; a bug says it is one', async () => {
  const refusing = defineExercise({
    name: 'refuse',
    description: 'fails',
    run() {
      throw new NetlabError('E_CONN_REFUSED', 'connection refused: nothing listens on tcp 127.0.0.1:9', { hint: 'start the server first' });
    },
  });
  assert.deepEqual(await capture(refusing, []), {
    code: ExitCode.network,
    stdout: '',
    stderr: 'error: connection refused: nothing listens on tcp 127.0.0.1:9 — start the server first\n',
  });
  const buggy = defineExercise({ name: 'buggy', description: 'crashes', run: () => JSON.parse('{') });
  const crashed = await capture(buggy, [], { env: { PATH: process.env.PATH } });
  assert.equal(crashed.code, ExitCode.failure);
  assert.match(crashed.stderr, /^error: unexpected failure: .*this is a bug in netlab/);
  assert.doesNotMatch(crashed.stderr, /at .*\(.*:\d+:\d+\)/, 'no stack trace unless NETLAB_DEBUG is set');
});

test('sub-commands: netlab social graph X reaches the graph sub-command', async () => {
  const parent = defineExercise({
    name: 'social',
    description: 'parent',
    subCommands: {
      graph: defineExercise({ name: 'graph', description: 'child', args: { handle: { type: 'positional', required: true } }, run: ({ args, out }) => out.line(`graph of ${args.handle}`) }),
    },
  });
  assert.equal((await capture(parent, ['graph', 'alice'])).stdout, 'graph of alice\n');
  const wrong = await capture(parent, ['grahp']);
  assert.equal(wrong.code, ExitCode.usage);
  assert.match(wrong.stderr, /unknown command "grahp" — choose one of: graph/);
  assert.match((await capture(parent, [])).stdout, /graph/, 'no sub-command shows the help');
});

test('the netlab CLI: unknown exercises get a suggestion, no arguments the usage', async (t) => {
  const dir = tempDir(t);
  const env = isolatedEnv(dir);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = { env, stdout: sink(stdout), stderr: sink(stderr) };
  assert.equal(await netlab(['qot'], io), ExitCode.usage);
  assert.match(stderr.join(''), /no exercise named "qot" — did you mean qotd\?/);
  assert.equal(await netlab([], io), ExitCode.usage);
  assert.match(stdout.join(''), /netlab list/);
});

test('runIfMain: a script sees only its own arguments under node, tsx and zx, and nothing when imported', () => {
  const script = path.join(packageRoot, 'plugins/qotd.ts');
  const url = `file://${script}`;
  assert.deepEqual(argumentsIfMain(url, ['/usr/bin/node', script, '--port', '1']), ['--port', '1']);
  const zx = path.join(packageRoot, 'node_modules/zx/build/cli.js');
  assert.deepEqual(argumentsIfMain(url, ['/usr/bin/node', zx, '--quiet', script, '--port', '1']), ['--port', '1']);
  assert.equal(argumentsIfMain(url, ['/usr/bin/node', path.join(packageRoot, 'lib/cli/main.ts'), 'qotd', script]), undefined);
});

test('npx zx runs a script on its own, exactly once, with its own arguments', async () => {
  const { stdout } = await run('npx', ['zx', 'plugins/qotd.ts', '--help'], { cwd: packageRoot });
  assert.match(stdout, /RFC 865 quote-of-the-day/);
  assert.equal(stdout.match(/USAGE/g)?.length, 1, 'the help is printed once');
  const wrong = await run('npx', ['zx', 'plugins/qotd.ts', '--port', 'abc'], { cwd: packageRoot }).catch((error) => error);
  assert.equal(wrong.code, ExitCode.usage);
  assert.match(wrong.stderr, /--port "abc" is not a port number/);
});

function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
}

test('netlab --version, netlab help NAME, and an unknown option before any name', async () => {
  const answer = async (argv: string[]) => {
    const text = { stdout: '', stderr: '' };
    const sink = (name: keyof typeof text) => new Writable({ write: (chunk, _encoding, done) => ((text[name] += String(chunk)), done()) });
    const code = await netlab(argv, { stdout: sink('stdout'), stderr: sink('stderr') });
    return { code, ...text };
  };
  const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8'));
  assert.deepEqual(await answer(['--version']), { code: 0, stdout: `netlab ${version} (Node ${process.version})\n`, stderr: '' });
  const help = await answer(['help', 'fingerd']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /USAGE netlab fingerd/);
  const bogus = await answer(['--bogus']);
  assert.equal(bogus.code, ExitCode.usage);
  assert.match(bogus.stderr, /^error: unknown option --bogus — netlab --help lists the commands and options\n$/);
});

test('a table fits the terminal: its last column wraps under itself; a pipe gets whole lines', () => {
  const table = (isTTY: boolean) => {
    let text = '';
    const stdout = Object.assign(new Writable({ write: (chunk, _encoding, done) => ((text += chunk), done()) }), { isTTY, columns: 40 });
    new Output({ stdout, stderr: new Writable({ write: (_chunk, _encoding, done) => done() }) }).table(
      [
        { step: 'Sockets', result: 'ok', summary: 'UDP echo "hello", port unreachable reported, TCP echo' },
        { step: 'FTP', result: 'ok', summary: 'a-name-longer-than-the-room-that-is-left-for-it' },
      ],
      ['step', 'result', 'summary'],
    );
    return text;
  };
  assert.equal(
    table(true),
    [
      'STEP     RESULT  SUMMARY',
      'Sockets  ok      UDP echo "hello", port',
      '                 unreachable reported,',
      '                 TCP echo',
      'FTP      ok      a-name-longer-than-the-',
      '                 room-that-is-left-for-i',
      '                 t',
      '',
    ].join('\n'),
  );
  assert.ok(table(true).split('\n').every((line) => line.length <= 40));
  assert.equal(table(false).split('\n').length, 4, 'a pipe: one line per row');
});

test('a reader that goes away (| head -1) ends a server quietly with 141, as SIGPIPE ends a Unix tool', async (t) => {
  const env = isolatedEnv(tempDir(t));
  const server = spawn(nodeWithTsx[0], [...nodeWithTsx.slice(1), path.join(packageRoot, 'scripts/udp-server.ts'), '--port', '0'], { env });
  t.after(() => server.kill('SIGKILL'));
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  const [line] = (await once(createInterface({ input: server.stdout }), 'line')) as [string];
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
  assert.ok(port > 0, `udp-server said where it listens: ${line}`);
  server.stdout.destroy(); // the reader is gone, as head is after its first line
  const socket = dgram.createSocket('udp4');
  t.after(() => socket.close());
  // The server writes one line per datagram: the first write after the close fails with EPIPE.
  const sending = setInterval(() => socket.send('hello', port, '127.0.0.1'), 50);
  t.after(() => clearInterval(sending));
  assert.equal(await exited, ExitCode.closedOutput);
  assert.doesNotMatch(stderr, /EPIPE|at |node:events/, 'no stack trace');
});
