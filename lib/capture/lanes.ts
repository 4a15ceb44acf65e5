// The lanes of a ladder diagram: one per endpoint (address:port). A TCP endpoint that sent the SYN
// is the client and the one it was sent to the server (RFC 9293 §3.5, "active" and "passive"
// open); for UDP, which has no connection, the endpoint that spoke first is the client.

import type { Endpoint, Packet } from './packets.ts';

export type Role = 'client' | 'server';

export interface Lane {
  /** "127.0.0.1:8016" ("[::1]:8016" for IPv6), as --json names it. */
  endpoint: string;
  address: string;
  port?: number;
  role: Role;
  /** The program that owns the socket ("netlab tcp-server"), when it was known. */
  program?: string;
}

/** "127.0.0.1:8016", "[::1]:8016", or the bare address for ICMP (no port). */
export function endpointName(endpoint: Endpoint): string {
  const address = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
  return endpoint.port === undefined ? address : `${address}:${endpoint.port}`;
}

/** Where an arrow starts and ends. An ICMP error comes from the host of the port it reports and goes back to the datagram's sender. */
export function arrowEnds(packet: Packet): { from: Endpoint; to: Endpoint } {
  const quoted = packet.icmp?.quoted;
  if (!quoted) return { from: packet.source, to: packet.destination };
  // The quoted datagram went from packet.destination (its sender) to packet.source (the host that refused it).
  return {
    from: { address: packet.source.address, port: quoted.destinationPort },
    to: { address: packet.destination.address, port: quoted.sourcePort },
  };
}

/**
 * The lanes, a client and its server side by side in the order their conversation began (so an
 * FTP data connection gets lanes of its own, next to its control connection's), each named by
 * `programs` (endpoint → owner) when it holds that endpoint.
 */
export function laneList(packets: Packet[], programs: ReadonlyMap<string, string> = new Map()): Lane[] {
  const roles = new Map<string, Role>();
  const order: string[] = [];
  const endpoints = new Map<string, Endpoint>();
  const place = (endpoint: Endpoint, role: Role) => {
    const name = endpointName(endpoint);
    if (!endpoints.has(name)) {
      endpoints.set(name, endpoint);
      order.push(name);
    }
    if (!roles.has(name)) roles.set(name, role);
  };
  // First the certain roles: the SYN (without ACK) goes from client to server.
  const synRoles = new Map<string, Role>();
  for (const packet of packets) {
    if (packet.tcp && packet.tcp.flags & 0x02 && !(packet.tcp.flags & 0x10)) {
      synRoles.set(endpointName(packet.source), 'client');
      synRoles.set(endpointName(packet.destination), 'server');
    }
  }
  for (const packet of packets) {
    if (packet.transport === 'other') continue;
    const { from, to } = arrowEnds(packet);
    // Known from a SYN, or from an earlier packet; else the sender of a datagram is taken for the
    // client (it spoke first), and the host that sends an ICMP error for the server it stands for.
    const known = (endpoint: Endpoint) => synRoles.get(endpointName(endpoint)) ?? roles.get(endpointName(endpoint));
    const fromRole = known(from) ?? (packet.icmp ? 'server' : known(to) === 'client' ? 'server' : 'client');
    const toRole = known(to) ?? (fromRole === 'client' ? 'server' : 'client');
    // The client's lane left of its server's: place the client first whichever way the packet goes.
    if (fromRole === 'client') {
      place(from, fromRole);
      place(to, toRole);
    } else {
      place(to, toRole);
      place(from, fromRole);
    }
  }
  return order.map((name) => {
    const endpoint = endpoints.get(name)!;
    return { endpoint: name, address: endpoint.address, port: endpoint.port, role: roles.get(name)!, program: programs.get(name) ?? programs.get(`*:${endpoint.port}`) };
  });
}
