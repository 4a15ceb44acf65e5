// TCP for the sockets lab: an echo (or fixed-reply) server that reports every connection and how
// it ended (FIN or reset), and a client whose every step (connect, bytes, FIN) can be traced.

import net from 'node:net';
import type { Logger } from 'pino';
import { NetlabError } from '../errors.ts';
import { silentLog } from '../services/log.ts';
import { formatAddress, type ServerHandle } from '../services/handle.ts';
import { socketError, timeoutError } from './errors.ts';
import { listenTcp } from './listen.ts';
import { readIntoBuffer } from './_read-buffer.ts';

/** How a connection ended: the peer's FIN (orderly close), a reset (RST), or our own close. */
export type CloseKind = 'fin' | 'reset' | 'server';

export type TcpServerEvent =
  | { type: 'connect'; client: string; open: number }
  | { type: 'data'; client: string; data: Buffer }
  | { type: 'close'; client: string; how: CloseKind; bytesIn: number; bytesOut: number; ms: number }
  | { type: 'refused'; client: string; max: number };

export interface TcpServerOptions {
  host: string;
  port: number;
  /** Answer each line received with this text (the lab's "OK"); without it the server echoes. */
  reply?: string;
  /** Connections served at once; one more is told so and closed. */
  maxConnections?: number;
  log?: Logger;
  onEvent?: (event: TcpServerEvent) => void;
  /** On close, how long open connections may finish before they are cut. */
  graceMs?: number;
}

/** The line a client over --max-connections receives before the server closes it. */
export function refusalLine(max: number): string {
  return `busy: the server already has ${max} connection${max === 1 ? '' : 's'} open (--max-connections); try again later\n`;
}

export async function startTcpServer(options: TcpServerOptions): Promise<ServerHandle> {
  const log = options.log ?? silentLog;
  const emit = options.onEvent ?? (() => undefined);
  let open = 0;
  // allowHalfOpen: after the client's FIN we may still write (the last reply), then send our FIN.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const client = formatAddress({ host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 });
    socket.on('error', () => undefined); // reported through 'close' below
    if (options.maxConnections !== undefined && open >= options.maxConnections) {
      log.warn({ client, open, max: options.maxConnections }, 'refused: too many connections');
      emit({ type: 'refused', client, max: options.maxConnections });
      socket.end(refusalLine(options.maxConnections));
      socket.resume(); // discard what it sends, so that its FIN is read and the socket closes
      socket.setTimeout(5_000, () => socket.destroy());
      return;
    }
    open++;
    const started = performance.now();
    log.info({ client, open }, 'connect');
    emit({ type: 'connect', client, open });
    let sawFin = false;
    let sawReset = false;
    let serverClosedFirst = false;
    socket.once('end', () => (sawFin = true));
    socket.once('finish', () => (serverClosedFirst = !sawFin)); // our FIN went out before theirs came
    socket.once('error', (error: NodeJS.ErrnoException) => (sawReset = error.code === 'ECONNRESET' || error.code === 'EPIPE'));
    const onData = options.onEvent && ((data: Buffer) => emit({ type: 'data', client, data }));
    if (options.reply !== undefined) {
      if (onData) socket.on('data', onData);
      answerEachLine(socket, `${options.reply}\n`);
    } else if (!echoFromOneBuffer(socket, onData)) {
      if (onData) socket.on('data', onData);
      socket.pipe(socket); // where net's onread cannot be set
    }
    socket.once('close', () => {
      open--;
      const how: CloseKind = sawReset ? 'reset' : sawFin && !serverClosedFirst ? 'fin' : 'server';
      const summary = { client, how, bytesIn: socket.bytesRead, bytesOut: socket.bytesWritten, ms: Math.round(performance.now() - started) };
      log.info(summary, 'close');
      emit({ type: 'close', ...summary });
    });
  });
  return listenTcp(server, { host: options.host, port: options.port, protocol: 'tcp', graceMs: options.graceMs });
}

/**
 * Bytes one read may bring: 1 MiB, where net's own reads stop at 64 KiB. allocUnsafe: no zeroing;
 * a fresh block's pages come from the kernel only as reads fill them, though a reused one may
 * already be resident, so count up to 1 MiB per connection (--max-connections bounds them).
 */
const echoBufferSize = 2 ** 20;

/**
 * The echo: each read lands in one 1 MiB buffer of this connection's, and goes straight back out
 * from it; reading stops until the kernel has taken the whole write (so the buffer is never
 * overwritten while a write still needs it, and a client that does not read is not outpaced:
 * backpressure). Against socket.pipe(socket), which reads 64 KiB at a time into a new Buffer each
 * time, it halves the server's CPU per GB echoed (0.34 s against 0.84-1.10 s of user + system
 * time, /proc, 512 MiB through each). False where net's onread cannot be set (see _read-buffer.ts).
 */
function echoFromOneBuffer(socket: net.Socket, onData?: (data: Buffer) => void): boolean {
  const buffer = Buffer.allocUnsafe(echoBufferSize);
  const resume = () => socket.resume();
  const echo = (count: number) => {
    // The event gets its own copy: the buffer is reused by the next read.
    onData?.(Buffer.from(buffer.subarray(0, count)));
    socket.write(buffer.subarray(0, count), resume);
    return socket.writableLength === 0; // all taken now; else wait for the write's callback
  };
  if (!readIntoBuffer(socket, buffer, echo)) return false;
  socket.on('end', () => socket.end());
  return true;
}

/** One reply per line received; a last line without its newline is answered at the client's FIN. */
function answerEachLine(socket: net.Socket, reply: string): void {
  let pendingPartialLine = false;
  socket.on('data', (data: Buffer) => {
    let newlines = 0;
    for (let at = data.indexOf(10); at !== -1; at = data.indexOf(10, at + 1)) newlines++;
    // A client that sends without reading must not make us queue replies without bound.
    if (newlines > 0 && !socket.write(reply.repeat(newlines))) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
    pendingPartialLine = data[data.length - 1] !== 10;
  });
  socket.on('end', () => (pendingPartialLine ? socket.end(reply) : socket.end()));
}

export type TcpClientEvent =
  | { type: 'connect'; local: string; remote: string }
  | { type: 'sent'; data: Buffer }
  | { type: 'received'; data: Buffer }
  | { type: 'fin-sent' }
  | { type: 'fin-received' }
  | { type: 'reset' }
  | { type: 'closed' };

export interface TcpClientOptions {
  host: string;
  port: number;
  /** Give up connecting after this long. */
  connectTimeoutMs: number;
  signal?: AbortSignal;
  onEvent?: (event: TcpClientEvent, at: Date) => void;
}

/** A client connection whose every step is reported through onEvent. */
export class TcpConnection {
  /** Resolves when the connection is fully closed: 'fin' when the server closed it in order. */
  readonly closed: Promise<CloseKind>;
  /**
   * Resolves as soon as nothing more can arrive: the server's FIN came (its side is closed, ours
   * may still be open: allowHalfOpen), or the connection is gone. An interactive client stops here.
   */
  readonly ended: Promise<void>;

  private readonly socket: net.Socket;
  private readonly emit: (event: TcpClientEvent) => void;

  private constructor(socket: net.Socket, emit: (event: TcpClientEvent) => void) {
    this.socket = socket;
    this.emit = emit;
    let how: CloseKind = 'server';
    socket.on('data', (data: Buffer) => emit({ type: 'received', data }));
    socket.on('end', () => {
      how = 'fin';
      emit({ type: 'fin-received' });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        how = 'reset';
        emit({ type: 'reset' });
      }
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        emit({ type: 'closed' });
        resolve(how);
      }),
    );
    this.ended = Promise.race([new Promise<void>((resolve) => socket.once('end', resolve)), this.closed.then(() => undefined)]);
  }

  static async connect(options: TcpClientOptions): Promise<TcpConnection> {
    const emit = (event: TcpClientEvent) => options.onEvent?.(event, new Date());
    const context = { host: options.host, port: options.port, operation: 'connect', protocol: 'tcp' } as const;
    // allowHalfOpen: our FIN ends what we send, and we keep reading until the server's FIN.
    const socket = net.connect({ host: options.host, port: options.port, allowHalfOpen: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(error);
      };
      const onAbort = () => fail(new NetlabError('E_INTERRUPTED', 'interrupted while connecting'));
      const timer = setTimeout(() => fail(timeoutError(context, options.connectTimeoutMs / 1000)), options.connectTimeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (error) => fail(socketError(error, context)));
      socket.once('connect', () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        resolve();
      });
    });
    emit({
      type: 'connect',
      local: formatAddress({ host: socket.localAddress ?? '?', port: socket.localPort ?? 0 }),
      remote: formatAddress({ host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 }),
    });
    return new TcpConnection(socket, emit);
  }

  /** Sends bytes; resolves once the kernel has taken them. */
  send(data: Buffer | string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    return new Promise((resolve, reject) => {
      if (this.socket.writableEnded || this.socket.destroyed) {
        reject(socketError(Object.assign(new Error('connection closed'), { code: 'EPIPE' }), this.context('send')));
        return;
      }
      this.socket.write(bytes, (error) => {
        if (error) reject(socketError(error, this.context('send')));
        else {
          this.emit({ type: 'sent', data: bytes });
          resolve();
        }
      });
    });
  }

  /** Half-closes: sends our FIN ("I have nothing more to say") and keeps reading the answers. */
  finish(): void {
    if (this.socket.writableEnded || this.socket.destroyed) return;
    this.socket.end(() => this.emit({ type: 'fin-sent' }));
  }

  /** Waits for the server to close; after `timeoutMs` closes it ourselves and says 'server' did not. */
  async waitClosed(timeoutMs: number): Promise<CloseKind | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([this.closed, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') this.destroy();
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private context(operation: 'send' | 'receive') {
    return { host: this.socket.remoteAddress ?? '?', port: this.socket.remotePort ?? 0, operation, protocol: 'tcp' } as const;
  }
}
