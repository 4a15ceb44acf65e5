// A capture as a ladder (sequence) diagram: lanes (endpoints) side by side, one arrow per packet
// from its sender's lane to its receiver's, each TCP phase named once. The renderers (terminal,
// SVG, HTML, JSON) all draw this one model; it is bounded, and says what it left out.

import { arrowLabel, formatTime, tcpFlags, tcpNumbers } from './labels.ts';
import { visibleControls } from '../text.ts';
import { arrowEnds, endpointName, laneList, type Lane, type Role } from './lanes.ts';
import type { CaptureFile, Packet } from './packets.ts';
import { tcpPhases } from './phases.ts';

export interface Arrow {
  /** The packet's number in the capture file. */
  number: number;
  /** Seconds since the first packet. */
  time: number;
  /** The lanes' endpoints ("127.0.0.1:8016"). */
  from: string;
  to: string;
  fromLane: number;
  toLane: number;
  protocol: 'tcp' | 'udp' | 'icmp';
  /** "SYN, ACK" ("" for UDP and ICMP). */
  flags: string;
  /** "seq=1 ack=1 len=6" for TCP. */
  numbers: string;
  /** Bytes of payload (TCP segment or UDP datagram). */
  length: number;
  label: string;
  /** The phase this arrow begins, the first time it appears ("three-way handshake"), for the margin. */
  phaseStart?: string;
  phase?: string;
  /** tshark's one-line summary, for the details on hover. */
  summary: string;
}

/** "[PSH, ACK] seq=1 ack=1 len=6 "hello\n"": what is written over an arrow, in every drawing. */
export function arrowText(arrow: Arrow): string {
  return [arrow.flags && `[${arrow.flags}]`, arrow.numbers, arrow.label].filter(Boolean).join(' ');
}

/** Everything about the packet behind an arrow, a few lines: the SVG's hover text and the HTML page's panel. */
export function arrowDetails(arrow: Arrow): string {
  const tcp = arrow.flags ? ` [${arrow.flags}] ${arrow.numbers}` : '';
  return [
    `packet #${arrow.number} at ${formatTime(arrow.time)}${arrow.phase ? `   (${arrow.phase})` : ''}`,
    `${arrow.from} → ${arrow.to}   ${arrow.protocol.toUpperCase()}${tcp}   ${arrow.length} bytes of payload`,
    arrow.label,
    arrow.summary && `tshark: ${arrow.summary}`,
  ].filter(Boolean).join('\n');
}

export interface Diagram {
  lanes: Lane[];
  arrows: Arrow[];
  /** Packets in the file. */
  total: number;
  /** What the diagram does not show, in one sentence each. */
  leftOut: string[];
}

export interface DiagramOptions {
  /** Endpoint ("127.0.0.1:8016", or "*:8016" for any address) → the program that owns it. */
  programs?: ReadonlyMap<string, string>;
  /** Lanes drawn at most (a textbook figure has a few). */
  maxLanes?: number;
}

export const defaultMaxArrows = 300;
const defaultMaxLanes = 8;

export function buildDiagram(capture: CaptureFile, options: DiagramOptions = {}): Diagram {
  const drawable = capture.packets.filter((packet) => packet.transport !== 'other' && packet.source.address);
  const allLanes = laneList(drawable, options.programs);
  const lanes = allLanes.slice(0, options.maxLanes ?? defaultMaxLanes);
  const laneIndex = new Map(lanes.map((lane, index) => [lane.endpoint, index]));
  const phases = tcpPhases(drawable);
  const connections = connectionNames(drawable);
  const fingerLabels = fingerTexts(drawable, new Map(allLanes.map((lane) => [lane.endpoint, lane.role])));
  const named = new Set<string>();
  const arrows: Arrow[] = [];
  let outsideLanes = 0;
  for (const packet of drawable) {
    const { from, to } = arrowEnds(packet);
    const fromLane = laneIndex.get(endpointName(from));
    const toLane = laneIndex.get(endpointName(to));
    if (fromLane === undefined || toLane === undefined) {
      outsideLanes++;
      continue;
    }
    const phase = phases.get(packet.number);
    const connection = packet.tcp ? connections.get(packet.tcp.stream) : undefined;
    const phaseName = phase && connection ? `${connection}: ${phase}` : phase;
    const firstOfPhase = phaseName !== undefined && !named.has(phaseName);
    if (phaseName) named.add(phaseName);
    arrows.push({
      number: packet.number,
      time: packet.time,
      from: endpointName(from),
      to: endpointName(to),
      fromLane,
      toLane,
      protocol: packet.transport as Arrow['protocol'],
      flags: tcpFlags(packet),
      numbers: tcpNumbers(packet),
      length: packet.payloadLength,
      label: fingerLabels.get(packet.number) ?? arrowLabel(packet),
      phase: phaseName,
      phaseStart: firstOfPhase ? phaseName : undefined,
      summary: packet.summary,
    });
  }
  const leftOut: string[] = [];
  const count = (n: number, what: string) => `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`;
  if (capture.filtered) {
    if (capture.limitReached) leftOut.push(`the diagram stops after the first ${capture.packets.length.toLocaleString('en')} packets the filter chose (of ${capture.total.toLocaleString('en')} in the file): narrow the filter`);
  } else if (capture.total > capture.packets.length) {
    leftOut.push(`${count(capture.total - capture.packets.length, 'later packet')} left out: the diagram draws the first ${capture.packets.length.toLocaleString('en')} of ${capture.total.toLocaleString('en')} (narrow it with --port or a filter)`);
  }
  if (outsideLanes > 0) leftOut.push(`${count(outsideLanes, 'packet')} between ${count(allLanes.length - lanes.length, 'further endpoint')} left out (the diagram has ${lanes.length} lanes at most)`);
  const other = capture.packets.length - drawable.length;
  if (other > 0) leftOut.push(`${count(other, 'packet')} that ${other === 1 ? 'is' : 'are'} not TCP, UDP or ICMP over IP left out`);
  return { lanes, arrows, total: capture.total, leftOut };
}

/**
 * Finger's text on the segment that carried it: tshark names it on the packet where its
 * reassembly ended (the FIN), so it goes back to the last segment with data in that direction.
 * Sent to the server it is the query (RFC 1288 §2.3), sent by it the answer.
 */
function fingerTexts(packets: Packet[], roles: ReadonlyMap<string, Role>): Map<number, string> {
  const labels = new Map<number, string>();
  packets.forEach((packet, index) => {
    if (!packet.finger || !packet.tcp) return;
    const sameDirection = (other: Packet) => other.tcp?.stream === packet.tcp!.stream && endpointName(other.source) === endpointName(packet.source);
    const carrier = packets.slice(0, index + 1).reverse().find((other) => sameDirection(other) && other.payloadLength > 0) ?? packet;
    const query = roles.get(endpointName(packet.destination)) === 'server';
    const firstLine = packet.finger.split(/\r?\n/)[0];
    labels.set(carrier.number, `finger ${query ? 'query' : 'answer'} ${JSON.stringify(visibleControls(firstLine))}`);
  });
  return labels;
}

/**
 * Names for the connections when there are several, so that each phase is named once per
 * connection: "FTP control" and "FTP data" (RFC 959 §2.3), else "connection 2" by its order.
 */
function connectionNames(packets: Packet[]): Map<number, string> {
  const names = new Map<number, string>();
  const streams = [...new Set(packets.flatMap((packet) => (packet.tcp ? [packet.tcp.stream] : [])))];
  if (streams.length < 2) return names;
  for (const [index, stream] of streams.entries()) {
    const layers = packets.filter((packet) => packet.tcp?.stream === stream).map((packet) => packet.protocols);
    const name = layers.some((protocols) => protocols.includes('ftp-data')) ? 'FTP data' : layers.some((protocols) => /:ftp(:|$)/.test(protocols)) ? 'FTP control' : `connection ${index + 1}`;
    // A second data connection (a LIST, then a RETR) is "FTP data 2": its phases are named again.
    const taken = [...names.values()].filter((other) => other === name || other.startsWith(`${name} `)).length;
    names.set(stream, taken ? `${name} ${taken + 1}` : name);
  }
  return names;
}
