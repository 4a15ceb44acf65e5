#!/usr/bin/env -S npx zx
// Lab 1, UDP server: binds a port, prints every datagram with its source address, and with
// --echo sends it back. `npx zx scripts/udp-server.ts --echo` or `netlab udp-server --echo`.

import { servicePort } from '../lib/config/define.ts';
import { hostArg, jsonArg, portArg, quietArg } from '../lib/cli/args.ts';
import { parsePort } from '../lib/values.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { byteCount, payloadJson, previewPayload } from '../lib/net/payload.ts';
import { startUdpServer, type Datagram } from '../lib/net/udp.ts';
import { Paced } from '../lib/paced.ts';
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
    'netlab udp-server --port 0 --json        # where it listens, then one JSON line per datagram',
    'echo hi | nc -u -w1 127.0.0.1 9875       # any UDP client will do',
  ],
  async run({ args, config, log, out }) {
    const echoed = args.echo === true;
    // A flood must not wait for the terminal: one write per turn of the event loop, at most
    // 1,000 lines a second, and one line a second counts the rest (lib/paced.ts).
    const format = ({ from, data, at }: Datagram) =>
      out.json
        ? `${JSON.stringify({ at: new Date(at).toISOString(), from, bytes: data.length, ...payloadJson(data), echoed })}\n`
        : `${new Date(at).toISOString().slice(11, 23)}  from ${formatAddress(from)}  ${byteCount(data.length)}  ${previewPayload(data)}${echoed ? '  (echoed)' : ''}\n`;
    const lines = new Paced<Datagram>({
      show: (datagrams) => out.stdout.write(datagrams.map(format).join('')),
      skipped: (count) =>
        out.stdout.write(
          out.json
            ? `${JSON.stringify({ notShown: count })}\n`
            : `… ${count.toLocaleString('en-US')} more datagram${count === 1 ? '' : 's'} received, not shown: they came faster than the terminal shows them\n`,
        ),
    });
    const server = await startUdpServer({
      host: config.host,
      port: parsePort(args.port, servicePort(config, 'udp')),
      echo: echoed,
      log,
      onDatagram: (datagram) => lines.push(datagram),
    });
    const close = () => {
      lines.flush();
      // What a flood left off the screen, counted: as tcpdump says how many packets it captured.
      const { datagrams, bytes } = server.stats();
      if (out.json) out.jsonLine({ at: new Date().toISOString(), type: 'stopped', datagrams, bytes });
      else out.info(`udp-server: ${datagrams.toLocaleString('en-US')} datagram${datagrams === 1 ? '' : 's'} received, ${bytes.toLocaleString('en-US')} byte${bytes === 1 ? '' : 's'}`);
      return server.close();
    };
    return { ...server, close };
  },
});

runIfMain(import.meta);
