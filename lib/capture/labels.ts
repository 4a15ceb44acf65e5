// What each arrow says: the TCP flags and numbers, and what the packet means to the application
// (an FTP command, a finger query, an XML-RPC method, a datagram's text, an ICMP error and the
// datagram it answers). Every string that came off the wire has its control characters made visible.

import { previewPayload } from '../net/payload.ts';
import { visibleControls } from '../text.ts';
import type { Packet } from './packets.ts';

/** Bytes of a payload shown on the arrow itself (the page's hover shows more). */
const payloadShown = 24;
/** Characters of an application's text on an arrow. */
const labelLength = 72;

// The flag bits in header order (RFC 9293 §3.1; ECE and CWR from RFC 3168 §23.2).
const flagNames: [number, string][] = [[0x01, 'FIN'], [0x02, 'SYN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR']];

/** "SYN, ACK", as Wireshark writes a segment's flags; "" for UDP and ICMP. */
export function tcpFlags(packet: Packet): string {
  if (!packet.tcp) return '';
  return flagNames.filter(([bit]) => packet.tcp!.flags & bit).map(([, name]) => name).join(', ');
}

/** "seq=1 ack=1 len=6": the relative sequence numbers (0 is the SYN's) and the payload's length, if any. */
export function tcpNumbers(packet: Packet): string {
  if (!packet.tcp) return '';
  const ack = packet.tcp.flags & 0x10 ? ` ack=${packet.tcp.ack}` : '';
  return `seq=${packet.tcp.seq}${ack}${packet.payloadLength ? ` len=${packet.payloadLength}` : ''}`;
}

// ICMP's messages by type and code (RFC 792; port unreachable is type 3 code 3).
const icmpNames: Record<string, string> = {
  '0': 'echo reply',
  '3': 'destination unreachable',
  '3/0': 'network unreachable',
  '3/1': 'host unreachable',
  '3/2': 'protocol unreachable',
  '3/3': 'port unreachable',
  '3/4': 'fragmentation needed',
  '3/13': 'communication administratively prohibited',
  '8': 'echo request',
  '11': 'time exceeded',
};
// ICMPv6's (RFC 4443 §3.1: type 1 code 4 is port unreachable).
const icmpv6Names: Record<string, string> = { '1': 'destination unreachable', '1/4': 'port unreachable', '1/3': 'address unreachable', '128': 'echo request', '129': 'echo reply', '3': 'time exceeded' };

/** The arrow's meaning: an ICMP message as type/code, the application's words, else the payload's first bytes, else "". */
export function arrowLabel(packet: Packet): string {
  if (packet.icmp) {
    const { type, code, quoted } = packet.icmp;
    const names = packet.protocols.includes('icmpv6') ? icmpv6Names : icmpNames;
    const name = names[`${type}/${code}`] ?? names[String(type)] ?? 'message';
    // "for :56550 → :9876 "bonjour"": the datagram it answers, as quoted in it (its ports, its first bytes).
    const answered = quoted ? ` for :${quoted.sourcePort} → :${quoted.destinationPort}${packet.payload.length ? ` ${previewPayload(packet.payload, payloadShown)}` : ''}` : '';
    return `ICMP ${name} (${type}/${code})${answered}`;
  }
  if (packet.application) return shorten(visibleControls(packet.application), labelLength);
  if (packet.payloadLength > 0) return previewPayload(packet.payload, payloadShown);
  return '';
}

/** "7.824 ms", "1.250 s": the time since the first packet. */
export function formatTime(seconds: number): string {
  return seconds < 1 ? `${(seconds * 1000).toFixed(3)} ms` : `${seconds.toFixed(3)} s`;
}

/** Cut to `length` characters, with an ellipsis when cut. */
export function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, Math.max(0, length - 1))}…`;
}
