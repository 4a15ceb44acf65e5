// The phases of a TCP connection, as a textbook names them (RFC 9293 §3.5 and §3.6): the
// three-way handshake, the data, a half-close (one side has sent its FIN, the other still
// sends), the four-way close (FIN and ACK each way) and a reset.

import type { Packet } from './packets.ts';

export type Phase = 'three-way handshake' | 'data' | 'half-close' | 'four-way close' | 'RST';

const FIN = 0x01, SYN = 0x02, RST = 0x04;

/** Each TCP packet's phase (by packet number); UDP and ICMP have none (no connection). */
export function tcpPhases(packets: Packet[]): Map<number, Phase> {
  const phases = new Map<number, Phase>();
  const byStream = new Map<number, Packet[]>();
  for (const packet of packets) {
    if (!packet.tcp) continue;
    const list = byStream.get(packet.tcp.stream) ?? [];
    list.push(packet);
    byStream.set(packet.tcp.stream, list);
  }
  for (const stream of byStream.values()) {
    // The first FIN of each side; data the other side sends after the first FIN is a half-close.
    const fins = stream.filter((packet) => packet.tcp!.flags & FIN);
    const firstFin = fins[0];
    const secondFin = fins.find((packet) => packet.source.port !== firstFin?.source.port || packet.source.address !== firstFin?.source.address);
    const dataDuringClose = firstFin && stream.some((packet) => packet.number > firstFin.number && (!secondFin || packet.number < secondFin.number) && packet.payloadLength > 0);
    let synAckSeen = false;
    let handshakeDone = false;
    for (const packet of stream) {
      const flags = packet.tcp!.flags;
      let phase: Phase;
      if (flags & RST) phase = 'RST';
      else if (flags & SYN) {
        phase = 'three-way handshake';
        synAckSeen ||= Boolean(flags & 0x10);
      } else if (synAckSeen && !handshakeDone && packet.payloadLength === 0 && !(flags & FIN)) {
        // The third segment: the client's bare ACK of the SYN-ACK.
        phase = 'three-way handshake';
        handshakeDone = true;
      } else if (firstFin && packet.number >= firstFin.number) {
        phase = dataDuringClose && (!secondFin || packet.number < secondFin.number) ? 'half-close' : 'four-way close';
      } else phase = 'data';
      if (!(flags & SYN)) handshakeDone = true;
      phases.set(packet.number, phase);
    }
  }
  return phases;
}
