#!/usr/bin/env -S npx zx
// Lab 1, capture: what crosses the wire for a port, through tshark or tcpdump, on loopback by
// default; it always ends, after --count packets or --duration seconds, whichever comes first.

import { jsonArg } from '../lib/cli/args.ts';
import { parseCount, parsePort, parseSeconds } from '../lib/values.ts';
import { NetlabError } from '../lib/errors.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { visibleControls } from '../lib/text.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { defaultInterface, startCapture, type CaptureToolName } from '../lib/net/capture.ts';

export default defineExercise({
  name: 'capture',
  description: 'show the packets to or from a port (tshark or tcpdump); stops after --count or --duration',
  args: {
    port: { type: 'string', alias: 'p', description: 'only packets to or from this port', valueHint: 'n' },
    interface: { type: 'string', alias: 'i', description: `interface to listen on (default ${defaultInterface}, the loopback)`, valueHint: 'name' },
    count: { type: 'string', alias: 'c', description: 'stop after this many packets (default 20)', valueHint: 'n' },
    duration: { type: 'string', alias: 'd', description: 'stop after this many seconds (default 30)', valueHint: 's' },
    filter: { type: 'string', alias: 'f', description: 'an extra BPF filter, e.g. "tcp[tcpflags] & tcp-fin != 0"', valueHint: 'expr' },
    hex: { type: 'boolean', alias: 'x', description: 'show each packet\'s bytes in hex and ASCII' },
    out: { type: 'string', description: 'also save the packets to a file Wireshark opens (pcapng with tshark, pcap with tcpdump)', valueHint: 'file' },
    tool: { type: 'string', description: 'tshark or tcpdump (default: tshark if installed)', valueHint: 'name' },
    ...jsonArg,
  },
  examples: [
    'netlab capture --port 8016 --count 10    # then, elsewhere: netlab tcp-client hello',
    'netlab capture --port 9875 -x -c 2       # the UDP datagram, byte by byte',
    'netlab capture -p 8016 -f "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0"   # only handshakes and closes',
  ],
  async run({ args, config, out, signal }) {
    if (args.tool !== undefined && args.tool !== 'tshark' && args.tool !== 'tcpdump') {
      throw new NetlabError('E_USAGE', `--tool ${JSON.stringify(args.tool)} is not a capture tool`, { hint: 'choose tshark or tcpdump' });
    }
    const count = parseCount(args.count, 20, '--count');
    const durationMs = parseSeconds(args.duration, 30, '--duration');
    const session = startCapture({
      tool: args.tool as CaptureToolName | undefined,
      interface: args.interface,
      port: args.port === undefined ? undefined : parsePort(args.port, 0),
      filter: args.filter,
      count,
      durationMs,
      hex: args.hex === true,
      writeFile: args.out,
      labPorts: config.ports,
      signal,
      onLine: (line) => (out.json ? out.jsonLine({ line }) : out.line(visibleControls(line))),
    });
    await session.ready;
    out.info(`capturing with ${session.tool} (${session.command.slice(1).join(' ')}); stops after ${packetCount(count)} or ${durationMs / 1000} s`);
    // Once, on stderr: a capture that saw its few packets looks hung until the duration is up.
    out.note(`waiting for ${packetCount(count)} or ${durationMs / 1000} s; Ctrl-C stops now and prints what was captured`);
    const { packets } = await session.finished;
    out.info(`${packetCount(packets)} captured`);
  },
});

function packetCount(count: number): string {
  return `${count} packet${count === 1 ? '' : 's'}`;
}

runIfMain(import.meta);
