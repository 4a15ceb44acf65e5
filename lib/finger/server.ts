// fingerd: one query line per connection (RFC 1288 §2.2), answered by a backend or refused,
// then closed. Every limit is enforced here, at the edge: line size, query time, connections.

import net, { type Socket } from 'node:net';
import type { Logger } from 'pino';
import { visibleControls } from '../text.ts';
import { listenTcp } from '../net/listen.ts';
import { formatAddress, type ServerHandle } from '../services/handle.ts';
import { silentLog } from '../services/log.ts';
import type { FingerBackend } from './backend.ts';
import { finger } from './client.ts';
import { FingerQueryError, formatFingerQuery, maxQueryBytes, nextHop, parseFingerQuery, type ForwardQuery } from './query.ts';
import { encodeAnswer, noticeLine } from './wire.ts';

export interface FingerServerOptions {
  host: string;
  port: number;
  backend: FingerBackend;
  /** RFC 1288 §3.2.1: off by default; on, a {Q2} query is forwarded one hop with our client. */
  allowForwarding: boolean;
  forwardPort: number;
  queryTimeoutMs: number;
  answerTimeoutMs: number;
  maxConnections: number;
  maxAnswerBytes: number;
  /** The request log: one line per connection. */
  log?: Logger;
}

type Outcome = 'ok' | 'no-such-user' | 'forwarded' | 'refused' | 'bad-query' | 'too-long' | 'timeout' | 'busy' | 'error';

interface Answer {
  body: Buffer;
  outcome: Outcome;
  query?: string;
}

export function startFingerServer(options: FingerServerOptions): Promise<ServerHandle> {
  const log = options.log ?? silentLog;
  let active = 0;

  async function answerLine(line: string): Promise<Answer> {
    let query;
    try {
      query = parseFingerQuery(line);
    } catch (error) {
      if (!(error instanceof FingerQueryError)) throw error;
      return { body: noticeLine(`finger: ${error.message}`), outcome: 'bad-query' };
    }
    if (query.kind === 'forward') return forward(query);
    const answer = await options.backend.answer(query);
    return { body: encodeAnswer(answer.text, options.maxAnswerBytes), outcome: answer.outcome };
  }

  async function forward(query: ForwardQuery): Promise<Answer> {
    // RFC 1288 §3.2.1: forwarding hides where a query comes from and multiplies load; refuse it.
    if (!options.allowForwarding) {
      return { body: noticeLine('Finger forwarding service denied. (this server does not forward user@host queries: RFC 1288 §3.2.1)'), outcome: 'refused' };
    }
    // One hop: we ask the rightmost host once; whatever it does with the rest is its own policy.
    const hop = nextHop(query);
    const reply = await finger({
      host: hop.host,
      port: options.forwardPort,
      line: formatFingerQuery(hop.query),
      connectTimeoutMs: options.answerTimeoutMs,
      readTimeoutMs: options.answerTimeoutMs,
      maxBytes: options.maxAnswerBytes,
    });
    return { body: encodeAnswer(`[${hop.host}]\n${reply.text}`, options.maxAnswerBytes), outcome: 'forwarded' };
  }

  function serve(socket: Socket): void {
    const started = performance.now();
    const client = formatAddress({ host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 });
    let finished = false;
    let deadline: NodeJS.Timeout | undefined;
    socket.on('error', () => socket.destroy());

    const finish = ({ body, outcome, query }: Answer) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      socket.removeAllListeners('data');
      // Discard whatever else the client sends (so its FIN is read and the socket can close, and
      // unread bytes never turn our close into a reset), and drop a client that never closes.
      socket.resume();
      socket.setTimeout(options.queryTimeoutMs, () => socket.destroy());
      if (!socket.destroyed) socket.end(body);
      const fields = { client, query, backend: options.backend.name, bytes: body.length, durationMs: Math.round((performance.now() - started) * 10) / 10, outcome };
      (outcome === 'ok' || outcome === 'no-such-user' || outcome === 'forwarded' ? log.info : log.warn).call(log, fields, 'finger');
    };
    const respond = (line: string) => {
      const query = visibleControls(line).slice(0, 200);
      answerLine(line).then(
        (answer) => finish({ ...answer, query }),
        (error: Error) => finish({ body: noticeLine(`finger: no answer: ${error.message}`), outcome: 'error', query }),
      );
    };

    if (active >= options.maxConnections) {
      finish({ body: noticeLine('finger: server busy, try again in a moment'), outcome: 'busy' });
      return;
    }
    active++;
    socket.once('close', () => active--);

    // RFC 1288 §2.3: the query is one line; a client that does not send it soon is told and dropped.
    deadline = setTimeout(
      () => finish({ body: noticeLine(`finger: no query line within ${options.queryTimeoutMs / 1000} s`), outcome: 'timeout' }),
      options.queryTimeoutMs,
    );
    let pending = Buffer.alloc(0);
    const take = (line: Buffer) => {
      clearTimeout(deadline);
      socket.removeAllListeners('data');
      respond(line.toString('utf8').replace(/\r$/, ''));
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf(0x0a);
      // The limit counts the query, not its CRLF; a trailing CR may still be the CRLF's first half.
      const length = end === -1 ? pending.length - (pending.at(-1) === 0x0d ? 1 : 0) : end - (pending[end - 1] === 0x0d ? 1 : 0);
      if (length > maxQueryBytes) {
        finish({ body: noticeLine(`finger: query longer than ${maxQueryBytes} bytes`), outcome: 'too-long', query: `${visibleControls(pending.subarray(0, 40).toString('utf8'))}…` });
      } else if (end !== -1) {
        take(pending.subarray(0, end));
      }
    });
    // Be liberal in what we accept: a client that half-closes without a CRLF has still asked its line.
    socket.once('end', () => {
      if (!finished && socket.listenerCount('data') > 0) take(pending);
    });
  }

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, serve);
  return listenTcp(server, { host: options.host, port: options.port, protocol: 'finger' });
}
