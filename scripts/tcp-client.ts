#!/usr/bin/env -S npx zx
// Lab 1, TCP client: connects, sends (the argument, or each stdin line), half-closes, prints the
// answer until the server closes. --trace shows every step with a timestamp: connect, bytes, FIN.

import { servicePort } from '../lib/config/define.ts';
import { hostArg, jsonArg, remotePortArg, quietArg, timeoutArg, traceArg } from '../lib/cli/args.ts';
import { parseRemotePort, parseSeconds } from '../lib/values.ts';
import { NetlabError } from '../lib/errors.ts';
import { inputLines } from '../lib/cli/input-lines.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import type { Output } from '../lib/cli/output.ts';
import { visibleControls } from '../lib/text.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { byteCount, payloadJson, previewPayload } from '../lib/net/payload.ts';
import { TcpConnection, type TcpClientEvent } from '../lib/net/tcp.ts';
import { formatAddress } from '../lib/services/handle.ts';

function describe(event: TcpClientEvent): string {
  switch (event.type) {
    case 'connect':
      return `connected ${event.local} → ${event.remote}`;
    case 'sent':
      return `sent ${byteCount(event.data.length)}  ${previewPayload(event.data)}`;
    case 'received':
      return `received ${byteCount(event.data.length)}  ${previewPayload(event.data)}`;
    case 'fin-sent':
      return 'sent FIN (we will send nothing more; still reading)';
    case 'fin-received':
      return 'received FIN (the server has closed its side)';
    case 'reset':
      return 'received RST (the connection was reset)';
    case 'closed':
      return 'connection closed';
  }
}

/** --trace: "18:42:01.123 +0.4 ms  sent 6 bytes "hello\n"", or one JSON line per event. */
function tracer(out: Output) {
  const start = performance.now();
  return (event: TcpClientEvent, at: Date) => {
    const elapsed = `+${(performance.now() - start).toFixed(1)} ms`;
    if (out.json) {
      const data = 'data' in event ? { bytes: event.data.length, ...payloadJson(event.data) } : {};
      out.jsonLine({ at: at.toISOString(), elapsed, event: event.type, ...('local' in event ? { local: event.local, remote: event.remote } : {}), ...data });
    } else out.line(`${at.toISOString().slice(11, 23)} ${elapsed.padStart(10)}  ${describe(event)}`);
  };
}

const newline = Buffer.from('\n');

export default defineExercise({
  name: 'tcp-client',
  description: 'TCP client: connect, send, receive, close; one-shot or stdin lines; --trace shows each step',
  args: {
    message: { type: 'positional', required: false, description: 'a line to send (default: each line of stdin)' },
    ...hostArg,
    ...remotePortArg('tcp'),
    ...timeoutArg(5),
    ...traceArg,
    ...jsonArg,
    ...quietArg,
  },
  examples: [
    'netlab tcp-client hello                  # against: netlab tcp-server',
    'netlab tcp-client --trace hello          # connect, bytes, FIN, with timestamps',
    'netlab tcp-client                        # interactive: type lines, Ctrl-D to finish',
  ],
  async run({ args, config, out, signal }) {
    const port = parseRemotePort(args.port, servicePort(config, 'tcp'));
    const timeoutMs = parseSeconds(args.timeout, 5);
    const received: Buffer[] = []; // kept only for --json, which returns it whole
    let receivedBytes = 0;
    let pendingText = '';
    // Without --trace, what arrives is printed line by line as it comes. The line ending (LF, or
    // the CRLF of RFC 865, 1288, 959…) is not part of the line; any other control is made visible.
    const printReceived = (data: Buffer) => {
      const lines = (pendingText + data.toString('utf8')).split('\n');
      pendingText = lines.pop() ?? '';
      for (const line of lines) out.line(visibleControls(line.replace(/\r$/, '')));
    };
    const trace = args.trace ? tracer(out) : undefined;
    const connection = await TcpConnection.connect({
      host: config.host,
      port,
      connectTimeoutMs: timeoutMs,
      signal,
      onEvent: (event, at) => {
        trace?.(event, at);
        if (event.type !== 'received') return;
        receivedBytes += event.data.length;
        if (out.json) received.push(event.data);
        if (!trace && !out.json) printReceived(event.data);
      },
    });
    // Ctrl-C: drop the connection; the stdin loop and the wait below end with it.
    signal.addEventListener('abort', () => connection.destroy(), { once: true });
    let sent = 0;
    const sendLine = async (line: Buffer | string) => {
      const bytes = Buffer.concat([Buffer.from(line), newline]);
      await connection.send(bytes);
      sent += bytes.length;
    };
    try {
      if (typeof args.message === 'string') await sendLine(args.message);
      else {
        if (process.stdin.isTTY) out.note(`connected to ${formatAddress({ host: config.host, port })}; type lines, Ctrl-D to finish`);
        // The server's FIN (a quote server, a "busy" refusal, a server that stops): nothing more
        // will come, so stop reading stdin instead of waiting for Ctrl-D.
        const serverDone = new AbortController();
        void connection.ended.then(() => serverDone.abort());
        for await (const line of inputLines(process.stdin, serverDone.signal)) await sendLine(line);
      }
    } catch (error) {
      // The server may have closed on us (--max-connections) before we were done: report that below.
      if (!(error instanceof NetlabError) || error.code !== 'E_CONN_RESET') throw error;
    }
    connection.finish();
    const how = await connection.waitClosed(timeoutMs);
    if (signal.aborted) throw new NetlabError('E_INTERRUPTED', 'interrupted: connection closed');
    if (pendingText && !trace && !out.json) out.line(visibleControls(pendingText));
    if (how === 'reset') {
      throw new NetlabError('E_CONN_RESET', `the server at ${formatAddress({ host: config.host, port })} reset the connection`, {
        hint: 'it may have crashed, or refused what we sent; look at its log',
        details: { sent, received: receivedBytes },
      });
    }
    if (how === 'timeout') out.warn(`the server did not close the connection within ${timeoutMs / 1000} s; we closed it`);
    if (out.json && !trace) out.result({ server: formatAddress({ host: config.host, port }), sent, bytes: receivedBytes, ...payloadJson(Buffer.concat(received)), closedBy: how === 'fin' ? 'server' : 'client' });
    // On stderr, as nc and socat keep stdout for the peer's bytes (`tcp-client hi > answer.txt`).
    else out.note(`${how === 'fin' ? 'server closed the connection' : 'closed'}: sent ${byteCount(sent)}, received ${byteCount(receivedBytes)}`);
  },
});

runIfMain(import.meta);
