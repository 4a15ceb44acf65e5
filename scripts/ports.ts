#!/usr/bin/env -S npx zx
// Lab 1, ports: which sockets are open on this machine, in which state, held by which program —
// netstat/ss rebuilt from /proc/net/{tcp,tcp6,udp,udp6} and the socket links in /proc/PID/fd.

import { jsonArg } from '../lib/cli/args.ts';
import { parsePort } from '../lib/values.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { readSockets, socketColumns, socketRow, type SocketProtocol } from '../lib/net/procnet.ts';

export default defineExercise({
  name: 'ports',
  description: 'open sockets (LISTEN, ESTABLISHED, TIME_WAIT…) and their programs, from /proc/net',
  args: {
    listening: { type: 'boolean', alias: 'l', description: 'only listening sockets (TCP LISTEN, unconnected UDP)' },
    tcp: { type: 'boolean', alias: 't', description: 'only TCP' },
    udp: { type: 'boolean', alias: 'u', description: 'only UDP' },
    port: { type: 'string', alias: 'p', description: 'only sockets with this local or remote port', valueHint: 'n' },
    ...jsonArg,
  },
  examples: [
    'netlab ports --listening                 # who listens where (ss -lntup)',
    'netlab ports --tcp --port 8016           # a server, its clients, and TIME_WAIT leftovers',
    'netlab ports --json | jq ".[0]"',
  ],
  run({ args, out }) {
    const protocols: SocketProtocol[] | undefined = args.tcp && !args.udp ? ['tcp'] : args.udp && !args.tcp ? ['udp'] : undefined;
    const port = args.port === undefined ? undefined : parsePort(args.port, 0);
    const sockets = readSockets({ protocols, listening: args.listening === true, port });
    out.result(sockets, () => {
      if (sockets.length === 0) {
        out.line('no socket matches');
        return;
      }
      out.table(sockets.map(socketRow), socketColumns);
      // Without root, /proc/PID/fd of other users' processes cannot be read.
      if (process.getuid?.() !== 0 && sockets.some((entry) => !entry.pid && entry.state !== 'TIME_WAIT')) {
        out.info('("-": a socket of another user\'s process, or one no process holds; run as root to see every owner)');
      }
    });
  },
});

runIfMain(import.meta);
