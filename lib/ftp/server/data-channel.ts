// The data connection (RFC 959 §3.2), replacing ftp-srv's connectors, which poll every 50–250 ms
// for the socket: passive (we listen) and active (we connect), both event-driven, both timed out.

import { readFileSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { FtpReplyError } from './filesystem.ts';
import { Bluebird, type Connection, type DataConnector } from './ftp-srv-adapter.ts';

export interface DataChannelOptions {
  /** How long to wait for the data connection, and how long it may stall once open. */
  timeoutMs: number;
  /** The FTPS certificate: once the control connection is secure, data connections are TLS too. */
  tls?: tls.SecureContextOptions;
  /** Passive ports: [min, max], or undefined for any port the system gives. */
  portRange?: [number, number];
}

/** Who is at the other end of the control connection, without IPv4-mapped IPv6 noise. */
export function plainAddress(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

export abstract class DataChannel implements DataConnector {
  abstract type: 'passive' | 'active';
  protected readonly connection: Connection;
  protected readonly options: DataChannelOptions;
  protected dataSocket: Socket | null = null;
  private ready?: Promise<Socket>;

  constructor(connection: Connection, options: DataChannelOptions) {
    this.connection = connection;
    this.options = options;
  }

  get socket(): Socket | null {
    return this.dataSocket;
  }

  /** Resolves with the open (and, under FTPS, secured) data socket. */
  connected(): Promise<Socket> {
    this.ready ??= this.establish();
    return this.ready;
  }

  /** connected(), as a bluebird promise: ftp-srv's LIST chains bluebird's methods on it. */
  waitForConnection(): Promise<Socket> {
    return Bluebird.resolve(this.connected());
  }

  /**
   * For an upload: the same connection as a socket that reads straight into `buffer` (up to its
   * size per read, no allocation per chunk) and hands each read to `onRead`, which must consume it
   * before returning. Undefined when that is not possible (TLS, or bytes already read): use the stream.
   */
  readInto(buffer: Buffer, onRead: (bytes: number, buffer: Buffer) => void): Socket | undefined {
    const socket = this.dataSocket as (Socket & { _handle?: object | null }) | null;
    if (!socket?._handle || socket instanceof tls.TLSSocket || socket.readableLength > 0 || socket.readableEnded) return undefined;
    // A user buffer can only be given when a socket is made (net.Socket's onread), so the handle
    // moves to a new socket; the old one, without a handle, is left to the garbage collector.
    const handle = socket._handle;
    socket._handle = null;
    socket.setTimeout(0);
    socket.removeAllListeners();
    return this.watch(new net.Socket({ handle, readable: true, writable: true, onread: { buffer, callback: onRead } } as net.SocketConstructorOpts));
  }

  /** Closes the data connection (after flushing what was written) and forgets it. */
  end(): void {
    const socket = this.dataSocket;
    this.dataSocket = null;
    // Already flushed and half-closed (a small RETR): nothing left to wait for, no timer to arm.
    if (socket?.writableFinished) socket.destroy();
    else if (socket && !socket.destroyed) {
      socket.end(() => socket.destroy());
      setTimeout(() => socket.destroy(), this.options.timeoutMs).unref();
    }
    this.release();
    if (this.connection.connector === this) this.connection.connector = new NoDataChannel();
  }

  protected abstract establish(): Promise<Socket>;
  protected release(): void {}

  /**
   * Takes a data connection in hand the moment it is made (accepted or connected), used by a
   * transfer or not: end() closes it, a stalled peer is timed out, and its errors are reported by
   * the transfer that uses it, never as an unhandled 'error' event (a client may reset it first).
   *
   * Under FTPS the data connection is TLS too, with us as the TLS server (RFC 4217 §7). Clients
   * (ftplib, curl) start the handshake only after our 150 reply, so the socket is handed over at
   * once: what is written before the handshake ends waits in the TLS socket.
   */
  protected adopt(plain: Socket): Socket {
    plain.on('error', () => {});
    if (!this.connection.secure || !this.options.tls) return this.watch(plain);
    const secured = new tls.TLSSocket(plain, { isServer: true, secureContext: tls.createSecureContext(this.options.tls) });
    endAfterHandshake(secured);
    return this.watch(secured);
  }

  /** The channel's socket from now on: timed out when stalled, its errors left to the transfer. */
  private watch(socket: Socket): Socket {
    socket.on('error', () => {});
    socket.setTimeout(this.options.timeoutMs, () => socket.destroy(new FtpReplyError('Data connection timed out', 426)));
    this.dataSocket = socket;
    return socket;
  }
}

/** PASV/EPSV: listen on the control connection's local address; accept one connection, from the client's address only. */
export class PassiveChannel extends DataChannel {
  type = 'passive' as const;
  private server?: net.Server;

  private accepted?: Promise<Socket>;

  /** Listens, starts accepting at once (clients connect right after 227/229), resolves to the port. */
  async listen(): Promise<number> {
    const host = plainAddress(this.connection.commandSocket.localAddress);
    // noDelay: TCP_NODELAY is set by the accept itself, as for an active connection by its connect.
    const server = net.createServer({ noDelay: true });
    this.server = server;
    server.on('error', () => {});
    for (const port of candidatePorts(this.options.portRange)) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port, exclusive: true }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        this.accepted = this.accept(server);
        this.accepted.catch(() => {}); // reported when a transfer waits for it
        return port || (server.address() as net.AddressInfo).port;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
    throw new FtpReplyError('No free passive port in the configured range', 425);
  }

  protected establish(): Promise<Socket> {
    return this.accepted ?? Promise.reject(new FtpReplyError('Use PASV or EPSV first', 425));
  }

  private accept(server: net.Server): Promise<Socket> {
    const client = plainAddress(this.connection.commandSocket.remoteAddress);
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        this.release();
        reject(new FtpReplyError('No data connection was made in time', 425));
      }, this.options.timeoutMs);
      // A channel dropped unused (new PASV, QUIT, shutdown) must not keep its timer running.
      server.once('close', () => {
        clearTimeout(timer);
        if (!settled) reject(new FtpReplyError('No data connection was made', 425));
      });
      server.on('connection', (socket: Socket) => {
        // Someone else racing to our port gets nothing (the "PASV theft" of RFC 2577 §5).
        if (plainAddress(socket.remoteAddress) !== client) {
          this.connection.log.warn({ from: socket.remoteAddress, expected: client }, 'passive connection from a stranger refused');
          socket.destroy();
          return;
        }
        settled = true;
        clearTimeout(timer);
        this.release();
        resolve(this.adopt(socket));
      });
    });
  }

  protected override release(): void {
    this.server?.close();
    this.server = undefined;
  }
}

/** PORT/EPRT: connect to the client when a transfer starts (the address was checked by the caller). */
export class ActiveChannel extends DataChannel {
  type = 'active' as const;
  private readonly target: { host: string; port: number };

  constructor(connection: Connection, options: DataChannelOptions, target: { host: string; port: number }) {
    super(connection, options);
    this.target = target;
  }

  protected establish(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.target.host, port: this.target.port, noDelay: true });
      socket.setTimeout(this.options.timeoutMs, () => socket.destroy(new FtpReplyError('Cannot open data connection: timed out', 425)));
      socket.once('error', () => reject(new FtpReplyError("Can't open data connection", 425)));
      socket.once('connect', () => {
        socket.setTimeout(0);
        resolve(this.adopt(socket));
      });
    });
  }
}

/** Before PASV/PORT, and after each transfer. */
export class NoDataChannel implements DataConnector {
  type = false as const;
  readonly socket = null;
  waitForConnection(): Promise<Socket> {
    return Bluebird.resolve(Promise.reject(new FtpReplyError('Use PORT, EPRT, PASV or EPSV first', 425)));
  }
  end(): void {}
}

/**
 * A TLS socket ended before the client's handshake is done would cut the handshake: what is
 * written waits for it, but an end with nothing written before it (an empty file, a REST at the
 * end) does not. So end() waits for the handshake, or for the socket's failure (then it reports
 * the error to its callback, as any end on a closed socket).
 */
function endAfterHandshake(socket: tls.TLSSocket): void {
  let handshaken = false;
  socket.once('secure', () => (handshaken = true));
  const end = socket.end.bind(socket) as (...args: unknown[]) => tls.TLSSocket;
  socket.end = ((...args: unknown[]) => {
    if (handshaken || socket.destroyed) return end(...args);
    let ended = false;
    const endNow = () => {
      if (ended) return;
      ended = true;
      socket.off('secure', endNow);
      socket.off('close', endNow);
      end(...args);
    };
    socket.once('secure', endNow);
    socket.once('close', endNow);
    return socket;
  }) as typeof socket.end;
}

/**
 * Random tries in the configured range; without one, random tries in the system's ephemeral range
 * first, as vsftpd does, then port 0. Binding port 0 makes the kernel search for a free port, which
 * grows slow with thousands of TIME_WAIT connections (a small-file client leaves one per file):
 * 5.5 of 8.8 s in bind() in one profiled run of 3,000 RETRs.
 */
function* candidatePorts(range: [number, number] | undefined): Generator<number> {
  const [min, max] = range ?? ephemeralPorts;
  for (let attempt = 0; attempt < 50; attempt++) yield min + Math.floor(Math.random() * (max - min + 1));
  if (!range) yield 0;
}

/** Linux's ip_local_port_range, read once (the usual 32768–60999 elsewhere). */
const ephemeralPorts = ((): [number, number] => {
  try {
    const [min, max] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (min >= 1024 && max >= min && max <= 65535) return [min, max];
  } catch {
    // not Linux
  }
  return [32768, 60999];
})();
