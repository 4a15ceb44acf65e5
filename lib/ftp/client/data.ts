// The data connection (the DTP, RFC 959 §3.2–3.3): passive (EPSV, else PASV) where we connect to
// the server, or active (EPRT, else PORT) where the server connects back to a port we listen on.

import net from 'node:net';
import tls from 'node:tls';
import { NetlabError } from '../../errors.ts';
import { formatAddress } from '../../services/handle.ts';
import { connectTcp, handshake, type ControlConnection, type TlsUpgradeOptions } from './control.ts';
import { replyError } from './errors.ts';
import type { FtpReply } from './reply.ts';

export interface DataOptions {
  /** true: we connect (EPSV/PASV); false: the server connects to us (EPRT/PORT). */
  passive: boolean;
  connectTimeoutMs: number;
  /** Socket buffer size: large buffers mean fewer, bigger reads (speed on 1 GiB files). */
  bufferSize: number;
  /** Set after PROT P (RFC 4217 §9): every data connection is TLS too, the client being the TLS client. */
  tls?: TlsUpgradeOptions & { session?: Buffer };
  signal?: AbortSignal;
}

/** What the client remembers between transfers: a server that refused EPSV/EPRT once is not asked again. */
export interface DataState {
  epsvRefused: boolean;
  eprtRefused: boolean;
}

/** A data connection being set up before the transfer command is sent; `ready()` after its 1yz reply. */
export interface PendingData {
  ready(): Promise<net.Socket>;
  cancel(): void;
}

/** Prepares a data connection in the mode asked for. */
export function openData(control: ControlConnection, state: DataState, options: DataOptions): Promise<PendingData> {
  return options.passive ? openPassive(control, state, options) : openActive(control, state, options);
}

/** RFC 2428 §3: "229 Entering Extended Passive Mode (|||6446|)" — only a port; the host is the control peer. */
export function parseEpsvReply(text: string): number | undefined {
  const match = /\((.)\1\1(\d{1,5})\1\)/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  return port > 0 && port < 65536 ? port : undefined;
}

/** RFC 959 §4.1.2: "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)" — the parentheses are optional in practice. */
export function parsePasvReply(text: string): { host: string; port: number } | undefined {
  const match = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(text);
  if (!match) return undefined;
  const numbers = match.slice(1).map(Number);
  if (numbers.some((n) => n > 255)) return undefined;
  const port = numbers[4] * 256 + numbers[5];
  return port > 0 ? { host: numbers.slice(0, 4).join('.'), port } : undefined;
}

/** "EPRT |2|::1|6446|" (RFC 2428 §2) or, for IPv4 servers without it, "PORT 127,0,0,1,25,46". */
export function formatEprt(host: string, port: number): string {
  return `EPRT |${net.isIPv6(host) ? 2 : 1}|${host}|${port}|`;
}

export function formatPort(host: string, port: number): string {
  return `PORT ${host.split('.').join(',')},${port >> 8},${port & 255}`;
}

/** 500/502: the server does not know the command (RFC 959 §4.2.1), so the older one is worth a try. */
const notImplemented = (reply: FtpReply) => reply.code === 500 || reply.code === 502 || reply.code === 504;

async function openPassive(control: ControlConnection, state: DataState, options: DataOptions): Promise<PendingData> {
  const peer = control.remoteAddress;
  let target: { host: string; port: number } | undefined;
  if (!state.epsvRefused) {
    const reply = await control.command('EPSV');
    if (reply.code === 229) {
      const port = parseEpsvReply(reply.text);
      if (!port) throw badReply(reply, 'EPSV', control);
      target = { host: peer, port };
    } else if (notImplemented(reply) || net.isIPv4(peer)) {
      state.epsvRefused = true;
    } else {
      throw replyError(reply, 'EPSV', control.endpoint);
    }
  }
  if (!target) {
    if (net.isIPv6(peer)) {
      throw new NetlabError('E_PROTOCOL', `the FTP server at ${control.endpoint} refused EPSV, and PASV cannot name an IPv6 address`, {
        hint: 'use --active, or connect over IPv4',
      });
    }
    const reply = await control.command('PASV');
    if (reply.code !== 227) throw replyError(reply, 'PASV', control.endpoint);
    const offered = parsePasvReply(reply.text);
    if (!offered) throw badReply(reply, 'PASV', control);
    // Like curl (--ftp-skip-pasv-ip, its default): a PASV address other than the control peer is a
    // server behind NAT naming its private address, or a bounce attempt; connect to the peer instead.
    target = { host: peer, port: offered.port };
  }
  const { host, port } = target;
  // Connected before the transfer command is sent: a refused connection is reported while the
  // control connection is still in step. The TLS handshake starts at once, without waiting for
  // the 150 — ftp-srv sends its 150 only once the handshake is done, vsftpd after.
  const socket = await connectTcp(host, port, options.connectTimeoutMs, options.signal, options.bufferSize);
  const securing = secure(socket, options, formatAddress({ host, port }));
  securing.catch(() => undefined); // observed in ready(); a transfer refused first must not leave it unhandled
  return {
    ready: () => securing,
    cancel: () => void securing.then((secured) => secured.destroy(), () => socket.destroy()),
  };
}

async function openActive(control: ControlConnection, state: DataState, options: DataOptions): Promise<PendingData> {
  const host = control.localAddress;
  const peer = control.remoteAddress;
  const server = net.createServer({ highWaterMark: options.bufferSize });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  const where = formatAddress({ host, port });
  // RFC 959 §3.2: the server connects from its own data port; only the control peer may use this one.
  const accepted = new Promise<net.Socket>((resolve) => {
    server.on('connection', (socket) => {
      if (socket.remoteAddress !== peer) return void socket.destroy();
      server.close();
      resolve(socket);
    });
  }).then((socket) => secure(socket, options, where));
  accepted.catch(() => undefined); // observed in ready()
  try {
    let reply: FtpReply | undefined;
    if (!state.eprtRefused) {
      reply = await control.command(formatEprt(host, port));
      if (notImplemented(reply) && net.isIPv4(host)) state.eprtRefused = true;
    }
    if (state.eprtRefused) reply = await control.command(formatPort(host, port));
    if (!reply || reply.code !== 200) throw replyError(reply!, state.eprtRefused ? 'PORT' : 'EPRT', control.endpoint);
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    ready: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        const seconds = options.connectTimeoutMs / 1000;
        const message = `the FTP server did not connect to our data port ${where} within ${seconds} s (active mode)`;
        timer = setTimeout(() => reject(new NetlabError('E_TIMEOUT', message, { hint: 'a firewall or NAT between us blocks active mode; try passive mode (without --active)' })), options.connectTimeoutMs);
      });
      try {
        return await Promise.race([accepted, timeout]);
      } finally {
        clearTimeout(timer);
        server.close();
      }
    },
    cancel: () => {
      server.close();
      void accepted.then((socket) => socket.destroy(), () => undefined);
    },
  };
}

/** With PROT P, the data connection is TLS, resuming the control connection's session. */
async function secure(socket: net.Socket, options: DataOptions, where: string): Promise<net.Socket> {
  if (!options.tls) return socket;
  const { servername, rejectUnauthorized, session } = options.tls;
  const secured = tls.connect({ socket, servername: net.isIP(servername) ? undefined : servername, rejectUnauthorized, session });
  await handshake(secured, options.connectTimeoutMs, where);
  return secured;
}

function badReply(reply: FtpReply, command: string, control: ControlConnection): NetlabError {
  return new NetlabError('E_PROTOCOL', `the FTP server at ${control.endpoint} answered ${command} with no usable address: ${reply.lines.at(-1)}`, {
    hint: 'try the other mode (--active, or without it)',
  });
}
