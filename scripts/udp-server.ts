#!/usr/bin/env -S npx zx
// Lab 1, UDP server: binds a port, prints every datagram with its source address, and with
// --echo sends it back. `npx zx scripts/udp-server.ts --echo` or `netlab udp-server --echo`.

import { servicePort } from '../lib/config/define.ts';
import { hostArg, jsonArg, portArg, quietArg } from '../lib/cli/args.ts';
import { parsePort } from '../lib/values.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { byteCount, payloadJson, previewPayload } from '../lib/net/payload.ts';
import { startUdpServer } from '../lib/net/udp.ts';
import { formatAddress } from '../lib/services/handle.ts';

export default defineExercise({
  name: 'udp-server',
  description: 'UDP server: prints each datagram and its source address; --echo sends it back',
  service: true,
  args: {
    ...hostArg,
    ...portArg('udp'),
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
    return startUdpServer({
      host: config.host,
      port: parsePort(args.port, servicePort(config, 'udp')),
      echo: args.echo === true,
      log,
      onDatagram: ({ from, data, at }) => {
        if (out.json) out.jsonLine({ at: at.toISOString(), from, bytes: data.length, ...payloadJson(data), echoed: args.echo === true });
        else out.line(`${at.toISOString().slice(11, 23)}  from ${formatAddress(from)}  ${byteCount(data.length)}  ${previewPayload(data)}${args.echo ? '  (echoed)' : ''}`);
      },
    });
  },
});

runIfMain(import.meta);
