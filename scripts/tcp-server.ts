#!/usr/bin/env -S npx zx
// Lab 1, TCP server: accepts many clients at once, prints each one's address, echoes what it
// receives (or answers each line with --reply OK), and says how each client left: FIN or reset.

import { servicePort } from '../lib/config/define.ts';
import { hostArg, jsonArg, portArg, quietArg } from '../lib/cli/args.ts';
import { parseCount, parsePort } from '../lib/values.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { byteCount, payloadJson, previewPayload } from '../lib/net/payload.ts';
import { startTcpServer, type TcpServerEvent } from '../lib/net/tcp.ts';

const closings = {
  fin: 'closed the connection (FIN)',
  reset: 'reset the connection (RST)',
  server: 'was disconnected by the server (shutting down)',
};

function describe(event: TcpServerEvent): string {
  switch (event.type) {
    case 'connect':
      return `${event.client} connected (${event.open} open)`;
    case 'data':
      return `${event.client} sent ${byteCount(event.data.length)}  ${previewPayload(event.data)}`;
    case 'close':
      return `${event.client} ${closings[event.how]} — ${event.bytesIn} bytes in, ${event.bytesOut} out, ${event.ms} ms`;
    case 'refused':
      return `${event.client} refused: ${event.max} connection${event.max === 1 ? '' : 's'} already open (--max-connections ${event.max})`;
  }
}

export default defineExercise({
  name: 'tcp-server',
  description: 'TCP server: echoes (or --reply OK), many clients at once, reports FIN vs reset',
  service: true,
  args: {
    ...hostArg,
    ...portArg('tcp'),
    reply: { type: 'string', description: 'answer each line received with this text instead of echoing it', valueHint: 'text' },
    maxConnections: { type: 'string', description: 'clients served at once; one more is told "busy" and closed', valueHint: 'n' },
    ...jsonArg,
    ...quietArg,
  },
  examples: [
    'netlab tcp-server                        # echo server on 127.0.0.1:8016',
    'netlab tcp-server --quiet                # connections and closes only, not each chunk received',
    'netlab tcp-server --reply OK             # the lab: answer each line with "OK"',
    'netlab tcp-server --max-connections 2    # a third client is told "busy"',
    'nc 127.0.0.1 8016                        # any TCP client will do',
  ],
  async run({ args, config, log, out }) {
    return startTcpServer({
      host: config.host,
      port: parsePort(args.port, servicePort(config, 'tcp')),
      reply: args.reply,
      maxConnections: args.maxConnections === undefined ? undefined : parseCount(args.maxConnections, 1, '--max-connections'),
      log,
      onEvent: (event) => {
        const at = new Date().toISOString();
        if (out.json) {
          out.jsonLine(event.type === 'data' ? { at, type: 'data', client: event.client, bytes: event.data.length, ...payloadJson(event.data) } : { at, ...event });
          return;
        }
        const line = `${at.slice(11, 23)}  ${describe(event)}`;
        // --quiet keeps connections and closes, and drops the (possibly many) data lines.
        if (event.type === 'data') out.info(line);
        else out.line(line);
      },
    });
  },
});

runIfMain(import.meta);
