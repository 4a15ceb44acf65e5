// Starting and stopping a TCP server the same way everywhere: listen with clear errors,
// and a graceful close that lets open connections finish, then cuts the stragglers.

import type dgram from 'node:dgram';
import type net from 'node:net';
import type { Socket } from 'node:net';
import { systemErrorCode } from '../errors.ts';
import type { ServerHandle } from '../services/handle.ts';
import { socketError } from './errors.ts';
import { describePortOwner, type SocketProtocol } from './procnet.ts';

export interface ListenOptions {
  host: string;
  port: number;
  /** What status lines call it ('tcp', 'http', 'ftp', 'finger' …). */
  protocol?: string;
  /** How long open connections get to finish on close before they are destroyed. */
  graceMs?: number;
}

/** Listens and resolves to a handle; EACCES/EADDRINUSE… reject as NetlabErrors. */
export function listenTcp(server: net.Server, options: ListenOptions): Promise<ServerHandle> {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(bindError(error, options, 'tcp'));
    server.once('error', onError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', onError);
      const bound = server.address() as net.AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        address: { host: bound.address, port: bound.port, protocol: options.protocol ?? 'tcp' },
        close: () => (closing ??= closeGracefully(server, open, options.graceMs ?? 2_000)),
      });
    });
  });
}

/** Binds a UDP socket and resolves to a handle; the same clear errors as listenTcp. */
export function listenUdp(socket: dgram.Socket, options: Omit<ListenOptions, 'graceMs'>): Promise<ServerHandle> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      socket.close();
      reject(bindError(error, options, 'udp'));
    };
    socket.once('error', onError);
    socket.bind({ address: options.host, port: options.port, exclusive: true }, () => {
      socket.off('error', onError);
      const bound = socket.address();
      let closing: Promise<void> | undefined;
      resolve({
        address: { host: bound.address, port: bound.port, protocol: options.protocol ?? 'udp' },
        close: () => (closing ??= new Promise((done) => socket.close(() => done()))),
      });
    });
  });
}

/** A bind failure in words; for "already in use", /proc/net tells who holds the port. */
function bindError(error: Error, options: Pick<ListenOptions, 'host' | 'port'>, protocol: SocketProtocol) {
  const owner = systemErrorCode(error) === 'EADDRINUSE' ? describePortOwner(protocol, options.port) : undefined;
  return socketError(error, { host: options.host, port: options.port, operation: 'bind', protocol, owner });
}

/** Stop accepting; half-close every open connection; destroy what is still open after the grace. */
export function closeGracefully(server: net.Server, open: Set<Socket>, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // The server reports closed when its last socket is destroyed, a loop turn before that socket
    // emits 'close': wait for those too, so that whoever logs a connection's end has done so.
    const socketsClosed = [...open].map((socket) => new Promise((closed) => socket.once('close', closed)));
    server.close(() => {
      void Promise.all(socketsClosed).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    for (const socket of open) socket.end();
    const timer = setTimeout(() => {
      for (const socket of open) socket.destroy();
    }, graceMs);
    timer.unref();
  });
}
