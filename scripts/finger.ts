#!/usr/bin/env -S npx zx
// finger: the RFC 1288 client of Lab 2 — `netlab finger alice@host`, `@host`, `-l`, and the
// lab's own `-u USER --host HOST` form; several targets in one call, each its own connection.

import { servicePort } from '../lib/config/define.ts';
import { hostArg, jsonArg, remotePortArg, quietArg, traceArg } from '../lib/cli/args.ts';
import { parseRemotePort, parseSeconds } from '../lib/values.ts';
import { ExitCode, isNetlabError } from '../lib/errors.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { visibleControls } from '../lib/text.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { finger, parseFingerTarget, type FingerReply } from '../lib/finger/client.ts';
import { formatFingerQuery } from '../lib/finger/query.ts';

/** What a person sees: CRLF line ends as plain lines, every other control made visible (RFC 1288 §3.3). */
const printable = (text: string) => visibleControls(text.replace(/\r\n/g, '\n'));

export default defineExercise({
  name: 'finger',
  description: 'RFC 1288 finger client: who is logged in on a host, or who a user is',
  args: {
    targets: { type: 'positional', required: false, description: 'user, user@host, @host or user@host1@host2 (several allowed)' },
    long: { type: 'boolean', alias: 'l', description: 'ask for the long form (sends /W)' },
    user: { type: 'string', alias: 'u', description: 'the user to ask about (the lab form: -u USER -h HOST)', valueHint: 'login' },
    host: { ...hostArg.host, alias: 'h', description: 'the host to ask (the lab form: -u USER -h HOST; default from config)' },
    ...remotePortArg('finger'),
    connectTimeout: { type: 'string', description: 'seconds to wait for the connection (default 5)', valueHint: 's' },
    timeout: { type: 'string', description: 'seconds of silence from the server before giving up (default 10)', valueHint: 's' },
    ...jsonArg,
    ...traceArg,
    ...quietArg,
  },
  examples: [
    'netlab finger root                    # root on the configured host (127.0.0.1), port 7979',
    'netlab finger @localhost              # who is logged in there',
    'netlab finger -l root@localhost alice@localhost',
    'netlab finger -u root -h 127.0.0.1 --port 79',
  ],
  async run({ args, config, out, signal }) {
    const port = parseRemotePort(args.port, servicePort(config, 'finger'));
    const connectTimeoutMs = parseSeconds(args.connectTimeout, 5, '--connect-timeout');
    const readTimeoutMs = parseSeconds(args.timeout, 10);
    const targets = [...(args._ as string[]), ...(args.user ? [args.user] : [])];
    if (targets.length === 0) targets.push(''); // no target: who is logged in on the host
    const plan = targets.map((target) => ({ target, ...parseFingerTarget(target, config.host, args.long === true) }));

    const replies: (FingerReply & { target: string })[] = [];
    let exitCode: number = ExitCode.ok;
    for (const { target, host, query } of plan) {
      const line = formatFingerQuery(query);
      try {
        const reply = await finger({
          host,
          port,
          line,
          connectTimeoutMs,
          readTimeoutMs,
          signal,
          onTrace: args.trace ? (direction, text) => out.info(`${{ sent: '>', received: '<', event: '*' }[direction]} ${JSON.stringify(text)}`) : undefined,
        });
        replies.push({ target, ...reply });
        if (out.json) continue;
        out.info(`[${host}]`);
        out.line(printable(reply.text).replace(/\n$/, ''));
        if (reply.truncated) out.warn(`the answer from ${host} was cut at ${reply.bytes} bytes`);
      } catch (error) {
        if (signal.aborted) return ExitCode.interrupted;
        if (!isNetlabError(error)) throw error;
        out.error(error);
        exitCode = error.exitCode;
      }
    }
    if (out.json) out.result(replies.map(({ target, host, port: to, query, text, bytes, truncated, durationMs }) => ({ target, host, port: to, query, bytes, truncated, durationMs: Math.round(durationMs * 10) / 10, answer: text })));
    return exitCode;
  },
});

runIfMain(import.meta);
