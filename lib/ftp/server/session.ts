// One control connection, hardened around ftp-srv's: bounded command lines read in order (ftp-srv
// splits each TCP chunk on its own), an idle timeout, login-failure limits, one log line per command.

import type { RequestLog } from '../../services/log.ts';
import { parseCommandLine } from './command-line.ts';
import { overrides, type LogFields } from './commands.ts';
import type { DataChannelOptions } from './data-channel.ts';
import { NoDataChannel } from './data-channel.ts';
import type { Connection, FtpCommand } from './internals.ts';
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

/** Takes over a fresh ftp-srv connection (from its 'connect' event, before the greeting). */
export function attachSession(connection: Connection, options: SessionOptions): void {
  const socket = connection.commandSocket;
  const client = `${socket.remoteAddress}:${socket.remotePort}`;
  let pending: Buffer = Buffer.alloc(0);
  let queued = 0;
  let queue: Promise<void> = Promise.resolve();
  let transfer: AbortController | undefined;
  let aborted = false;
  let failures = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let lastCode: number | undefined;
  let closed = false;
  connection.connector = new NoDataChannel();

  // Every reply passes here, so the log line can say how a command ended.
  const reply = makeReply(connection);
  connection.reply = (options: number | { code?: number }, ...letters: unknown[]) => {
    const code = typeof options === 'number' ? options : options?.code;
    if (code) lastCode = code;
    return reply(options, ...letters);
  };

  // One timer per connection, pushed back on each command (refresh, not a new timer each time).
  const armIdleTimer = () => {
    if (idleTimer) return void idleTimer.refresh();
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (transfer) return armIdleTimer(); // the control connection is quiet while data flows
      options.log.info({ client, user: connection.username, event: 'idle-timeout' }, 'idle client disconnected');
      void connection.close(421, `Timeout (${Math.round(options.idleTimeoutMs / 1000)} s): closing control connection`);
    }, options.idleTimeoutMs);
  };

  const onData = (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (let end = pending.indexOf(10); end >= 0; end = pending.indexOf(10)) {
      const line = pending.subarray(0, end > 0 && pending[end - 1] === 13 ? end - 1 : end);
      pending = pending.subarray(end + 1);
      if (line.length > options.maxLineBytes) return refuseLongLine();
      accept(withoutTelnetSignals(line).toString(connection.encoding));
    }
    if (pending.length > options.maxLineBytes) refuseLongLine();
  };

  const refuseLongLine = () => {
    socket.off('data', onData);
    pending = Buffer.alloc(0);
    options.log.warn({ client, event: 'line-too-long', limit: options.maxLineBytes }, 'command line too long');
    void connection.reply(500, `Command line too long (limit ${options.maxLineBytes} bytes)`).then(() => connection.close(0));
  };

  const accept = (line: string) => {
    if (line.trim() === '') return;
    armIdleTimer();
    // ABOR must act while RETR/STOR still runs, not after it (RFC 959 §4.1.3).
    if (/^\s*ABOR\s*$/i.test(line) && transfer) {
      aborted = true;
      transfer.abort();
    }
    if (++queued > maxPendingLines) socket.pause();
    queue = queue.then(() => run(line)).finally(() => {
      if (--queued <= maxPendingLines / 2 && !closed) socket.resume();
    });
  };

  const logging = options.log.isLevelEnabled('info');
  const run = async (line: string) => {
    if (closed) return;
    const started = performance.now();
    const command = parseCommandLine(line);
    lastCode = undefined;
    let fields: LogFields | void = undefined;
    try {
      fields = await dispatch(command);
    } catch (error) {
      options.log.error({ client, command: command.directive, err: error }, 'command failed');
      await connection.reply(451, 'Local error in processing');
    }
    if (command.directive === 'ABOR') aborted = false;
    if (command.directive === 'PASS') afterPassword();
    if (!logging) return;
    options.log.info(
      {
        client,
        user: connection.authenticated ? connection.username : undefined,
        command: command.directive,
        arg: command.directive === 'PASS' ? '***' : command.arg ?? undefined,
        code: lastCode,
        ms: Math.round(performance.now() - started),
        ...fields,
      },
      command.directive,
    );
  };

  const dispatch = async (command: FtpCommand): Promise<LogFields | void> => {
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
        transfer = controller;
        armIdleTimer();
      },
      abortedTransfer: () => aborted,
      fallback: () => connection.commands.handle(command),
    });
  };

  const afterPassword = () => {
    if (connection.authenticated) return;
    connection.username = undefined; // USER may be sent again
    if (++failures >= options.maxLoginFailures) {
      options.log.warn({ client, event: 'login-failures', failures }, 'too many failed logins');
      void connection.close(421, 'Too many failed logins');
    }
  };

  // Replies are small and come in pairs (150 … 226): without TCP_NODELAY, Nagle holds the second
  // until the client's delayed ACK (40 ms), which caps a small-file client at ~25 files/s.
  socket.setNoDelay(true);
  socket.removeAllListeners('data'); // ftp-srv's chunk-at-a-time reader
  socket.on('data', onData);
  socket.once('close', () => {
    closed = true;
    clearTimeout(idleTimer);
    transfer?.abort();
  });
  armIdleTimer();
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
