#!/usr/bin/env -S npx zx
// `netlab ftp`: the hand-written FTP client — one-shot `ls`, `get`, `put` with ftp:// URLs, or an
// interactive shell like ftp(1) when no command is given. The protocol lives in lib/ftp/client.

import { servicePort } from '../lib/config/define.ts';
import { jsonArg, quietArg, timeoutArg, traceArg } from '../lib/cli/args.ts';
import { parseSeconds } from '../lib/values.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { fileToSend, getAction, listAction, putAction } from '../lib/cli/ftp/actions.ts';
import { withSession, type SessionFlags } from '../lib/cli/ftp/session.ts';
import { parseTarget, runShell } from '../lib/cli/ftp/shell.ts';
import { parseFtpUrl } from '../lib/ftp/client/url.ts';
import type { LoadedConfig } from '../lib/config/load.ts';

const sessionArgs = {
  tls: { type: 'boolean', description: 'explicit FTPS: AUTH TLS on the control connection, PROT P on data connections' },
  insecure: { type: 'boolean', description: 'with --tls, accept a certificate that does not verify (a self-signed lab server)' },
  active: { type: 'boolean', description: 'active mode (EPRT/PORT): the server connects back to us; default passive (EPSV/PASV)' },
  ...traceArg,
  ...timeoutArg(30),
  ...quietArg,
} as const;

function sessionFlags(args: { tls?: boolean; insecure?: boolean; active?: boolean; trace?: boolean; timeout?: string }): SessionFlags {
  return { tls: args.tls, insecure: args.insecure, active: args.active, trace: args.trace, timeoutMs: parseSeconds(args.timeout, 30) };
}

/** A URL without a port means netlab ftpd's port (config ports.ftp, 2121), as every netlab client does; write :21 for others. */
function defaultPort(config: LoadedConfig): number {
  return servicePort(config, 'ftp');
}

const ls = defineExercise({
  name: 'ls',
  description: 'list a remote folder (LIST; --json: typed entries from MLSD, or LIST parsed)',
  args: {
    url: { type: 'positional', description: 'ftp://[user[:password]@]host[:port]/folder', required: true },
    ...sessionArgs,
    ...jsonArg,
  },
  async run({ args, config, out, signal }) {
    const url = parseFtpUrl(args.url, defaultPort(config));
    await withSession(url, sessionFlags(args), out, signal, (client) => listAction(client, out, url.path || undefined));
  },
});

const get = defineExercise({
  name: 'get',
  description: 'download a file (RETR); "-" as the output writes it to stdout',
  args: {
    url: { type: 'positional', description: 'ftp://[user[:password]@]host[:port]/path/file', required: true },
    out: { type: 'positional', description: 'local file or folder (default: the remote name, here); - for stdout', required: false },
    resume: { type: 'boolean', alias: 'c', description: 'continue a partial download (REST)' },
    ...sessionArgs,
    ...jsonArg,
  },
  async run({ args, config, out, signal }) {
    const url = parseFtpUrl(args.url, defaultPort(config));
    await withSession(url, sessionFlags(args), out, signal, (client) => getAction(client, out, url.path, args.out || undefined, { resume: args.resume }));
  },
});

const put = defineExercise({
  name: 'put',
  description: 'upload a file (STOR); a URL ending in / keeps the local name',
  args: {
    file: { type: 'positional', description: 'local file', required: true },
    url: { type: 'positional', description: 'ftp://[user[:password]@]host[:port]/folder/[name]', required: true },
    resume: { type: 'boolean', alias: 'c', description: 'send only what the server lacks (SIZE, then APPE)' },
    ...sessionArgs,
    ...jsonArg,
  },
  async run({ args, config, out, signal }) {
    const url = parseFtpUrl(args.url, defaultPort(config));
    fileToSend(args.file); // a missing file is the first mistake to report, server or not
    await withSession(url, sessionFlags(args), out, signal, (client) => putAction(client, out, args.file, url.path, { resume: args.resume }));
  },
});

const shell = defineExercise({
  name: 'shell',
  description: 'the interactive shell, connected first to a URL or a host (as ftp host [port]); reads a script from a pipe',
  args: {
    url: { type: 'positional', description: 'ftp://[user[:password]@]host[:port]/[folder], or a host', required: true },
    port: { type: 'positional', description: 'the port, after a host', required: false },
    ...sessionArgs,
  },
  run: ({ args, config, out, signal }) =>
    runShell({ input: process.stdin, out, flags: sessionFlags(args), signal, defaultPort: defaultPort(config), url: parseTarget(args.url, args.port, defaultPort(config)) }),
});

export default defineExercise({
  name: 'ftp',
  description: 'FTP client (RFC 959, by hand): ls, get, put with ftp:// URLs, or a shell like ftp(1)',
  args: sessionArgs,
  subCommands: { ls, get, put, shell },
  examples: [
    'netlab ftp ls ftp://127.0.0.1/            (no port: 2121, netlab ftpd’s — config ports.ftp)',
    'netlab ftp get ftp://127.0.0.1:2121/welcome.txt',
    'netlab ftp put notes.txt ftp://127.0.0.1:2121/incoming/',
    'netlab ftp get --trace ftp://alice:secret@127.0.0.1:2121/report.pdf report.pdf',
    'netlab ftp ls --json --active ftp://[::1]:2121/pub',
    'netlab ftp            (then: open 127.0.0.1 2121, ls, cd pub, get file, bye)',
    "printf 'cd pub\\nget readme.txt\\n' | netlab ftp shell 127.0.0.1 2121   (a script: EOF ends it like bye)",
  ],
  run: ({ args, config, out, signal }) => runShell({ input: process.stdin, out, flags: sessionFlags(args), signal, defaultPort: defaultPort(config) }),
});

runIfMain(import.meta);
