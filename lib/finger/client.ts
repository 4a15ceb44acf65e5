// The finger client (RFC 1288 §2.1–2.2): connect, send one query line ending in CRLF, and read
// until the server closes — the protocol has no length, the close is the end of the answer.

import net from 'node:net';
import { NetlabError } from '../errors.ts';
import { socketError, timeoutError } from '../net/errors.ts';
import { FingerQueryError, nextHop, parseFingerQuery, type FingerQuery } from './query.ts';

export interface FingerRequest {
  host: string;
  port: number;
  /** The query line without its CRLF (formatFingerQuery builds it from a typed query). */
  line: string;
  connectTimeoutMs: number;
  /** Longest silence from the server before we give up on the answer. */
  readTimeoutMs: number;
  /** Bytes of answer kept at most; a server that sends more is cut off. */
  maxBytes?: number;
  signal?: AbortSignal;
  /** --trace: what was sent and received, as it happens. */
  onTrace?: (direction: 'sent' | 'received' | 'event', text: string) => void;
}

export interface FingerReply {
  host: string;
  port: number;
  /** The line sent (without CRLF). */
  query: string;
  /** The answer as received (UTF-8), CRLFs included; the printer makes controls visible. */
  text: string;
  bytes: number;
  /** True when the answer was longer than maxBytes and we stopped reading. */
  truncated: boolean;
  durationMs: number;
}

/** A command-line target → where to connect and what to ask: `u@a@b` connects to b and asks `u@a`. */
export function parseFingerTarget(target: string, defaultHost: string, verbose: boolean): { host: string; query: FingerQuery } {
  let query: FingerQuery;
  try {
    query = parseFingerQuery(target);
  } catch (error) {
    if (!(error instanceof FingerQueryError)) throw error;
    throw new NetlabError('E_USAGE', `${JSON.stringify(target)}: ${error.message}`, { hint: 'a target is user, user@host, @host or user@host1@host2' });
  }
  query.verbose ||= verbose;
  if (query.kind === 'local') return { host: defaultHost, query };
  const hop = nextHop(query);
  return { ...hop, host: hop.host.replace(/^\[(.*)\]$/, '$1') }; // [::1] is how people write an IPv6 host
}

/** Asks one finger server; resolves when the server closes. Rejects with a NetlabError, or the signal's reason. */
export function finger(request: FingerRequest): Promise<FingerReply> {
  const { host, port, line, signal, onTrace } = request;
  const maxBytes = request.maxBytes ?? 1024 * 1024;
  const started = performance.now();
  const context = { host, port, operation: 'connect' as 'connect' | 'receive', protocol: 'tcp' as const };
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let truncated = false;
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const socket = net.connect({ host, port, noDelay: true });

    /** Connect timeout until connected; then a read timeout that each chunk of answer restarts. */
    function armDeadline(): void {
      clearTimeout(deadline);
      const ms = context.operation === 'connect' ? request.connectTimeoutMs : request.readTimeoutMs;
      deadline = setTimeout(() => fail(timeoutError(context, ms / 1000)), ms);
    }
    const onAbort = () => fail(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    armDeadline();

    function settle(): void {
      settled = true;
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
    }
    function fail(error: unknown): void {
      if (settled) return;
      settle();
      reject(signal?.aborted ? error : socketError(error, context));
    }
    function done(): void {
      if (settled) return;
      settle();
      onTrace?.('event', `connection closed by the server after ${bytes} bytes${truncated ? ' (cut: too long)' : ''}`);
      resolve({ host, port, query: line, text: Buffer.concat(chunks).toString('utf8'), bytes, truncated, durationMs: performance.now() - started });
    }

    socket.once('connect', () => {
      context.operation = 'receive';
      armDeadline();
      onTrace?.('event', `connected to ${socket.remoteAddress}:${socket.remotePort}`);
      onTrace?.('sent', `${line}\r\n`);
      // RFC 1288 §2.2: the query is one line ending in CRLF.
      socket.write(`${line}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      armDeadline();
      onTrace?.('received', chunk.toString('utf8'));
      const room = maxBytes - bytes;
      chunks.push(chunk.subarray(0, room));
      bytes += Math.min(chunk.length, room);
      if (chunk.length > room) {
        truncated = true;
        done();
      }
    });
    socket.once('end', done);
    socket.once('error', fail);
  });
}
