// One control connection, hardened around ftp-srv's: bounded command lines read in order (ftp-srv
// splits each TCP chunk on its own), an idle timeout, login-failure limits, one log line per command.

import type { RequestLog } from '../../services/log.ts';
import { parseCommandLine } from './command-line.ts';
import { overrides, type LogFields } from './commands.ts';
import type { DataChannelOptions } from './data-channel.ts';
import { NoDataChannel } from './data-channel.ts';
import { takeOverCommandReader, type Connection, type FtpCommand } from './ftp-srv-adapter.ts';
import { makeReply } from './reply.ts';

export interface SessionOptions {
  log: RequestLog;
  data: DataChannelOptions;
  passiveAddress?: string;
  /** The clock LIST judges "the last six months" by. */
  now: () => number;
  /** A control connection with no command for this long is closed (a transfer counts as activity). */
  idleTimeoutMs: number;
  /** Longest command line accepted (vsftpd's limit is 4096 too). */
  maxLineBytes: number;
  /** Failed logins before the connection is closed. */
  maxLoginFailures: number;
}

/** Pending commands before we stop reading the socket (a client that pipelines without limit). */
const maxPendingLines = 32;

/**
 * One control connection, taken over from ftp-srv at its 'connect' event (before the greeting):
 * the state below is all a session keeps between commands.
 */
export class Session {
  private readonly connection: Connection;
  private readonly options: SessionOptions;
  /** "address:port", for the log. */
  private readonly client: string;
  /** Whether the per-command info line is wanted (its fields cost time on a hot path). */
  private readonly logging: boolean;
  /** Bytes of a command line whose LF has not come yet. */
  private pending: Buffer = Buffer.alloc(0);
  /** Commands read and not yet answered; beyond maxPendingLines the socket is paused. */
  private queued = 0;
  /** Commands run one at a time, in the order they came. */
  private queue: Promise<void> = Promise.resolve();
  /** The running transfer (RETR, STOR, LIST…), which ABOR stops. */
  private transfer: AbortController | undefined;
  /** ABOR came while a transfer ran: the transfer answers 426, then ABOR 226. */
  private aborted = false;
  private loginFailures = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The code of the latest reply, for the command's log line. */
  private lastCode: number | undefined;
  private closed = false;

  constructor(connection: Connection, options: SessionOptions) {
    this.connection = connection;
    this.options = options;
    const socket = connection.commandSocket;
    this.client = `${socket.remoteAddress}:${socket.remotePort}`;
    this.logging = options.log.isLevelEnabled('info');
    connection.connector = new NoDataChannel();

    // Every reply passes here, so the log line can say how a command ended.
    const reply = makeReply(connection);
    connection.reply = (settings: number | { code?: number }, ...letters: unknown[]) => {
      const code = typeof settings === 'number' ? settings : settings?.code;
      if (code) this.lastCode = code;
      return reply(settings, ...letters);
    };

    // Replies are small and come in pairs (150 … 226): without TCP_NODELAY, Nagle holds the second
    // until the client's delayed ACK (40 ms), which caps a small-file client at ~25 files/s.
    socket.setNoDelay(true);
    takeOverCommandReader(connection, this.onData);
    // A client may send its commands and half-close at once (`printf 'USER …\r\nQUIT\r\n' | nc`):
    // every command read before its FIN is still answered, then our side closes. Node would end
    // the socket at the FIN (allowHalfOpen false), and the replies after it were lost.
    socket.allowHalfOpen = true;
    socket.once('end', () => {
      this.queue = this.queue.then(() => void (socket.destroyed || socket.end()));
    });
    socket.once('close', () => {
      this.closed = true;
      clearTimeout(this.idleTimer);
      this.transfer?.abort();
    });
    this.armIdleTimer();
  }

  /** One timer per connection, pushed back on each command (refresh, not a new timer each time). */
  private armIdleTimer(): void {
    if (this.idleTimer) return void this.idleTimer.refresh();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.transfer) return this.armIdleTimer(); // the control connection is quiet while data flows
      this.options.log.info({ client: this.client, user: this.connection.username, event: 'idle-timeout' }, 'idle client disconnected');
      void this.connection.close(421, `Timeout (${Math.round(this.options.idleTimeoutMs / 1000)} s): closing control connection`);
    }, this.options.idleTimeoutMs);
  }

  /** Command lines end at LF (a CR before it goes too), each at most maxLineBytes. */
  private readonly onData = (chunk: Buffer): void => {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (let end = this.pending.indexOf(10); end >= 0; end = this.pending.indexOf(10)) {
      const line = this.pending.subarray(0, end > 0 && this.pending[end - 1] === 13 ? end - 1 : end);
      this.pending = this.pending.subarray(end + 1);
      if (line.length > this.options.maxLineBytes) return this.refuseLongLine();
      this.accept(withoutTelnetSignals(line).toString(this.connection.encoding));
    }
    if (this.pending.length > this.options.maxLineBytes) this.refuseLongLine();
  };

  private refuseLongLine(): void {
    this.connection.commandSocket.off('data', this.onData);
    this.pending = Buffer.alloc(0);
    this.options.log.warn({ client: this.client, event: 'line-too-long', limit: this.options.maxLineBytes }, 'command line too long');
    void this.connection.reply(500, `Command line too long (limit ${this.options.maxLineBytes} bytes)`).then(() => this.connection.close(0));
  }

  private accept(line: string): void {
    if (line.trim() === '') return;
    this.armIdleTimer();
    // ABOR must act while RETR/STOR still runs, not after it (RFC 959 §4.1.3).
    if (/^\s*ABOR\s*$/i.test(line) && this.transfer) {
      this.aborted = true;
      this.transfer.abort();
    }
    const socket = this.connection.commandSocket;
    if (++this.queued > maxPendingLines) socket.pause();
    this.queue = this.queue
      .then(() => this.run(line))
      .finally(() => {
        if (--this.queued <= maxPendingLines / 2 && !this.closed) socket.resume();
      });
  }

  private async run(line: string): Promise<void> {
    if (this.closed) return;
    const started = performance.now();
    const command = parseCommandLine(line);
    this.lastCode = undefined;
    let fields: LogFields | void = undefined;
    try {
      fields = await this.dispatch(command);
    } catch (error) {
      this.options.log.error({ client: this.client, command: command.directive, err: error }, 'command failed');
      await this.connection.reply(451, 'Local error in processing');
    }
    if (command.directive === 'ABOR') this.aborted = false;
    if (command.directive === 'PASS') this.afterPassword();
    if (!this.logging) return;
    this.options.log.info(
      {
        client: this.client,
        user: this.connection.authenticated ? this.connection.username : undefined,
        command: command.directive,
        arg: command.directive === 'PASS' ? '***' : command.arg ?? undefined,
        code: this.lastCode,
        ms: Math.round(performance.now() - started),
        ...fields,
      },
      command.directive,
    );
  }

  /** Our handler for the command (commands.ts), or ftp-srv's. */
  private async dispatch(command: FtpCommand): Promise<LogFields | void> {
    const { connection, options } = this;
    const override = overrides[command.directive];
    if (!override) return void (await connection.commands.handle(command));
    if (override.auth && !connection.authenticated) return void (await connection.reply(530, 'Please log in with USER and PASS first'));
    return override.run({
      connection,
      command,
      data: options.data,
      passiveAddress: options.passiveAddress,
      now: options.now,
      onTransfer: (controller) => {
        this.transfer = controller;
        this.armIdleTimer();
      },
      abortedTransfer: () => this.aborted,
      fallback: () => connection.commands.handle(command),
    });
  }

  private afterPassword(): void {
    const { connection, options } = this;
    if (connection.authenticated) return;
    connection.username = undefined; // USER may be sent again
    if (++this.loginFailures >= options.maxLoginFailures) {
      options.log.warn({ client: this.client, event: 'login-failures', failures: this.loginFailures }, 'too many failed logins');
      void connection.close(421, 'Too many failed logins');
    }
  }
}

/**
 * Clients may send ABOR behind the Telnet "Interrupt Process" and "Synch" signals (RFC 959
 * §4.1.3: IAC IP, then IAC DM as urgent data, which the kernel takes out of the stream): lftp's
 * ABOR arrives as FF F4 FF "ABOR". The signals go; the command stays.
 */
function withoutTelnetSignals(line: Buffer): Buffer {
  const IAC = 0xff;
  let start = 0;
  while (line[start] === IAC) start += line[start + 1] >= 0xf0 && line[start + 1] < IAC ? 2 : 1;
  return start === 0 ? line : line.subarray(start);
}
