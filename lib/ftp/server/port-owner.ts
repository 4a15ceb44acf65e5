// FTP bounce on one machine: every local user shares 127.0.0.1, so "PORT to your own address" is
// not enough there. For a client on loopback, the target port must belong to the client's own user.

import { isLoopback, readSockets, type SocketEntry } from '../../net/procnet.ts';

interface Endpoint {
  host: string;
  port: number;
}

/**
 * Why PORT to `target` would reach another user's service, or undefined when it would not (or
 * cannot be known: a remote client, no /proc). Both owners come from /proc/net/tcp[6]: the uid of
 * the client's end of the control connection, and the uid of the socket listening on the target.
 */
export function foreignPortOwner(client: Endpoint, server: Endpoint, target: Endpoint): string | undefined {
  if (!isLoopback(client.host)) return undefined;
  let sockets: SocketEntry[];
  try {
    sockets = [...readSockets({ protocols: ['tcp'], port: client.port }, { owners: false }), ...readSockets({ protocols: ['tcp'], listening: true, port: target.port }, { owners: false })];
  } catch {
    return undefined; // not Linux
  }
  const clientEnd = sockets.find((entry) => entry.localPort === client.port && entry.remotePort === server.port && entry.state === 'ESTABLISHED');
  const listener = sockets.find((entry) => entry.localPort === target.port && entry.state === 'LISTEN');
  if (!clientEnd || !listener || clientEnd.uid === listener.uid) return undefined;
  return `port ${target.port} belongs to another user (uid ${listener.uid}, you are uid ${clientEnd.uid})`;
}
