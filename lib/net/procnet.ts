// The socket table of this machine, read from /proc/net/{tcp,tcp6,udp,udp6} as netstat and ss do,
// with the process that owns each socket found through the socket inodes in /proc/PID/fd.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import os from 'node:os';
import { NetlabError } from '../errors.ts';
import { formatAddress } from '../services/handle.ts';

export type SocketProtocol = 'tcp' | 'udp';

export interface SocketEntry {
  protocol: SocketProtocol;
  family: 4 | 6;
  localHost: string;
  localPort: number;
  remoteHost: string;
  remotePort: number;
  /** LISTEN, ESTABLISHED, TIME_WAIT … for TCP; UNCONN (bound, not connected) or ESTABLISHED for UDP. */
  state: string;
  /** Bytes waiting in the send and receive queues. */
  sendQueue: number;
  receiveQueue: number;
  uid: number;
  /** The socket's inode: the key that links it to a process's file descriptor. */
  inode: number;
  /** The owning process, when /proc lets us see its descriptors (TIME_WAIT sockets have none). */
  pid?: number;
  program?: string;
}

export interface SocketFilter {
  protocols?: SocketProtocol[];
  /** Only listening sockets: TCP LISTEN, and UDP sockets bound but not connected (as `ss -l`). */
  listening?: boolean;
  /** Sockets whose local or remote port is this one. */
  port?: number;
}

// The TCP states as the kernel numbers them (include/net/tcp_states.h).
const tcpStates = [
  '', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT',
  'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV',
];

const tables: { file: string; protocol: SocketProtocol; family: 4 | 6 }[] = [
  { file: 'tcp', protocol: 'tcp', family: 4 },
  { file: 'tcp6', protocol: 'tcp', family: 6 },
  { file: 'udp', protocol: 'udp', family: 4 },
  { file: 'udp6', protocol: 'udp', family: 6 },
];

export interface ReadSocketsOptions {
  /** Where /proc is (tests point it at a fixture). */
  procRoot?: string;
  /** Look up owning processes (a scan of /proc/PID/fd; skip it when only the table matters). */
  owners?: boolean;
  platform?: NodeJS.Platform;
}

/** Every socket matching the filter, sorted by protocol, local port, state. */
export function readSockets(filter: SocketFilter = {}, options: ReadSocketsOptions = {}): SocketEntry[] {
  const procRoot = options.procRoot ?? '/proc';
  if ((options.platform ?? process.platform) !== 'linux') {
    throw new NetlabError('E_NOT_LINUX', `ports reads /proc/net, which only Linux has (this is ${options.platform ?? process.platform})`, {
      hint: 'on macOS or BSD use `netstat -an` or `lsof -i -P`; on Windows `netstat -ano`',
    });
  }
  const entries: SocketEntry[] = [];
  for (const table of tables) {
    if (filter.protocols && !filter.protocols.includes(table.protocol)) continue;
    let text: string;
    try {
      text = readFileSync(`${procRoot}/net/${table.file}`, 'utf8');
    } catch {
      continue; // no IPv6 on this kernel: no tcp6/udp6 file
    }
    entries.push(...parseProcNetTable(text, table.protocol, table.family));
  }
  const kept = entries.filter((entry) => matches(entry, filter));
  if (options.owners !== false) attachOwners(kept, procRoot);
  return kept.sort(
    (a, b) => a.protocol.localeCompare(b.protocol) || a.localPort - b.localPort || a.state.localeCompare(b.state) || a.remotePort - b.remotePort,
  );
}

function matches(entry: SocketEntry, filter: SocketFilter): boolean {
  if (filter.listening && entry.state !== 'LISTEN' && entry.state !== 'UNCONN') return false;
  if (filter.port !== undefined && entry.localPort !== filter.port && entry.remotePort !== filter.port) return false;
  return true;
}

/**
 * One /proc/net/{tcp,udp}[6] file. Each line: "sl local rem st tx:rx tr:when retrnsmt uid timeout
 * inode …", addresses as hex words in the kernel's byte order and ports as big-endian hex.
 */
export function parseProcNetTable(text: string, protocol: SocketProtocol, family: 4 | 6, endianness = os.endianness()): SocketEntry[] {
  const entries: SocketEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [local, remote] = [fields[1], fields[2]].map((field) => parseEndpoint(field, family, endianness));
    const [sendQueue, receiveQueue] = fields[4].split(':').map((hex) => parseInt(hex, 16));
    const stateNumber = parseInt(fields[3], 16);
    entries.push({
      protocol,
      family,
      localHost: local.host,
      localPort: local.port,
      remoteHost: remote.host,
      remotePort: remote.port,
      state: protocol === 'udp' ? (stateNumber === 1 ? 'ESTABLISHED' : 'UNCONN') : tcpStates[stateNumber] ?? `STATE_${fields[3]}`,
      sendQueue,
      receiveQueue,
      uid: Number(fields[7]),
      inode: Number(fields[9]),
    });
  }
  return entries;
}

/** "0100007F:1F40" → 127.0.0.1 port 8000 (on a little-endian machine each 32-bit word is reversed). */
function parseEndpoint(field: string, family: 4 | 6, endianness: 'BE' | 'LE'): { host: string; port: number } {
  const [hexAddress, hexPort] = field.split(':');
  const bytes = Buffer.from(hexAddress, 'hex');
  if (endianness === 'LE') for (let word = 0; word < bytes.length; word += 4) bytes.subarray(word, word + 4).reverse();
  return { host: family === 4 ? [...bytes].join('.') : formatIPv6(bytes), port: parseInt(hexPort, 16) };
}

/** 16 bytes → the canonical text form (RFC 5952: shortest, lower case, ::ffff:a.b.c.d for mapped). */
function formatIPv6(bytes: Buffer): string {
  const words = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  // The URL parser already implements RFC 5952's compression rules; no need to redo them.
  const host = new URL(`http://[${words.join(':')}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  return mapped ? `::ffff:${[...bytes.subarray(12)].join('.')}` : host;
}

/** Finds the process holding each socket: /proc/PID/fd/N links to "socket:[INODE]". */
function attachOwners(entries: SocketEntry[], procRoot: string): void {
  const wanted = new Map(entries.filter((entry) => entry.inode !== 0).map((entry) => [entry.inode, entry]));
  if (wanted.size === 0) return;
  const owners = socketOwners(procRoot, new Set(wanted.keys()));
  for (const entry of entries) {
    const owner = owners.get(entry.inode);
    if (owner) Object.assign(entry, owner);
  }
}

/** inode → { pid, program } for the inodes asked about; other users' processes are unreadable unless root. */
export function socketOwners(procRoot: string, inodes: Set<number>): Map<number, { pid: number; program: string }> {
  const found = new Map<number, { pid: number; program: string }>();
  for (const name of safeReaddir(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let program: string | undefined;
    for (const fd of safeReaddir(`${procRoot}/${name}/fd`)) {
      const match = /^socket:\[(\d+)\]$/.exec(safeReadlink(`${procRoot}/${name}/fd/${fd}`));
      if (!match || !inodes.has(Number(match[1])) || found.has(Number(match[1]))) continue;
      program ??= programName(`${procRoot}/${name}`);
      found.set(Number(match[1]), { pid, program });
    }
    if (found.size === inodes.size) break;
  }
  return found;
}

/**
 * The program a process runs, as netstat -p names it: the last part of argv[0] in /proc/PID/cmdline.
 * Not /proc/PID/comm, which is the main thread's name and which a program may rename: Node 24 calls
 * its main thread "MainThread" (ss shows that too). A kernel thread or a zombie has an empty
 * cmdline; then comm is all there is.
 */
function programName(processDir: string): string {
  const argv0 = safeRead(`${processDir}/cmdline`).split('\0')[0];
  return basename(argv0) || safeRead(`${processDir}/comm`).trim() || '?';
}

/** "node (pid 1234)" for the socket bound to a port, for an EADDRINUSE message; undefined if unknown. */
export function describePortOwner(protocol: SocketProtocol, port: number): string | undefined {
  try {
    const holder = readSockets({ protocols: [protocol], listening: true, port }).find((entry) => entry.localPort === port && entry.pid);
    return holder ? `${holder.program} (pid ${holder.pid})` : undefined;
  } catch {
    return undefined; // not Linux, or /proc unreadable: the message simply names no owner
  }
}

/** The columns of the `ports` table, as netstat names them. */
export const socketColumns = ['proto', 'local', 'remote', 'state', 'recv-q', 'send-q', 'process'];

/** One row of the `ports` table: "tcp  127.0.0.1:8016  *:*  LISTEN  0  0  1234/node". */
export function socketRow(entry: SocketEntry): Record<string, string | number> {
  const endpoint = (host: string, port: number) => (port === 0 && /^(0\.0\.0\.0|::)$/.test(host) ? '*:*' : formatAddress({ host, port }));
  return {
    proto: `${entry.protocol}${entry.family === 6 ? '6' : ''}`,
    local: endpoint(entry.localHost, entry.localPort),
    remote: endpoint(entry.remoteHost, entry.remotePort),
    state: entry.state,
    'recv-q': entry.receiveQueue,
    'send-q': entry.sendQueue,
    process: entry.pid ? `${entry.pid}/${entry.program}` : '-',
  };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeReadlink(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return '';
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** 127.0.0.0/8 or ::1 (IPv4-mapped too): an address that never leaves this machine. */
export function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host.startsWith('::ffff:127.') || host === '::1';
}
