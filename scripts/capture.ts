#!/usr/bin/env -S npx zx
// Lab 1, capture: what crosses the wire for a port, through tshark or tcpdump, on loopback by
// default; it always ends, after --count packets or --duration seconds, whichever comes first.
// With --diagram (or --out x.svg|x.html, or --read x.pcap) the packets are drawn as a ladder diagram.

import { jsonArg } from '../lib/cli/args.ts';
import { parseCount, parsePort, parseSeconds } from '../lib/values.ts';
import { NetlabError } from '../lib/errors.ts';
import { defineExercise, type ExerciseContext } from '../lib/cli/exercise.ts';
import type { Output } from '../lib/cli/output.ts';
import { visibleControls } from '../lib/text.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { defaultInterface, decodeAsArguments, startCapture, type CaptureToolName } from '../lib/net/capture.ts';
import type { Diagram } from '../lib/capture/diagram.ts';
import { captureDiagram, diagramFileFormat, diagramOfFile, writeDiagramFile } from '../lib/capture/draw.ts';
import { exercisePorts, runningDecodeAs } from '../lib/capture/exercise-ports.ts';
import { diagramJson } from '../lib/capture/render-json.ts';
import { localeIsUtf8, renderTerminal } from '../lib/capture/render-terminal.ts';

const args = {
  port: { type: 'string', alias: 'p', description: 'only packets to or from this port', valueHint: 'n' },
  exercise: { type: 'string', alias: 'e', description: 'only packets to or from the ports of this running netlab service (fingerd, tcp-server…)', valueHint: 'name' },
  interface: { type: 'string', alias: 'i', description: `interface to listen on (default ${defaultInterface}, the loopback)`, valueHint: 'name' },
  count: { type: 'string', alias: 'c', description: 'stop after this many packets (default 20)', valueHint: 'n' },
  duration: { type: 'string', alias: 'd', description: 'stop after this many seconds (default 30)', valueHint: 's' },
  filter: { type: 'string', alias: 'f', description: 'an extra BPF filter, e.g. "tcp[tcpflags] & tcp-fin != 0" (with --read: a Wireshark display filter)', valueHint: 'expr' },
  hex: { type: 'boolean', alias: 'x', description: 'show each packet\'s bytes in hex and ASCII' },
  diagram: { type: 'boolean', alias: 'D', description: 'draw the exchange as a ladder diagram: a lane per endpoint, an arrow per packet' },
  read: { type: 'string', alias: 'r', description: 'draw the packets of a saved capture (pcap or pcapng) instead of capturing', valueHint: 'file' },
  out: { type: 'string', description: 'x.svg or x.html: the diagram as a picture; any other name: save the packets (x.pcap: pcap; otherwise pcapng with tshark, pcap with tcpdump)', valueHint: 'file' },
  max: { type: 'string', description: 'arrows drawn at most (default 300)', valueHint: 'n' },
  tool: { type: 'string', description: 'tshark or tcpdump (default: tshark if installed)', valueHint: 'name' },
  ...jsonArg,
} as const;

export default defineExercise({
  name: 'capture',
  description: 'show the packets to or from a port (tshark or tcpdump), or draw them as a ladder diagram (--diagram)',
  args,
  examples: [
    'netlab capture --port 8016 --count 10    # then, elsewhere: netlab tcp-client hello',
    'netlab capture --port 8016 --diagram     # the same exchange as a ladder diagram',
    'netlab capture --exercise fingerd --out finger.svg   # a picture for the report',
    'netlab capture --read saved.pcapng --out exchange.html   # a page with details on hover',
    'netlab capture --port 9875 -x -c 2       # the UDP datagram, byte by byte',
    'netlab capture -p 8016 -f "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0"   # only handshakes and closes',
  ],
  async run(context) {
    const { args, out } = context;
    if (args.tool !== undefined && args.tool !== 'tshark' && args.tool !== 'tcpdump') {
      throw new NetlabError('E_USAGE', `--tool ${JSON.stringify(args.tool)} is not a capture tool`, { hint: 'choose tshark or tcpdump' });
    }
    if (args.port !== undefined && args.exercise !== undefined) {
      throw new NetlabError('E_USAGE', '--port and --exercise both choose the ports: give one', { hint: 'netlab capture --exercise fingerd, or --port 7979' });
    }
    const picture = args.out === undefined ? undefined : diagramFileFormat(args.out);
    if (args.diagram || args.read !== undefined || picture) return drawDiagram(context);
    const live = liveCapture(context, choosePorts(context));
    const session = startCapture({
      ...live,
      hex: args.hex === true,
      writeFile: args.out,
      labPorts: context.config.ports,
      signal: context.signal,
      onLine: (line) => (out.json ? out.jsonLine({ line }) : out.line(visibleControls(line))),
    });
    await session.ready;
    announce(out, session, live.count, live.durationMs);
    const { packets } = await session.finished;
    out.info(`${packetCount(packets)} captured`);
  },
});

type Context = ExerciseContext<typeof args>;

/**
 * --port N, or the ports of the running service --exercise names: for a live capture (the port,
 * or a BPF filter for several), for a saved file (a display filter), and tshark's decode-as.
 */
function choosePorts({ args, config }: Context): { port?: number; bpf?: string; display?: string; decodeAs: string[] } {
  if (args.exercise === undefined && args.port === undefined) return { decodeAs: [] };
  const { ports, decodeAs } = args.exercise !== undefined ? exercisePorts(config.pidDir, args.exercise) : { ports: [parsePort(args.port, 0)], decodeAs: [] };
  const display = ports.map((port) => `tcp.port == ${port} || udp.port == ${port}`).join(' || ');
  if (ports.length === 1) return { port: ports[0], display, decodeAs };
  return { bpf: ports.map((port) => `port ${port}`).join(' or '), display, decodeAs };
}

/** What a live capture is told, printed or drawn: the tool, where, which packets, how many, how long. */
function liveCapture({ args }: Context, chosen: { port?: number; bpf?: string }) {
  return {
    tool: args.tool as CaptureToolName | undefined,
    interface: args.interface,
    port: chosen.port,
    filter: joinFilters(chosen.bpf, args.filter),
    count: parseCount(args.count, 20, '--count'),
    durationMs: parseSeconds(args.duration, 30, '--duration'),
  };
}

function joinFilters(...filters: (string | undefined)[]): string | undefined {
  const given = filters.filter((filter): filter is string => Boolean(filter));
  return given.length > 1 ? given.map((filter) => `(${filter})`).join(' and ') : given[0];
}

/** --diagram: capture (or --read), then draw in the terminal, as --json, or into --out x.svg|x.html. */
async function drawDiagram(context: Context): Promise<void> {
  const { args, config, out, signal } = context;
  if (args.hex) throw new NetlabError('E_USAGE', '--hex shows packets one by one and --diagram draws them: choose one', { hint: 'drop -x, or drop --diagram' });
  const picture = args.out === undefined ? undefined : diagramFileFormat(args.out);
  if (args.out !== undefined && !picture) {
    throw new NetlabError('E_USAGE', `--out ${JSON.stringify(args.out)} with a diagram must name an .svg or .html file`, { hint: 'e.g. --out exchange.svg; to save the packets, capture without --diagram' });
  }
  const maxArrows = parseCount(args.max, 300, '--max');
  const chosen = choosePorts(context);
  const decodeAs = [...decodeAsArguments(config.ports), ...runningDecodeAs(config.pidDir), ...chosen.decodeAs];
  let diagram: Diagram;
  let title: string;
  if (args.read !== undefined) {
    // A saved file is filtered after the fact: --port and --filter become a display filter.
    const displayFilter = [chosen.display, args.filter].filter(Boolean).map((filter) => `(${filter})`).join(' && ') || undefined;
    diagram = await diagramOfFile(args.read, { maxArrows, decodeAs, displayFilter, signal });
    title = `netlab capture --read ${args.read}`;
  } else {
    const live = liveCapture(context, chosen);
    const result = await captureDiagram({
      ...live,
      signal,
      read: { maxArrows, decodeAs },
      onReady: (session) => announce(out, session, live.count, live.durationMs),
    });
    diagram = result.diagram;
    title = `netlab capture${args.port !== undefined ? ` --port ${args.port}` : args.exercise ? ` --exercise ${args.exercise}` : ''}: ${packetCount(result.packets)}`;
  }
  if (args.out !== undefined) {
    await writeDiagramFile(diagram, args.out, title);
    out.info(`${diagram.arrows.length} arrows between ${diagram.lanes.length} lanes drawn into ${args.out}`);
    for (const note of diagram.leftOut) out.note(note);
    return;
  }
  if (out.json) return out.result(diagramJson(diagram));
  if (diagram.arrows.length === 0) {
    out.line(diagram.total === 0 ? 'no packets: nothing to draw' : `none of the ${diagram.total} packets is TCP, UDP or ICMP over IP: nothing to draw`);
    return;
  }
  const stdout = out.stdout as { columns?: number };
  const width = stdout.columns ?? (Number(process.env.COLUMNS) || 100);
  for (const line of renderTerminal(diagram, { width, unicode: localeIsUtf8() })) out.line(line);
}

function announce(out: Output, session: { tool: string; command: string[] }, count: number, durationMs: number): void {
  out.info(`capturing with ${session.tool} (${session.command.slice(1).join(' ')}); stops after ${packetCount(count)} or ${durationMs / 1000} s`);
  // Once, on stderr: a capture that saw its few packets looks hung until the duration is up.
  out.note(`waiting for ${packetCount(count)} or ${durationMs / 1000} s; Ctrl-C stops now and prints what was captured`);
}

function packetCount(count: number): string {
  return `${count} packet${count === 1 ? '' : 's'}`;
}

runIfMain(import.meta);
