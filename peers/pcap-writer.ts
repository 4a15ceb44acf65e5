// Synthetic capture files for the tests and the bench: a classic pcap (the libpcap format
// Wireshark and tcpdump write, https://www.tcpdump.org/manpages/pcap-savefile.5.txt) of many TCP
// echo exchanges on loopback, as large as asked, written in one go without capturing anything.

import { writeFileSync } from 'node:fs';

/** LINKTYPE_ETHERNET (what Linux's lo captures as). */
export const linkTypeEthernet = 1;

interface Segment {
  fromClient: boolean;
  flags: number;
  payload?: string;
}

// One exchange as `netlab tcp-client hello` makes it against the echo server: handshake, data and
// its ACK, the client's FIN, the echo, the server's FIN (RFC 9293 §3.5).
const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;
const exchange: Segment[] = [
  { fromClient: true, flags: SYN },
  { fromClient: false, flags: SYN | ACK },
  { fromClient: true, flags: ACK },
  { fromClient: true, flags: PSH | ACK, payload: 'hello\n' },
  { fromClient: false, flags: ACK },
  { fromClient: true, flags: FIN | ACK },
  { fromClient: false, flags: PSH | ACK, payload: 'hello\n' },
  { fromClient: true, flags: ACK },
  { fromClient: false, flags: FIN | ACK },
  { fromClient: true, flags: ACK },
];

/** An Ethernet + IPv4 + TCP frame on 127.0.0.1 (checksums left at 0: tshark does not check them by default). */
function tcpFrame(sourcePort: number, destinationPort: number, seq: number, ack: number, flags: number, payload: Buffer): Buffer {
  const frame = Buffer.alloc(14 + 20 + 20 + payload.length);
  frame.writeUInt16BE(0x0800, 12); // EtherType IPv4; both MAC addresses 0, as on lo
  const ip = 14;
  frame[ip] = 0x45; // version 4, header of 5 words
  frame.writeUInt16BE(20 + 20 + payload.length, ip + 2);
  frame[ip + 8] = 64; // TTL
  frame[ip + 9] = 6; // TCP
  frame.writeUInt32BE(0x7f000001, ip + 12);
  frame.writeUInt32BE(0x7f000001, ip + 16);
  const tcp = ip + 20;
  frame.writeUInt16BE(sourcePort, tcp);
  frame.writeUInt16BE(destinationPort, tcp + 2);
  frame.writeUInt32BE(seq >>> 0, tcp + 4);
  frame.writeUInt32BE(ack >>> 0, tcp + 8);
  frame[tcp + 12] = 5 << 4;
  frame[tcp + 13] = flags;
  frame.writeUInt16BE(65_535, tcp + 14);
  payload.copy(frame, tcp + 20);
  return frame;
}

/** The bytes of a pcap holding `packets` packets of echo exchanges to `serverPort` (the last one cut short if need be). */
export function echoCapture(packets: number, serverPort = 8016, linkType = linkTypeEthernet): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps, little-endian
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262_144, 16); // snapshot length
  header.writeUInt32LE(linkType, 20);
  const records: Buffer[] = [header];
  const start = 1_764_000_000;
  for (let index = 0; index < packets; index++) {
    const connection = Math.floor(index / exchange.length);
    const step = exchange[index % exchange.length];
    const clientPort = 32_768 + (connection % 28_000);
    const clientIsn = 1000 + connection * 7;
    const serverIsn = 5000 + connection * 11;
    // Sequence numbers follow the exchange: the SYN and each FIN take one, the payload its length.
    const sent = (fromClient: boolean) => {
      let used = 0;
      for (const earlier of exchange.slice(0, index % exchange.length)) {
        if (earlier.fromClient !== fromClient) continue;
        used += (earlier.flags & (SYN | FIN) ? 1 : 0) + (earlier.payload?.length ?? 0);
      }
      return used;
    };
    const ownIsn = step.fromClient ? clientIsn : serverIsn;
    const peerIsn = step.fromClient ? serverIsn : clientIsn;
    const seq = ownIsn + sent(step.fromClient);
    const ack = step.flags & ACK ? peerIsn + sent(!step.fromClient) : 0;
    const payload = Buffer.from(step.payload ?? '');
    const frame = step.fromClient ? tcpFrame(clientPort, serverPort, seq, ack, step.flags, payload) : tcpFrame(serverPort, clientPort, seq, ack, step.flags, payload);
    const record = Buffer.alloc(16);
    const micros = index * 50;
    record.writeUInt32LE(start + Math.floor(micros / 1e6), 0);
    record.writeUInt32LE(micros % 1e6, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    records.push(record, frame);
  }
  return Buffer.concat(records);
}

export function writeEchoCapture(file: string, packets: number, serverPort?: number, linkType?: number): void {
  writeFileSync(file, echoCapture(packets, serverPort, linkType));
}
