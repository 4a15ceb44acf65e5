// A port nothing listens on right now, for peers that cannot bind port 0 themselves (inetd's
// configuration, vsftpd's listen_port) and for tests that need a port known to be closed.
// Bind to 0, read the port the system chose, release it: another program may take it meanwhile,
// which is why our own servers always listen on port 0 instead.

import dgram from 'node:dgram';
import net from 'node:net';

export async function freePort(protocol: 'tcp' | 'udp' = 'tcp', host = '127.0.0.1'): Promise<number> {
  if (protocol === 'udp') {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, resolve);
    });
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return port;
  }
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
