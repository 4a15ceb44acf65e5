#!/usr/bin/env -S npx zx
// Lab 1, UDP server: binds a port, prints every datagram with its source address, and with
// --echo sends it back. `npx zx scripts/udp-server.ts --echo` or `netlab udp-server --echo`.

import { hostArg, jsonArg, parsePort, portArg, quietArg } from '../lib/cli/args.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { PacedLines } from '../lib/cli/paced-lines.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { byteCount, payloadJson, previewPayload } from '../lib/net/payload.ts';
import { startUdpServer, type Datagram } from '../lib/net/udp.ts';
import { formatAddress } from '../lib/services/handle.ts';

export default defineExercise({
  name: 'udp-server',
  description: 'UDP server: prints each datagram and its source address; --echo sends it back',
  service: true,
  args: {
    ...hostArg,
    ...portArg('udp', 9875),
    echo: { type: 'boolean', description: 'send each datagram back to its sender' },
    ...jsonArg,
    ...quietArg,
  },
  examples: [
    'netlab udp-server --echo                 # then: netlab udp-client --wait hello',
    'netlab udp-server --port 0 --json        # one JSON line per datagram',
    'echo hi | nc -u -w1 127.0.0.1 9875       # any UDP client will do',
  ],
  async run({ args, config, log, out }) {
    const echoed = args.echo === true;
    // A flood must not wait for the terminal: the lines go out once per turn of the event loop,
    // and what a burst has beyond 1,000 waiting lines is counted instead (lib/cli/paced-lines.ts).
    const lines = new PacedLines<Datagram>({
      format: ({ from, data, at }) =>
        out.json
          ? `${JSON.stringify({ at: at.toISOString(), from, bytes: data.length, ...payloadJson(data), echoed })}\n`
          : `${at.toISOString().slice(11, 23)}  from ${formatAddress(from)}  ${byteCount(data.length)}  ${previewPayload(data)}${echoed ? '  (echoed)' : ''}\n`,
      skipped: (count) =>
        out.json
          ? `${JSON.stringify({ notShown: count })}\n`
          : `… ${count.toLocaleString('en-US')} more datagram${count === 1 ? '' : 's'} received, not shown: they came faster than the terminal shows them\n`,
      write: (text) => out.stdout.write(text),
    });
    const server = await startUdpServer({
      host: config.host,
      port: parsePort(args.port, config.ports.udp ?? 9875),
      echo: echoed,
      log,
      onDatagram: (datagram) => lines.push(datagram),
    });
    return { ...server, close: () => (lines.flush(), server.close()) };
  },
});

runIfMain(import.meta);
