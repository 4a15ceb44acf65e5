// The TCP phases of a connection, from the flags alone: a refused connection, and a close with
// no data after the first FIN (all four segments are then the four-way close).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Packet } from '../lib/capture/packets.ts';
import { tcpPhases } from '../lib/capture/phases.ts';

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

/** Segments of one connection between :40000 (the client) and :8016. */
function segments(list: [fromClient: boolean, flags: number, length?: number][]): Packet[] {
  return list.map(([fromClient, flags, length = 0], index) => ({
    number: index + 1,
    time: index / 1000,
    transport: 'tcp',
    source: { address: '127.0.0.1', port: fromClient ? 40000 : 8016 },
    destination: { address: '127.0.0.1', port: fromClient ? 8016 : 40000 },
    tcp: { flags, seq: 0, ack: 0, stream: 0 },
    payloadLength: length,
    payload: Buffer.alloc(0),
    protocols: 'eth:ethertype:ip:tcp',
    summary: '',
  }));
}

test('a connection refused: the SYN, then the RST', () => {
  assert.deepEqual([...tcpPhases(segments([[true, SYN], [false, RST | ACK]])).values()], ['three-way handshake', 'RST']);
});

test('FIN, ACK, FIN, ACK with no data between them: all four are the four-way close, there is no half-close', () => {
  const phases = tcpPhases(segments([[true, SYN], [false, SYN | ACK], [true, ACK], [true, PSH | ACK, 5], [false, ACK], [true, FIN | ACK], [false, ACK], [false, FIN | ACK], [true, ACK]]));
  assert.deepEqual([...phases.values()], ['three-way handshake', 'three-way handshake', 'three-way handshake', 'data', 'data', 'four-way close', 'four-way close', 'four-way close', 'four-way close']);
});
