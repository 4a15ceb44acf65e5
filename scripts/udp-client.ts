#!/usr/bin/env -S npx zx
// Lab 1, UDP client: sends a message (the argument, or each line of stdin) to a UDP server and,
// with --wait, prints the reply. When nothing listens it says "port unreachable" instead of hanging.

import { servicePort } from '../lib/config/define.ts';
import { hostArg, jsonArg, remotePortArg, quietArg, timeoutArg } from '../lib/cli/args.ts';
import { parseRemotePort, parseSeconds } from '../lib/values.ts';
import { NetlabError } from '../lib/errors.ts';
import { inputLines } from '../lib/cli/input-lines.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { byteCount, payloadJson, previewPayload } from '../lib/net/payload.ts';
import { isLoopback } from '../lib/net/procnet.ts';
import { UdpClient } from '../lib/net/udp.ts';
import { formatAddress } from '../lib/services/handle.ts';

/**
 * How long to listen after the last datagram for an ICMP port unreachable: a round trip. On
 * loopback the kernel queues the ICMP before send() returns, so 2 ms only covers our own event
 * loop (settle() also lets pending I/O be read first); elsewhere, 100 ms covers a LAN. This wait
 * is most of the command's time: 100 ms put `udp-client hi` at 2.5× a bare node start, 10 ms at
 * 2.9× on Node 24, 2 ms saves 8 ms more (npm run bench cli).
 */
const icmpGraceMs = (host: string) => (isLoopback(host) ? 2 : 100);

export default defineExercise({
  name: 'udp-client',
  description: 'UDP client: sends a message (argument or stdin lines); --wait prints the reply',
  args: {
    message: { type: 'positional', required: false, description: 'what to send (default: each line of stdin)' },
    ...hostArg,
    ...remotePortArg('udp'),
    wait: { type: 'boolean', description: 'wait for a reply to each datagram and print it' },
    ...timeoutArg(2),
    ...jsonArg,
    ...quietArg,
  },
  examples: [
    'netlab udp-client --wait hello           # against: netlab udp-server --echo',
    'printf "a\\nb\\n" | netlab udp-client      # one datagram per line',
  ],
  async run({ args, config, out, signal }) {
    const port = parseRemotePort(args.port, servicePort(config, 'udp'));
    const timeoutMs = parseSeconds(args.timeout, 2);
    const client = await UdpClient.open({ host: config.host, port, signal });
    try {
      const exchange = async (message: Buffer | string) => {
        await client.send(message);
        out.info(`sent ${byteCount(Buffer.byteLength(message))} to ${formatAddress(client.server)} from port ${client.local.port}`);
        if (!args.wait) return;
        const reply = await client.receive(timeoutMs);
        if (out.json) out.jsonLine({ from: reply.from, bytes: reply.data.length, ...payloadJson(reply.data) });
        else out.line(`reply from ${formatAddress(reply.from)}  ${byteCount(reply.data.length)}  ${previewPayload(reply.data)}`);
      };
      if (typeof args.message === 'string') await exchange(args.message);
      else {
        if (process.stdin.isTTY) out.info(`sending each line you type to ${formatAddress({ host: config.host, port })}; Ctrl-D to finish`);
        for await (const line of inputLines(process.stdin, signal)) await exchange(line); // Ctrl-C ends the loop
      }
      if (signal.aborted) throw new NetlabError('E_INTERRUPTED', 'interrupted');
      await client.settle(icmpGraceMs(config.host));
    } finally {
      client.close();
    }
  },
});

runIfMain(import.meta);
