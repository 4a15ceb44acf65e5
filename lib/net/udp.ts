// UDP for the sockets lab: a server that reports (and optionally echoes) every datagram, and a
// client on a *connected* socket, so that an ICMP "port unreachable" comes back as an error.

import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import util from 'node:util';
import type { Logger } from 'pino';
import { NetlabError } from '../errors.ts';
import { Paced } from '../paced.ts';
import { silentLog } from '../services/log.ts';
import { formatAddress, type ServerHandle } from '../services/handle.ts';
import { socketError, timeoutError } from './errors.ts';
import { listenUdp } from './listen.ts';
import { readInBatches } from './_udp-batch.ts';

export interface Datagram {
  from: { host: string; port: number };
  data: Buffer;
  /**
   * When it was read, in milliseconds since the epoch (Date.now()). A number, not a Date: making
   * a Date object for every datagram of a flood cost 0.13–0.23 µs each in the receive path, and
   * without it bench/udp's receiver CPU per datagram went from 1.03–1.04× Python's to 0.97–1.01×.
   */
  at: number;
}

export interface UdpServerOptions {
  host: string;
  port: number;
  /** Send every datagram back to where it came from. */
  echo?: boolean;
  /** The request log: one line per datagram. */
  log?: Logger;
  /** Called for every datagram received (the script prints it). */
  onDatagram?: (datagram: Datagram) => void;
  /**
   * SO_RCVBUF in bytes (default 4 MiB). Datagrams that arrive while the buffer is full are
   * dropped by the kernel: a bigger buffer rides out the moments the process is not scheduled.
   * The kernel caps it at net.core.rmem_max (212,992 bytes by default, often raised).
   */
  receiveBufferBytes?: number;
}

const defaultReceiveBuffer = 4 * 2 ** 20;

export interface UdpServerHandle extends ServerHandle {
  /** Datagrams and bytes received so far. */
  stats(): { datagrams: number; bytes: number };
}

/** Binds and serves until close(). Any datagram is fine: empty, binary, up to 65,507 bytes. */
export async function startUdpServer(options: UdpServerOptions): Promise<UdpServerHandle> {
  const log = options.log ?? silentLog;
  const socket = dgram.createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: options.receiveBufferBytes ?? defaultReceiveBuffer });
  const counters = { datagrams: 0, bytes: 0 };
  const handle = await listenUdp(socket, { host: options.host, port: options.port, protocol: 'udp' });
  // This is the hot path of a datagram flood. The request log writes synchronously, one system
  // call a line: in a flood it keeps a line for each of the first 1,000 datagrams of a second and
  // one line counting the rest (lib/paced.ts), so that the log does not slow the receive loop.
  const logged = log.isLevelEnabled('info')
    ? new Paced<{ from: { address: string; port: number }; bytes: number }>({
        show: (datagrams) => {
          for (const { from, bytes } of datagrams) log.info({ client: formatAddress({ host: from.address, port: from.port }), bytes, echo: Boolean(options.echo) }, 'datagram');
        },
        skipped: (count) => log.info({ count }, 'datagrams not logged (a flood: more than 1,000 a second)'),
      })
    : undefined;
  const receive = (data: Buffer, rinfo: { address: string; port: number }) => {
    counters.datagrams++;
    counters.bytes += data.length;
    logged?.push({ from: rinfo, bytes: data.length });
    options.onDatagram?.({ from: { host: rinfo.address, port: rinfo.port }, data, at: Date.now() });
    // An echo to a sender that has gone away draws an ICMP error; it is logged, never fatal.
    if (options.echo) socket.send(data, rinfo.port, rinfo.address);
  };
  // recvmmsg in batches where the addon was built (lib/net/_udp-batch.ts): against one fast
  // sender it keeps up as Python's recvfrom loop does, about 1 % lost at 208 KiB where one
  // datagram per callback lost 50 % (bench/udp, docs/sockets.md).
  const stopBatches = readInBatches(socket, receive, (errno) => log.warn({ err: util.getSystemErrorName(-errno) }, 'batch read failed; reading one datagram at a time'));
  socket.on('message', receive);
  socket.on('error', (error) => log.warn({ err: error.message }, 'socket error'));
  return { ...handle, close: () => (stopBatches?.(), logged?.flush(), handle.close()), stats: () => ({ ...counters }) };
}

export interface UdpClientOptions {
  host: string;
  port: number;
  signal?: AbortSignal;
}

/**
 * A UDP client on a connected socket: it talks to one server only, and because it is connected
 * the kernel reports that server's ICMP "port unreachable" to it as ECONNREFUSED (RFC 1122 §4.1.3.3
 * asks UDP to pass ICMP errors up to the application).
 */
export class UdpClient {
  private readonly queue: Datagram[] = [];
  private failure?: Error;
  private wake?: () => void;

  private readonly socket: dgram.Socket;
  readonly server: { host: string; port: number };
  private readonly signal?: AbortSignal;

  private constructor(socket: dgram.Socket, server: { host: string; port: number }, signal?: AbortSignal) {
    this.socket = socket;
    this.server = server;
    this.signal = signal;
    socket.on('message', (data, rinfo) => {
      this.queue.push({ from: { host: rinfo.address, port: rinfo.port }, data, at: Date.now() });
      this.wake?.();
    });
    socket.on('error', (error) => {
      this.failure ??= socketError(error, { ...server, operation: 'receive', protocol: 'udp' });
      this.wake?.();
    });
  }

  static async open(options: UdpClientOptions): Promise<UdpClient> {
    const context = { host: options.host, port: options.port, operation: 'connect', protocol: 'udp' } as const;
    const resolved = await lookup(options.host).catch((error: unknown) => {
      throw socketError(error, context);
    });
    const socket = dgram.createSocket(resolved.family === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error) => reject(socketError(error, context)));
      socket.connect(options.port, resolved.address, () => resolve());
    });
    socket.removeAllListeners('error');
    return new UdpClient(socket, { host: resolved.address, port: options.port }, options.signal);
  }

  /** Our own address (the source port the server sees). */
  get local(): { host: string; port: number } {
    const { address, port } = this.socket.address();
    return { host: address, port };
  }

  async send(data: Buffer | string): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) =>
      this.socket.send(data, (error) => (error ? reject(socketError(error, { ...this.server, operation: 'send', protocol: 'udp' })) : resolve())),
    );
  }

  /** The next datagram; rejects on port unreachable, on timeout, or when the signal aborts. */
  async receive(timeoutMs: number): Promise<Datagram> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = this.queue.shift();
      if (next) return next;
      if (this.failure) throw this.failure;
      if (this.signal?.aborted) throw new NetlabError('E_INTERRUPTED', 'interrupted while waiting for a reply');
      const left = deadline - Date.now();
      if (left <= 0) throw timeoutError({ ...this.server, operation: 'receive', protocol: 'udp' }, timeoutMs / 1000);
      await this.waitForEvent(left);
    }
  }

  /** Waits up to `ms` for an ICMP error to arrive (it comes back after the datagram that caused it). */
  async settle(ms: number): Promise<void> {
    if (!this.failure) await this.waitForEvent(ms);
    if (this.failure) throw this.failure;
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private waitForEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      // After the timer, one more turn of the loop (setImmediate runs after the poll phase), so
      // that an ICMP error already queued on the socket is read even if the loop was late.
      const timer = setTimeout(() => setImmediate(done), ms);
      this.wake = done;
      this.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
