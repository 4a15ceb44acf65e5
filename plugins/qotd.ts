#!/usr/bin/env -S npx zx
// An example plugin: the RFC 865 Quote of the Day server, in one file.
// Drop a file like this into plugins/ and `netlab list` shows it; nothing else to register.

import net from 'node:net';
import { servicePort } from '../lib/config/define.ts';
import { hostArg, portArg } from '../lib/cli/args.ts';
import { parsePort } from '../lib/values.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { listenTcp } from '../lib/net/listen.ts';

const quotes = [
  'The network is the computer. — John Gage',
  'Be conservative in what you send, be liberal in what you accept. — RFC 760',
  'There is no cloud, it is just someone else’s computer.',
  'It is always something. — RFC 1925, truth 10',
  'One size never fits all. — RFC 1925, truth 10a',
];

export default defineExercise({
  name: 'qotd',
  description: 'RFC 865 quote-of-the-day server (TCP): sends one quote and closes',
  service: true,
  args: { ...hostArg, ...portArg('qotd') },
  async run({ args, config, log }) {
    let next = 0;
    // RFC 865: "send a short message … and close the connection"; anything the client sends is ignored.
    const server = net.createServer((socket) => {
      const quote = quotes[next++ % quotes.length];
      log.info({ client: `${socket.remoteAddress}:${socket.remotePort}`, bytes: quote.length + 2 }, 'quote');
      socket.on('error', () => socket.destroy());
      socket.end(`${quote}\r\n`);
    });
    return listenTcp(server, { host: config.host, port: parsePort(args.port, servicePort(config, 'qotd')) });
  },
});

runIfMain(import.meta);
