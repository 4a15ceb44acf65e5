// A port nothing listens on right now, for peers that cannot bind port 0 themselves (inetd's
// configuration, vsftpd's listen_port, ftp-srv's passive range) and for tests that need a port
// known to be closed. The port is checked free, then released: another program may take it
// meanwhile, which is why our own servers always listen on port 0 instead.
//
// It is drawn below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768–60999 on
// Linux), where nothing else running here gets a port without asking for it by number: a port 0
// bound by the system's choice, or the source port of a connection, comes from that range. A
// port released from inside it was, now and then, taken by a test running alongside before the
// peer could bind it (ftp-srv then refused PASV with 451).

import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Above the lab's default ports (all under 10,000) and the well-known ones. */
const lowest = 20_000;

export async function freePort(protocol: 'tcp' | 'udp' = 'tcp', host = '127.0.0.1'): Promise<number> {
  const below = ephemeralStart();
  for (let attempt = 0; below > lowest && attempt < 50; attempt++) {
    const port = lowest + Math.floor(Math.random() * (below - lowest));
    if (await canBind(protocol, host, port)) return port;
  }
  return bind(protocol, host, 0); // no range known (not Linux), or all 50 draws busy: the system's choice
}

/** The first port of the kernel's ephemeral range, or 0 where it cannot be read. */
function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 0;
  } catch {
    return 0;
  }
}

async function canBind(protocol: 'tcp' | 'udp', host: string, port: number): Promise<boolean> {
  try {
    await bind(protocol, host, port);
    return true;
  } catch {
    return false;
  }
}

/** Binds `port` (0: the system chooses), releases it, and resolves to the port bound. */
async function bind(protocol: 'tcp' | 'udp', host: string, port: number): Promise<number> {
  if (protocol === 'udp') {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error) => (socket.close(), reject(error)));
      socket.bind(port, host, resolve);
    });
    const bound = socket.address().port;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return bound;
  }
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return bound;
}
