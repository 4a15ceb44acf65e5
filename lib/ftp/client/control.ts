// The control connection (the protocol interpreter, RFC 959 §3.1): one TCP connection that
// carries commands and replies as lines, with a timeout on every wait and an optional TLS upgrade.

import net from 'node:net';
import tls from 'node:tls';
import { NetlabError } from '../../errors.ts';
import { visibleControls } from '../../text.ts';
import { socketError, timeoutError } from '../../net/errors.ts';
import { formatAddress } from '../../services/handle.ts';
import { ReplyParser, type FtpReply } from './reply.ts';

export type TraceDirection = 'sent' | 'received' | 'note';
/** Receives every line of the dialogue (passwords already masked) and notes about the data connections. */
export type TraceSink = (direction: TraceDirection, line: string) => void;

export interface ControlOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  replyTimeoutMs: number;
  signal?: AbortSignal;
  trace?: TraceSink;
}

export interface TlsUpgradeOptions {
  /** The name the certificate must carry (the host of the URL). */
  servername: string;
  /** False with --insecure: a self-signed certificate is accepted. */
  rejectUnauthorized: boolean;
}

const maxQueuedReplies = 64;

export class ControlConnection {
  private socket: net.Socket;
  private readonly parser = new ReplyParser();
  private readonly queue: FtpReply[] = [];
  private waiter: { resolve(reply: FtpReply): void; reject(error: Error): void } | undefined;
  private failure: NetlabError | undefined;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  /** The TLS session of the control connection, offered again on data connections (RFC 4217 §10.2). */
  tlsSession: Buffer | undefined;

  private readonly options: ControlOptions;

  private constructor(socket: net.Socket, options: ControlOptions) {
    this.options = options;
    this.socket = socket;
    this.listen(socket);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Connects and reads the greeting (RFC 959 §5.4: 120 "ready in n minutes" is followed by 220). */
  static async open(options: ControlOptions): Promise<{ control: ControlConnection; greeting: FtpReply }> {
    const socket = await connectTcp(options.host, options.port, options.connectTimeoutMs, options.signal);
    const control = new ControlConnection(socket, options);
    options.trace?.('note', `connected to ${formatAddress({ host: socket.remoteAddress ?? options.host, port: options.port })}`);
    let greeting = await control.nextReply('the greeting');
    while (greeting.code === 120) greeting = await control.nextReply('the greeting');
    return { control, greeting };
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? this.options.host;
  }

  get localAddress(): string {
    return this.socket.localAddress ?? '';
  }

  get isTls(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  get endpoint(): string {
    return formatAddress({ host: this.options.host, port: this.options.port });
  }

  /** Sends one command line. CR and LF inside it are refused: they would smuggle in a second command. */
  send(command: string): void {
    if (/[\r\n]/.test(command)) {
      throw new NetlabError('E_INPUT', `an FTP command cannot contain a line break: ${JSON.stringify(command)}`);
    }
    if (this.failure) throw this.failure;
    this.options.trace?.('sent', command.startsWith('PASS ') ? 'PASS ****' : command);
    this.socket.write(`${command}\r\n`);
  }

  /** Sends a command and resolves to its reply (preliminary replies included: the caller decides). */
  async command(command: string): Promise<FtpReply> {
    this.send(command);
    return this.nextReply(command.startsWith('PASS ') ? 'PASS' : command);
  }

  /** The next reply, waiting at most the reply timeout (or `timeoutMs`). */
  nextReply(waitingFor: string, timeoutMs = this.options.replyTimeoutMs): Promise<FtpReply> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const seconds = timeoutMs / 1000;
        this.fail(
          new NetlabError('E_TIMEOUT', `the FTP server at ${this.endpoint} did not answer ${waitingFor} within ${seconds} s`, {
            hint: 'the server may be overloaded or not an FTP server; raise --timeout to wait longer',
          }),
        );
      }, timeoutMs);
      this.waiter = {
        resolve: (reply) => (clearTimeout(timer), resolve(reply)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
    });
  }

  /** RFC 4217 §4: after "234" to AUTH TLS, the client starts the TLS handshake on the same socket. */
  async upgradeToTls(options: TlsUpgradeOptions): Promise<void> {
    const plain = this.socket;
    plain.off('data', this.onData);
    const secure = tls.connect({ socket: plain, servername: net.isIP(options.servername) ? undefined : options.servername, rejectUnauthorized: options.rejectUnauthorized });
    secure.on('session', (session: Buffer) => (this.tlsSession = session));
    await handshake(secure, this.options.replyTimeoutMs, this.endpoint);
    this.socket = secure;
    this.listen(secure);
    this.options.trace?.('note', `TLS ${secure.getProtocol() ?? ''} ${secure.getCipher().name} established`);
  }

  /** Closes at once (QUIT, if wanted, is the client's business). Safe to call twice. */
  close(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.failure ??= new NetlabError('E_NETWORK', `the FTP connection to ${this.endpoint} is closed`);
    this.socket.destroy();
  }

  private listen(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('error', (error) => this.fail(socketError(error, { host: this.options.host, port: this.options.port, operation: 'receive' })));
    socket.on('close', () =>
      this.fail(
        new NetlabError('E_CONN_RESET', `the FTP server at ${this.endpoint} closed the control connection`, {
          hint: 'it may have timed us out or refused too many connections; --trace shows the last replies',
        }),
      ),
    );
  }

  private receive(chunk: Buffer): void {
    let replies: FtpReply[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      this.fail(error as NetlabError);
      return;
    }
    for (const reply of replies) {
      for (const line of reply.lines) this.options.trace?.('received', visibleControls(line));
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter) waiter.resolve(reply);
      else this.queue.push(reply);
      // At most a few replies run ahead of us (226 before the data ends); a flood is a broken or hostile server.
      if (this.queue.length > maxQueuedReplies) {
        this.fail(new NetlabError('E_PROTOCOL', `the FTP server at ${this.endpoint} sent more than ${maxQueuedReplies} replies nobody asked for`));
        return;
      }
    }
  }

  private readonly onAbort = () => this.fail(new NetlabError('E_INTERRUPTED', 'interrupted'));

  private fail(error: NetlabError): void {
    if (!this.failure) {
      this.failure = error;
      this.socket.destroy();
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failure);
  }
}

/** A TCP connection with a connect timeout, errors in plain words, and Ctrl-C honoured. */
export function connectTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal, bufferSize?: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    // Socket passes stream options through to Duplex; @types/node does not list them.
    const socket = net.connect({ host, port, readableHighWaterMark: bufferSize, writableHighWaterMark: bufferSize } as net.NetConnectOpts);
    const settle = (error?: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', settle);
      if (!error) return resolve(socket);
      socket.destroy();
      reject(error instanceof NetlabError ? error : socketError(error, { host, port, operation: 'connect' }));
    };
    const onAbort = () => settle(new NetlabError('E_INTERRUPTED', 'interrupted'));
    const timer = setTimeout(() => settle(timeoutError({ host, port, operation: 'connect' }, timeoutMs / 1000)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => settle());
    socket.once('error', settle);
  });
}

/** Waits for a TLS client handshake, at most `timeoutMs` (a server that never answers the ClientHello). */
export function handshake(secure: tls.TLSSocket, timeoutMs: number, endpoint: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => secure.destroy(new Error(`no TLS handshake within ${timeoutMs / 1000} s`)), timeoutMs);
    secure.once('secureConnect', () => (clearTimeout(timer), resolve()));
    secure.once('error', (error) => (clearTimeout(timer), reject(tlsError(error, endpoint))));
  });
}

/** A failed TLS handshake: a certificate we do not trust is the usual cause in a lab. */
function tlsError(error: Error, endpoint: string): NetlabError {
  const code = (error as { code?: string }).code ?? '';
  const untrusted = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/.test(code);
  return new NetlabError('E_PROTOCOL', `TLS with ${endpoint} failed: ${error.message}`, {
    cause: error,
    hint: untrusted ? 'the server’s certificate is not trusted; --insecure accepts a self-signed one (lab use only)' : 'check that the server supports AUTH TLS',
  });
}
