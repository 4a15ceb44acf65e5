#!/usr/bin/env -S npx zx
// ftpd: the FTP server of Lab 4 (ftp-srv, hardened), as a netlab service (pidfile, request log).
// `netlab ftpd` serves data/ftp on 127.0.0.1:2121; `netlab ftpd --hash-password` makes an account hash.

import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { servicePort } from '../lib/config/define.ts';
import { hostArg, portArg } from '../lib/cli/args.ts';
import { parseCount, parsePort, parseSeconds } from '../lib/values.ts';
import { NetlabError } from '../lib/errors.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { prepareStateDir } from '../lib/state-dirs.ts';
import { hashPassword, startFtpServer } from '../lib/ftp/server/index.ts';
import { serverOptionsFromConfig } from '../lib/ftp/server/settings.ts';

export default defineExercise({
  name: 'ftpd',
  description: 'FTP server (RFC 959, ftp-srv hardened): anonymous read-only by default, uploads to incoming/, accounts, FTPS',
  service: true,
  args: {
    ...hostArg,
    ...portArg('ftp'),
    root: { type: 'string', description: 'folder to serve (default from config ftp.root: data/ftp)', valueHint: 'dir' },
    writable: { type: 'boolean', description: 'let anonymous users upload new files into incoming/' },
    anonymous: { type: 'boolean', description: 'allow anonymous logins (default on; --no-anonymous for accounts only)' },
    passivePorts: { type: 'string', description: 'passive data ports, e.g. 50000-50100 (default: any free port)', valueHint: 'min-max' },
    maxConnections: { type: 'string', description: 'control connections at once (default 100)', valueHint: 'n' },
    maxPerIp: { type: 'string', description: 'control connections from one address (default 10)', valueHint: 'n' },
    idleTimeout: { type: 'string', description: 'seconds before an idle client is disconnected (default 300)', valueHint: 's' },
    tlsCert: { type: 'string', description: 'PEM certificate: enables explicit FTPS (AUTH TLS)', valueHint: 'file' },
    tlsKey: { type: 'string', description: 'PEM private key of --tls-cert', valueHint: 'file' },
    hashPassword: { type: 'boolean', description: 'read a password (prompt, or first line of stdin) and print its scrypt hash for ftp.accounts' },
  },
  examples: [
    'netlab ftpd                               # data/ftp on 127.0.0.1:2121, anonymous read-only',
    'netlab ftpd --writable --port 0           # anonymous uploads into incoming/',
    'netlab ftpd --hash-password               # then add { user, passwordHash } to ftp.accounts',
    'netlab ftpd --tls-cert cert.pem --tls-key key.pem   # AUTH TLS (curl --ssl-reqd)',
    'netlab start ftpd                         # as a daemon; netlab logs ftpd shows one line per command',
  ],
  async run({ args, config, log, out }) {
    if (args.hashPassword) {
      out.line(await hashPassword(await readPassword()));
      return;
    }
    const settings = {
      ...config.ftp,
      root: args.root ? path.resolve(args.root) : config.ftp.root,
      writable: args.writable ?? config.ftp.writable,
      anonymous: args.anonymous ?? config.ftp.anonymous,
      maxConnections: parseCount(args.maxConnections, config.ftp.maxConnections, '--max-connections'),
      maxConnectionsPerIp: parseCount(args.maxPerIp, config.ftp.maxConnectionsPerIp, '--max-per-ip'),
      idleTimeout: parseSeconds(args.idleTimeout, config.ftp.idleTimeout, '--idle-timeout') / 1000,
      tlsCert: args.tlsCert ? path.resolve(args.tlsCert) : config.ftp.tlsCert,
      tlsKey: args.tlsKey ? path.resolve(args.tlsKey) : config.ftp.tlsKey,
      ...parsePortRange(args.passivePorts),
    };
    // The default root (data/ftp) is made on first start, with the checkout's welcome file.
    if (!path.isAbsolute(settings.root)) prepareStateDir(config, 'dataDir');
    const options = serverOptionsFromConfig(config, settings, { host: config.host, port: parsePort(args.port, servicePort(config, 'ftp')), log });
    const server = await startFtpServer(options);
    const who = [settings.anonymous ? `anonymous ${settings.writable ? `read + uploads to ${settings.uploadDir}/` : 'read-only'}` : 'no anonymous', `${settings.accounts.length} account(s)`];
    out.info(`serving ${options.root}; ${who.join(', ')}; FTPS ${options.tls ? 'on (AUTH TLS)' : 'off'}`);
    return server;
  },
});

function parsePortRange(value: string | undefined): { passivePortMin?: number; passivePortMax?: number } {
  if (value === undefined) return {};
  const match = /^(\d+)-(\d+)$/.exec(value);
  if (!match) throw new NetlabError('E_USAGE', `--passive-ports ${JSON.stringify(value)} is not a range`, { hint: 'write it as min-max, e.g. 50000-50100' });
  return { passivePortMin: parsePort(match[1], 0, '--passive-ports'), passivePortMax: parsePort(match[2], 0, '--passive-ports') };
}

/** A password from the terminal (not echoed) or from the first line of stdin. */
async function readPassword(): Promise<string> {
  const interactive = process.stdin.isTTY;
  let muted = false;
  const output = new Writable({ write: (chunk, _encoding, done) => (muted ? done() : process.stderr.write(chunk, done)) });
  const lines = createInterface({ input: process.stdin, output: interactive ? output : undefined, terminal: interactive });
  if (interactive) process.stderr.write('password: ');
  muted = true;
  const password = await new Promise<string>((resolve) => {
    lines.once('line', resolve);
    lines.once('close', () => resolve(''));
  });
  lines.close();
  if (interactive) process.stderr.write('\n');
  if (!password) throw new NetlabError('E_INPUT', 'no password given', { hint: 'type one at the prompt, or pipe it: echo secret | netlab ftpd --hash-password' });
  return password;
}

runIfMain(import.meta);
