// The interactive shell of `netlab ftp`, after ftp(1): open, user, ls, cd, pwd, get, put, mkdir,
// rm, bye… read line by line from a terminal (with a prompt) or from piped input (scripts, tests).

import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { ExitCode, NetlabError, isNetlabError } from '../../errors.ts';
import type { Output } from '../output.ts';
import { visibleControls } from '../../text.ts';
import { formatAddress } from '../../services/handle.ts';
import { getAction, listAction, putAction } from './actions.ts';
import type { FtpClient } from '../../ftp/client/client.ts';
import { openSession, type SessionFlags } from './session.ts';
import { parseFtpUrl, type FtpUrl } from '../../ftp/client/url.ts';

export interface ShellOptions {
  input: Readable;
  out: Output;
  flags: SessionFlags;
  signal?: AbortSignal;
  /** Opened before the first command (`netlab ftp shell ftp://host/`). */
  url?: FtpUrl;
  /** The port of a host given without one. */
  defaultPort?: number;
  /** Local folder that get/put resolve against (`lcd` changes it; the process's cwd never changes). */
  cwd?: string;
}

interface ShellState {
  client?: FtpClient;
  /** Aborts the open session (Ctrl-C during a transfer). */
  interrupt?: AbortController;
  /** Where `open` connected, for `user` to reconnect. */
  url?: FtpUrl;
  cwd: string;
  readonly options: ShellOptions;
}

interface ShellCommand {
  usage: string;
  help: string;
  /** Needs an open, logged-in connection. */
  connected?: boolean;
  min?: number;
  run(state: ShellState, args: string[]): Promise<void | 'quit'>;
}

const say = (state: ShellState, text: string) => state.options.out.line(text);

const commands: Record<string, ShellCommand> = {
  open: {
    usage: 'open host [port] | open URL',
    help: 'connect and log in (anonymously unless ftp://user:pass@host/ names a user)',
    min: 1,
    run: (state, [target, port]) => connect(state, parseTarget(target, port, state.options.defaultPort)),
  },
  user: {
    usage: 'user name [password]',
    // Most servers refuse a second USER in a session (530), so this reconnects, as a new login.
    help: 'log in again, as another user',
    connected: true,
    min: 1,
    run: (state, [user, password]) => connect(state, { ...state.url!, user, password }),
  },
  ls: { usage: 'ls [path]', help: 'list a folder (LIST)', connected: true, run: (state, [dir]) => listAction(state.client!, state.options.out, dir) },
  nlist: {
    usage: 'nlist [path]',
    help: 'names only (NLST)',
    connected: true,
    run: async (state, [dir]) => (await state.client!.nameList(dir)).forEach((name) => say(state, visibleControls(name))),
  },
  cd: { usage: 'cd path', help: 'change the remote folder (CWD)', connected: true, min: 1, run: (state, [dir]) => state.client!.cd(dir) },
  cdup: { usage: 'cdup', help: 'go to the parent folder (CDUP)', connected: true, run: (state) => state.client!.cdup() },
  pwd: { usage: 'pwd', help: 'print the remote folder (PWD)', connected: true, run: async (state) => say(state, visibleControls(await state.client!.pwd())) },
  lcd: {
    usage: 'lcd [path]',
    help: 'change or show the local folder for get and put',
    async run(state, [dir]) {
      if (dir) state.cwd = path.resolve(state.cwd, dir);
      say(state, `local folder: ${state.cwd}`);
    },
  },
  get: {
    usage: 'get remote [local]',
    help: 'download a file (RETR)',
    connected: true,
    min: 1,
    run: async (state, [remote, local]) => void (await getAction(state.client!, state.options.out, remote, local, { cwd: state.cwd })),
  },
  reget: {
    usage: 'reget remote [local]',
    help: 'continue a partial download (REST + RETR)',
    connected: true,
    min: 1,
    run: async (state, [remote, local]) => void (await getAction(state.client!, state.options.out, remote, local, { cwd: state.cwd, resume: true })),
  },
  put: {
    usage: 'put local [remote]',
    help: 'upload a file (STOR)',
    connected: true,
    min: 1,
    run: async (state, [local, remote]) => void (await putAction(state.client!, state.options.out, local, remote, { cwd: state.cwd })),
  },
  mkdir: { usage: 'mkdir path', help: 'make a folder (MKD)', connected: true, min: 1, run: async (state, [dir]) => say(state, `created ${visibleControls(await state.client!.mkdir(dir))}`) },
  rmdir: { usage: 'rmdir path', help: 'remove an empty folder (RMD)', connected: true, min: 1, run: (state, [dir]) => state.client!.rmdir(dir) },
  rm: { usage: 'rm path', help: 'delete a file (DELE)', connected: true, min: 1, run: (state, [file]) => state.client!.delete(file) },
  rename: { usage: 'rename from to', help: 'rename (RNFR, RNTO)', connected: true, min: 2, run: (state, [from, to]) => state.client!.rename(from, to) },
  size: { usage: 'size path', help: 'size in bytes (SIZE)', connected: true, min: 1, run: async (state, [file]) => say(state, String(await state.client!.size(file))) },
  modtime: {
    usage: 'modtime path',
    help: 'modification time, UTC (MDTM)',
    connected: true,
    min: 1,
    run: async (state, [file]) => say(state, (await state.client!.modifiedAt(file)).toISOString()),
  },
  system: { usage: 'system', help: 'the server’s system type (SYST)', connected: true, run: async (state) => say(state, visibleControls(await state.client!.system())) },
  features: {
    usage: 'features',
    help: 'what the server supports (FEAT)',
    connected: true,
    run: async (state) => (await state.client!.feat()).forEach((params, name) => say(state, visibleControls(`${name} ${params}`.trim()))),
  },
  passive: {
    usage: 'passive',
    help: 'toggle passive (EPSV/PASV) and active (EPRT/PORT) data connections',
    connected: true,
    async run(state) {
      state.client!.active = !state.client!.active;
      say(state, `passive mode ${state.client!.active ? 'off (active: the server connects to us)' : 'on'}`);
    },
  },
  noop: { usage: 'noop', help: 'keep the connection alive (NOOP)', connected: true, run: (state) => state.client!.noop() },
  close: { usage: 'close', help: 'log out, stay in the shell (QUIT)', run: (state) => closeSession(state) },
  bye: { usage: 'bye', help: 'log out and leave (also quit, exit)', run: async () => 'quit' },
  help: {
    usage: 'help',
    help: 'this list',
    async run(state) {
      for (const command of Object.values(commands)) say(state, `  ${command.usage.padEnd(28)} ${command.help}`);
    },
  },
};
const aliases: Record<string, string> = { dir: 'ls', quit: 'bye', exit: 'bye', delete: 'rm', '?': 'help' };

/** What `open` and `netlab ftp shell` take, as ftp(1) does: a host and a port ("::1 2121"), or a URL. */
export function parseTarget(target: string, port: string | undefined, defaultPort?: number): FtpUrl {
  if (port && target.includes('://')) throw new NetlabError('E_USAGE', `${JSON.stringify(target)} is a URL and ${port} a port`, { hint: 'write the port in the URL: ftp://host:port/' });
  const host = net.isIPv6(target) ? `[${target}]` : target;
  return parseFtpUrl(port ? `${host}:${port}` : host, defaultPort);
}

async function connect(state: ShellState, url: FtpUrl): Promise<void> {
  await closeSession(state);
  // Ctrl-C on a terminal reaches the shell as a key, not a signal: it aborts this session's transfer.
  state.interrupt = new AbortController();
  const signals = [state.interrupt.signal, ...(state.options.signal ? [state.options.signal] : [])];
  state.client = await openSession(url, state.options.flags, state.options.out, AbortSignal.any(signals));
  state.url = url;
  say(state, `connected to ${formatAddress(url)}: ${visibleControls(state.client.greeting.split('\n')[0])}`);
  if (url.path) await state.client.cd(url.path);
}

/**
 * Runs the shell until `bye` or the end of input (which ends the session as `bye` does). Piped
 * input is a script, and its exit status says how it went, as a script's would: 0 when every
 * command succeeded, else the exit code of the first command that failed (1 refused by the
 * server, 2 unknown command or not connected, 4 network, 5 login refused), later commands still
 * running, as in ftp(1). At a terminal the person saw each error as it came: 0.
 */
export async function runShell(options: ShellOptions): Promise<number> {
  const { input, out } = options;
  const interactive = Boolean((input as { isTTY?: boolean }).isTTY) && out.isTTY;
  const lines = readline.createInterface({ input, output: interactive ? out.stdout : undefined, terminal: interactive, prompt: 'ftp> ' });
  // Listening from the first byte: lines piped in while the first `open` connects are queued, not
  // lost, and an end of input that comes meanwhile still ends the loop below (readline emits
  // 'line' and 'close' to whoever listens at the time; an iterator made later never hears them).
  const commandLines = lines[Symbol.asyncIterator]();
  const stop = () => lines.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  const state: ShellState = { cwd: path.resolve(options.cwd ?? '.'), options };
  let busy = false;
  // Ctrl-C during a command stops it (the session ends; the shell stays); at the prompt it leaves.
  lines.on('SIGINT', () => (busy ? state.interrupt?.abort() : stop()));
  let status: number = ExitCode.ok;
  const record = (result: number | 'quit') => {
    if (status === ExitCode.ok && result !== 'quit') status = result;
  };
  try {
    const url = options.url;
    if (url) record(await attempt(state, () => connect(state, url)));
    if (interactive) lines.prompt();
    for await (const line of commandLines) {
      const words = splitWords(line);
      if (words.length > 0) {
        busy = true;
        const result = await execute(state, words);
        busy = false;
        if (result === 'quit') break;
        record(result);
      }
      if (interactive) lines.prompt();
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    lines.close();
    await closeSession(state);
  }
  return interactive ? ExitCode.ok : status;
}

/** Runs one command line; resolves to its exit code (0, or that of a failure already reported) or 'quit'. */
function execute(state: ShellState, [word, ...args]: string[]): Promise<number | 'quit'> {
  const name = aliases[word.toLowerCase()] ?? word.toLowerCase();
  const command = commands[name];
  return attempt(state, async () => {
    if (!command) throw new NetlabError('E_USAGE', `unknown command ${JSON.stringify(word)}`, { hint: 'help lists the commands' });
    if (args.length < (command.min ?? 0)) throw new NetlabError('E_USAGE', `usage: ${command.usage}`);
    if (command.connected && !state.client) throw new NetlabError('E_USAGE', 'not connected', { hint: 'open a connection first: open host [port]' });
    return command.run(state, args);
  });
}

/** Reports a failure and goes on, as a shell must; resolves to the exit code the failure would have had alone. */
async function attempt(state: ShellState, work: () => Promise<void | 'quit'>): Promise<number | 'quit'> {
  try {
    return (await work()) === 'quit' ? 'quit' : ExitCode.ok;
  } catch (error) {
    if (!isNetlabError(error)) throw error;
    state.options.out.error(error);
    // A dead control connection cannot serve the next command: forget it, as ftp(1) does.
    if (['E_CONN_RESET', 'E_TIMEOUT', 'E_NETWORK', 'E_INTERRUPTED'].includes(error.code)) await closeSession(state);
    return error.exitCode;
  }
}

async function closeSession(state: ShellState): Promise<void> {
  const client = state.client;
  state.client = undefined;
  await client?.quit();
}

/** Words separated by spaces; "double" or 'single' quotes keep spaces inside a name. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]);
  return words;
}
