// One transfer over a data connection (RFC 959 §5.3–5.4): open the DTP, send RETR/STOR/LIST…,
// stream the bytes with backpressure (never the whole file in memory), and read the final reply.

import type net from 'node:net';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NetlabError } from '../../errors.ts';
import type { ControlConnection } from './control.ts';
import { openData, type DataOptions, type DataState } from './data.ts';
import { replyError } from './errors.ts';
import { isError, isPreliminary, type FtpReply } from './reply.ts';

/** What a transfer needs from the client session. */
export interface TransferSession {
  control: ControlConnection;
  dataState: DataState;
  dataOptions(): DataOptions;
  /** TYPE A or I (RFC 959 §3.1.1), sent only when it changes. */
  setType(type: 'A' | 'I'): Promise<void>;
  dataIdleTimeoutMs: number;
}

export type TransferRequest = {
  /** "RETR a.txt", "STOR b.bin", "LIST pub"… */
  command: string;
  type: 'A' | 'I';
  /** REST offset (RFC 3659 §5): the server starts (RETR) or writes (STOR) at this byte. */
  offset?: number;
  /** Called with the running total of bytes moved. */
  onProgress?: (bytes: number) => void;
} & ({ direction: 'download'; destination: Writable; end?: boolean } | { direction: 'upload'; source: Readable });

/** Runs a transfer and resolves to the number of bytes moved, once the server confirmed it (226/250). */
export async function transfer(session: TransferSession, request: TransferRequest): Promise<number> {
  const { control } = session;
  await session.setType(request.type);
  const pending = await openData(control, session.dataState, session.dataOptions());
  let socket: net.Socket | undefined;
  try {
    // RFC 959 §4.1.3: REST must come right before the transfer command, after PASV/PORT.
    if (request.offset) await expect(control, `REST ${request.offset}`, 350);
    const first = await control.command(request.command);
    if (isError(first)) throw replyError(first, request.command, control.endpoint);
    // A 2yz with no 1yz first: nothing to move (some servers answer so for an empty listing).
    if (!isPreliminary(first)) return 0;
    // No data connection after a 1yz: the server's next reply is unknown, so the session ends here.
    socket = await pending.ready().catch((error: unknown) => {
      control.close();
      throw error;
    });
    const bytes = await pump(socket, request, session);
    const final = await control.nextReply(`the end of ${request.command}`);
    if (isError(final)) throw replyError(final, request.command, control.endpoint);
    return bytes;
  } finally {
    pending.cancel();
    socket?.destroy();
  }
}

/** Sends a command that must get one precise reply code. */
export async function expect(control: ControlConnection, command: string, ...codes: number[]): Promise<FtpReply> {
  const reply = await control.command(command);
  if (!codes.includes(reply.code)) throw replyError(reply, command, control.endpoint);
  return reply;
}

/** Streams the data; a failure on our side (disk full, closed pipe) aborts the transfer with ABOR. */
async function pump(socket: net.Socket, request: TransferRequest, session: TransferSession): Promise<number> {
  const { control } = session;
  let bytes = 0;
  // Which side failed first: pipeline() then destroys the other side with the same error.
  let failed: 'local' | 'remote' | undefined;
  const seconds = session.dataIdleTimeoutMs / 1000;
  socket.setTimeout(session.dataIdleTimeoutMs, () =>
    socket.destroy(
      new NetlabError('E_TIMEOUT', `the data connection of ${request.command} was idle for ${seconds} s`, {
        hint: 'the server stopped sending or receiving; raise --timeout to wait longer',
      }),
    ),
  );
  socket.once('error', () => (failed ??= 'remote'));
  // Ctrl-C: the control connection closes itself; the data connection must stop too. An upload
  // is cut with a reset, not a FIN: in stream mode a FIN is the end of the file (RFC 959 §3.4.1),
  // and the server would keep the part it got as if it were whole.
  const signal = session.dataOptions().signal;
  let interrupted: NetlabError | undefined;
  const onAbort = () => {
    interrupted = new NetlabError('E_INTERRUPTED', `interrupted during ${request.command}`, {
      hint:
        request.direction === 'download'
          ? 'the connection is closed'
          : 'the connection is closed; the server keeps nothing of a cut upload: put the file again',
    });
    if (request.direction === 'upload') socket.resetAndDestroy();
    else socket.destroy(interrupted);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const count = (chunk: Buffer) => {
    bytes += chunk.length;
    request.onProgress?.(bytes);
  };
  try {
    if (request.direction === 'download') {
      request.destination.once('error', () => (failed ??= 'local'));
      const piping = pipeline(socket, request.destination, { end: request.end !== false });
      socket.on('data', count);
      await piping;
    } else {
      request.source.once('error', () => (failed ??= 'local'));
      const piping = pipeline(request.source, socket);
      request.source.on('data', count);
      await piping;
    }
    return bytes;
  } catch (caught) {
    const error = interrupted ?? caught;
    if (failed === 'local') {
      await abortTransfer(control, true);
      throw error;
    }
    // A stalled server, or Ctrl-C: late replies would answer our next commands, so the session ends here.
    if (['E_TIMEOUT', 'E_INTERRUPTED'].includes((error as NetlabError).code)) {
      control.close();
      throw error;
    }
    // The server cut the data connection: its reply (426, 451, 452…) says why better than ECONNRESET.
    const reply = await control.nextReply(`the end of ${request.command}`).catch(() => undefined);
    if (reply && isError(reply)) throw replyError(reply, request.command, control.endpoint);
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * RFC 959 §4.1.3 ABOR. During a transfer the server sends two replies: the transfer's end (226 if
 * it had finished, 426 if cut), then ABOR's own (226 or 225) — vsftpd, pyftpdlib and ftp-srv alike.
 */
export async function abortTransfer(control: ControlConnection, duringTransfer: boolean): Promise<void> {
  control.send('ABOR');
  if (duringTransfer) await control.nextReply('the end of the aborted transfer');
  const reply = await control.nextReply('ABOR');
  if (isError(reply)) throw replyError(reply, 'ABOR', control.endpoint);
}

/** A destination that keeps a listing in memory, refusing absurd sizes (a hostile server could stream forever). */
export function memorySink(limitBytes = 64 * 1024 * 1024): { sink: Writable; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limitBytes) return done(new NetlabError('E_PROTOCOL', `the listing is larger than ${limitBytes / 1024 / 1024} MiB`));
      chunks.push(chunk);
      done();
    },
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}
