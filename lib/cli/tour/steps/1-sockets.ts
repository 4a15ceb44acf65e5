// Tour step: sockets (lab 1) — a UDP echo round trip, port unreachable, a traced TCP echo, the
// lab's `--reply OK`, and the listening sockets as `netlab ports` shows them.

import { captureDiagram } from '../../../capture/draw.ts';
import { captureRefusal } from '../../../capture/permission.ts';
import { localeIsUtf8, renderTerminal } from '../../../capture/render-terminal.ts';
import { NetlabError } from '../../../errors.ts';
import { previewPayload } from '../../../net/payload.ts';
import { readSockets, socketRow } from '../../../net/procnet.ts';
import { startTcpServer, TcpConnection, type TcpClientEvent } from '../../../net/tcp.ts';
import { startUdpServer, UdpClient } from '../../../net/udp.ts';
import type { TourContext, TourStep } from '../tour.ts';
import { formatAddress } from '../../../services/handle.ts';

const events: Record<TcpClientEvent['type'], string> = {
  connect: 'connect',
  sent: 'sent',
  received: 'received',
  'fin-sent': 'sent FIN',
  'fin-received': 'received FIN',
  reset: 'received RST',
  closed: 'closed',
};

/** `netlab udp-client --wait hello` to a port nobody listens on: resolves once the ICMP error has come back. */
async function helloToNobody(client: UdpClient): Promise<string> {
  try {
    await client.send('hello');
    await client.receive(2_000);
  } catch (error) {
    if (error instanceof NetlabError && error.code === 'E_PORT_UNREACHABLE') return error.message;
    throw error;
  }
  throw new Error('no "port unreachable" came back');
}

/**
 * What crossed the wire, as `netlab capture --diagram` draws it: the exchange is made again
 * under a capture. Capturing takes root or CAP_NET_RAW; without, one line says so and how to allow it.
 */
async function drawExchange(context: TourContext, command: string, capture: { port?: number; filter?: string; server: string; program: string }, traffic: () => Promise<unknown>): Promise<boolean> {
  const { out, signal } = context;
  out.line(`$ netlab capture ${command} --diagram`);
  const { diagram } = await captureDiagram({
    port: capture.port,
    filter: capture.filter,
    count: 200,
    durationMs: 10_000,
    signal,
    read: { programs: new Map([[capture.server, capture.program]]) },
    traffic,
  });
  const width = Math.min(100, (out.stdout as { columns?: number }).columns ?? 100) - 2;
  for (const line of renderTerminal(diagram, { width, unicode: localeIsUtf8() })) out.line(`  ${line}`);
  return diagram.arrows.length > 0;
}

/** `netlab tcp-client hello`: send a line, half-close, read until the server's FIN. */
async function sayHello(port: number, signal: AbortSignal, onEvent?: (event: TcpClientEvent) => void): Promise<string> {
  const received: Buffer[] = [];
  const connection = await TcpConnection.connect({
    host: '127.0.0.1',
    port,
    connectTimeoutMs: 2_000,
    signal,
    onEvent: (event) => {
      if (event.type === 'received') received.push(event.data);
      onEvent?.(event);
    },
  });
  await connection.send('hello\n');
  connection.finish();
  if ((await connection.waitClosed(2_000)) !== 'fin') throw new Error(`the server on port ${port} did not close in order`);
  return Buffer.concat(received).toString().trim();
}

export default {
  title: 'Sockets (UDP, TCP, ports)',
  async run(context) {
    const { out, defer, signal } = context;
    const host = '127.0.0.1';
    out.line('$ netlab udp-server --port 0 --echo');
    const udp = await startUdpServer({
      host,
      port: 0,
      echo: true,
      onDatagram: ({ from, data }) => out.line(`  [udp-server] from ${formatAddress(from)}  ${previewPayload(data)}  (echoed)`),
    });
    defer(() => udp.close());
    out.line(`$ netlab udp-client --port ${udp.address.port} --wait hello`);
    const client = await UdpClient.open({ host, port: udp.address.port, signal });
    defer(() => client.close());
    await client.send('hello');
    const reply = await client.receive(2_000);
    out.line(`  reply from ${formatAddress(reply.from)}  ${previewPayload(reply.data)}`);

    // A port nobody listens on: bind one, note it, let it go.
    const gone = await startUdpServer({ host, port: 0 });
    await gone.close();
    out.line(`$ netlab udp-client --port ${gone.address.port} --wait hello     # nothing listens there`);
    const lonely = await UdpClient.open({ host, port: gone.address.port, signal });
    defer(() => lonely.close());
    const unreachable = await helloToNobody(lonely);
    out.line(`  error: ${unreachable}   (the ICMP reply, seen because the socket is connected)`);

    out.line(`$ netlab tcp-server --port 0          # echo`);
    const echo = await startTcpServer({ host, port: 0 });
    defer(() => echo.close());
    out.line(`$ netlab tcp-client --port ${echo.address.port} --trace hello`);
    const start = performance.now();
    const echoed = await sayHello(echo.address.port, signal, (event) => {
      const data = 'data' in event ? `  ${previewPayload(event.data)}` : '';
      out.line(`  +${(performance.now() - start).toFixed(1).padStart(5)} ms  ${events[event.type]}${data}`);
    });

    const ok = await startTcpServer({ host, port: 0, reply: 'OK' });
    defer(() => ok.close());
    out.line(`$ netlab tcp-server --port 0 --reply OK   and   netlab tcp-client --port ${ok.address.port} hello`);
    const answer = await sayHello(ok.address.port, signal);
    out.line(`  ${answer}`);

    out.line('$ netlab ports --listening   # (our three servers)');
    const ours = new Set([udp.address.port, echo.address.port, ok.address.port]);
    const rows = readSockets({ listening: true }).filter((entry) => ours.has(entry.localPort) && entry.pid === process.pid);
    for (const row of rows.map(socketRow)) out.line(`  ${String(row.proto).padEnd(4)}  ${String(row.local).padEnd(16)}  ${row.state.toString().padEnd(7)}  ${row.process}`);

    // Questions 1.10 and 1.21: which messages actually cross the network?
    const refusal = captureRefusal();
    let diagrams = 'no diagrams';
    if (refusal) out.line(`(the ladder diagrams of these exchanges are skipped: ${refusal})`);
    else {
      const tcpDrawn = await drawExchange(context, `--port ${echo.address.port}`, { port: echo.address.port, server: `127.0.0.1:${echo.address.port}`, program: 'netlab tcp-server' }, () => sayHello(echo.address.port, signal));
      const udpDrawn = await drawExchange(context, `-f "udp port ${gone.address.port} or icmp"`, { filter: `udp port ${gone.address.port} or icmp`, server: `127.0.0.1:${gone.address.port}`, program: 'nothing listens' }, async () => {
        // A socket of its own: the first one already took its ICMP error.
        const again = await UdpClient.open({ host, port: gone.address.port, signal });
        defer(() => again.close());
        return helloToNobody(again);
      });
      if (!tcpDrawn || !udpDrawn) throw new Error('the capture saw none of the exchange');
      diagrams = 'the TCP and UDP exchanges drawn';
    }

    return `UDP echo "${reply.data}", port unreachable reported, TCP echo "${echoed}" then FIN, --reply "${answer}", ${rows.length} listening sockets in ports, ${diagrams}`;
  },
} satisfies TourStep;
