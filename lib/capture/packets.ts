// The packets of a capture file as typed records: tshark dissects (`-T fields`, one line per
// packet, one column per field) and this module reads its columns. capinfos counts the file first:
// it also tells a damaged file, or one of a link type Wireshark does not know, before tshark runs.

import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { NetlabError } from '../errors.ts';
import { findExecutable } from '../executables.ts';

/** An address and, for TCP and UDP, a port. */
export interface Endpoint {
  address: string;
  port?: number;
}

export interface TcpHeader {
  /** The flag bits of RFC 9293 §3.1 (FIN 0x01 … CWR 0x80). */
  flags: number;
  /** Relative to the first of its direction (tshark's default), so the SYN has seq 0. */
  seq: number;
  ack: number;
  /** tshark's connection number: the packets of one connection share it. */
  stream: number;
}

export interface IcmpMessage {
  type: number;
  code: number;
  /** The datagram an ICMP error quotes (RFC 792): its ports, as the answered datagram carried them. */
  quoted?: { transport: 'udp' | 'tcp'; sourcePort: number; destinationPort: number };
}

export interface Packet {
  /** Its number in the file, from 1 (as Wireshark numbers it). */
  number: number;
  /** Seconds since the first packet of the file. */
  time: number;
  transport: 'tcp' | 'udp' | 'icmp' | 'other';
  source: Endpoint;
  destination: Endpoint;
  tcp?: TcpHeader;
  icmp?: IcmpMessage;
  /** The transport's payload length (TCP segment or UDP datagram data). */
  payloadLength: number;
  /** Its first bytes (payloadBytesKept at most). */
  payload: Buffer;
  /** What the application protocol's dissector read in it ("USER anna", "227 Entering Passive Mode…"). */
  application?: string;
  /**
   * The finger text (RFC 1288) tshark reassembled up to this packet. Its dissector reads a whole
   * direction up to the FIN and cannot tell query from answer on a port it was told to decode:
   * the diagram puts the text back on the segment that carried it, and names it by direction.
   */
  finger?: string;
  /** "eth:ethertype:ip:tcp:ftp", as tshark names the layers. */
  protocols: string;
  /** tshark's one-line summary (its Info column), analysis notes included. */
  summary: string;
}

const payloadBytesKept = 64;

/** The fields asked of tshark, in the order of its columns. Each is read by `fieldReader` below. */
const fields = [
  'frame.number', 'frame.time_relative', 'frame.protocols', '_ws.col.Info',
  'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
  'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'tcp.len', 'tcp.stream', 'tcp.payload',
  'udp.srcport', 'udp.dstport', 'udp.length', 'udp.payload',
  'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
  'ftp.request.command', 'ftp.request.arg', 'ftp.response.code', 'ftp.response.arg', 'ftp-data.command',
  'finger.query', 'finger.response',
  'http.request.method', 'http.request.uri', 'http.response.code', 'http.response.phrase', 'http.file_data',
] as const;
type Field = (typeof fields)[number];

export interface ReadOptions {
  /** Dissect at most this many packets (the diagram is bounded: the rest is only counted). */
  limit: number;
  /** tshark's "decode as": `tcp.port==7979` → `finger`, for ports IANA does not know as the lab uses them. */
  decodeAs?: string[];
  /** A tshark display filter (`-Y`), e.g. "tcp.port == 8016". */
  displayFilter?: string;
  /** PATH to find tshark and capinfos in (tests narrow it). */
  searchPath?: string;
  signal?: AbortSignal;
}

export interface CaptureFile {
  packets: Packet[];
  /** Packets in the file (capinfos's count): more than `packets` when the limit cut the reading. */
  total: number;
  /** "ether", "linux-sll"…: the link type, as Wireshark names it. */
  linkType: string;
  /** True when a display filter chose the packets (then `total` counts the others too). */
  filtered: boolean;
  /** The limit the reading stopped at, if it did. */
  limitReached: boolean;
}

/** The packets of a pcap or pcapng file (Wireshark's, tcpdump's, ours), the first `limit` of them dissected. */
export async function readCaptureFile(file: string, options: ReadOptions): Promise<CaptureFile> {
  const { total, linkType } = await countPackets(file, options);
  const tshark = requireTool('tshark', options.searchPath);
  const args = ['-r', file, '-n', '-c', String(options.limit), '-T', 'fields', '-E', 'occurrence=f', ...(options.decodeAs ?? [])];
  if (options.displayFilter) args.push('-Y', options.displayFilter);
  for (const field of fields) args.push('-e', field);
  const stdout = await run(tshark, args, file, options.signal);
  const packets = stdout.split('\n').filter((line) => line.length > 0).map(parseFieldLine);
  return { packets, total, linkType, filtered: Boolean(options.displayFilter), limitReached: packets.length >= options.limit };
}

/** One line of `tshark -T fields` (tab-separated, in the order of `fields`) as a packet. */
function parseFieldLine(line: string): Packet {
  const columns = line.split('\t');
  // tshark writes a string's CR, LF, tab and backslash as \r, \n, \t and \\ (one packet, one line).
  const text = (field: Field) => (columns[fields.indexOf(field)] ?? '').replace(/\\([rnt\\])/g, (_, c: string) => ({ r: '\r', n: '\n', t: '\t' })[c] ?? c);
  const number = (field: Field) => (text(field) === '' ? undefined : Number(text(field)));
  const hex = (field: Field) => Buffer.from(text(field).slice(0, payloadBytesKept * 2), 'hex');
  const address = (v4: Field, v6: Field) => text(v4) || text(v6);
  const source: Endpoint = { address: address('ip.src', 'ipv6.src') };
  const destination: Endpoint = { address: address('ip.dst', 'ipv6.dst') };
  const protocols = text('frame.protocols');
  const layers = protocols.split(':');
  const base = { number: number('frame.number') ?? 0, time: number('frame.time_relative') ?? 0, protocols, summary: text('_ws.col.Info'), source, destination };
  const icmpType = number('icmp.type') ?? number('icmpv6.type');
  if (icmpType !== undefined) {
    // An ICMP error carries the header of the datagram it answers: tshark dissects it too, so the
    // udp/tcp ports here are the quoted datagram's (RFC 792, "Destination Unreachable Message").
    const quotedTransport: 'udp' | 'tcp' | undefined = layers.includes('udp') ? 'udp' : layers.includes('tcp') ? 'tcp' : undefined;
    const sourcePort = number(quotedTransport === 'tcp' ? 'tcp.srcport' : 'udp.srcport');
    const destinationPort = number(quotedTransport === 'tcp' ? 'tcp.dstport' : 'udp.dstport');
    const quoted = quotedTransport && sourcePort !== undefined && destinationPort !== undefined ? { transport: quotedTransport, sourcePort, destinationPort } : undefined;
    const payload = quotedTransport === 'udp' ? hex('udp.payload') : Buffer.alloc(0);
    return { ...base, transport: 'icmp', icmp: { type: icmpType, code: number('icmp.code') ?? number('icmpv6.code') ?? 0, quoted }, payloadLength: payload.length, payload };
  }
  if (text('tcp.srcport')) {
    source.port = number('tcp.srcport');
    destination.port = number('tcp.dstport');
    const tcp = { flags: Number.parseInt(text('tcp.flags'), 16) || 0, seq: number('tcp.seq') ?? 0, ack: number('tcp.ack') ?? 0, stream: number('tcp.stream') ?? 0 };
    const finger = text('finger.query') || text('finger.response') || undefined;
    return { ...base, transport: 'tcp', tcp, payloadLength: number('tcp.len') ?? 0, payload: hex('tcp.payload'), application: applicationMeaning(text), finger };
  }
  if (text('udp.srcport')) {
    source.port = number('udp.srcport');
    destination.port = number('udp.dstport');
    const payload = hex('udp.payload');
    return { ...base, transport: 'udp', payloadLength: Math.max(0, (number('udp.length') ?? 8) - 8), payload, application: applicationMeaning(text) };
  }
  return { ...base, transport: 'other', payloadLength: 0, payload: Buffer.alloc(0) };
}

/** What the application protocol says, in the words of its dissector; undefined for plain bytes. */
function applicationMeaning(text: (field: Field) => string): string | undefined {
  const joined = (...parts: string[]) => parts.filter(Boolean).join(' ');
  // RFC 959 §4: a command is a verb and its argument; a reply is a code and its text.
  if (text('ftp.request.command')) return joined(text('ftp.request.command'), text('ftp.request.arg'));
  if (text('ftp.response.code')) return joined(text('ftp.response.code'), text('ftp.response.arg'));
  if (text('ftp-data.command')) return `ftp-data (${text('ftp-data.command')})`;
  if (text('http.request.method') || text('http.response.code')) return xmlRpcMeaning(text);
  return undefined;
}

/**
 * An XML-RPC call is an HTTP POST whose body names the method (<methodName>); its answer is a
 * <methodResponse> holding <params> or a <fault> with faultCode and faultString
 * (http://xmlrpc.com/spec.md). tshark's http dissector reassembles the body (http.file_data).
 */
function xmlRpcMeaning(text: (field: Field) => string): string {
  const body = text('http.file_data');
  const request = text('http.request.method') ? `${text('http.request.method')} ${text('http.request.uri')}` : undefined;
  const method = /<methodName>\s*([^<]*?)\s*<\/methodName>/.exec(body)?.[1];
  if (request) return method ? `${request} call ${method}` : request;
  const status = `HTTP ${text('http.response.code')} ${text('http.response.phrase')}`.trim();
  if (/<fault>/.test(body)) {
    const member = (name: string) => new RegExp(`<name>${name}</name>\\s*<value>\\s*(?:<(?:int|i4|string)>)?([^<]*)`).exec(body)?.[1];
    return `${status} fault ${member('faultCode') ?? '?'}: ${member('faultString') ?? ''}`.trim();
  }
  return /<methodResponse>/.test(body) ? `${status} response` : status;
}

/** capinfos's packet count and link type; its complaint about a damaged file, in our words. */
async function countPackets(file: string, options: Pick<ReadOptions, 'searchPath' | 'signal'>): Promise<{ total: number; linkType: string }> {
  refuseNonFile(file);
  const capinfos = requireTool('capinfos', options.searchPath);
  // -M: exact counts, -T: one tab-separated line, -c: packets, -E: encapsulation (the link type).
  const line = (await run(capinfos, ['-M', '-T', '-r', '-c', '-E', file], file, options.signal)).trim().split('\n').pop() ?? '';
  const columns = line.split('\t');
  return { linkType: columns.at(-2) ?? '?', total: Number(columns.at(-1)) || 0 };
}

/** A folder, or an empty file, is no capture (capinfos would read an empty file as 0 packets). */
function refuseNonFile(file: string): void {
  const found = statSync(file, { throwIfNoEntry: false });
  const hint = 'read a file saved by tcpdump -w, tshark -w, Wireshark or `netlab capture --out x.pcap`';
  if (found?.isDirectory()) throw new NetlabError('E_INPUT', `${file} is a folder, not a capture file`, { hint });
  if (found?.isFile() && found.size === 0) throw new NetlabError('E_INPUT', `${file} is empty: not a capture file (pcap or pcapng)`, { hint });
}

function requireTool(name: 'tshark' | 'capinfos', searchPath?: string): string {
  const file = findExecutable(name, searchPath);
  if (file) return file;
  throw new NetlabError('E_TOOL_MISSING', `${name} is not installed: the diagram needs Wireshark's dissectors`, {
    hint: 'install it: sudo apt install tshark (macOS: brew install wireshark)',
  });
}

/** Runs a Wireshark tool (never through a shell) and explains its failure in one sentence. */
function run(program: string, args: string[], file: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { maxBuffer: 512 * 1024 * 1024, signal, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if (error.name === 'AbortError') return reject(new NetlabError('E_INTERRUPTED', 'stopped before the capture file was read'));
      reject(explainReadFailure(file, stderr, error));
    });
  });
}

/** The sentence for each way a capture file can be unreadable (wiretap's errors, as tshark and capinfos word them). */
function explainReadFailure(file: string, stderr: string, cause?: unknown): NetlabError {
  const said = (pattern: RegExp) => pattern.test(stderr);
  const details = { file, stderr: stderr.split('\n').filter((line) => line.trim() && !/Running as user|could be dangerous/.test(line)).slice(-4).join('\n') };
  const input = (message: string, hint: string) => new NetlabError('E_INPUT', message, { details, hint, cause });
  if (said(/doesn't exist|No such file/)) return new NetlabError('E_NOT_FOUND', `there is no capture file ${JSON.stringify(file)}`, { details, hint: 'check the path; `netlab capture --out x.pcap` saves one', cause });
  if (said(/Permission denied|don't have permission/)) return new NetlabError('E_PERMISSION', `this user may not read ${JSON.stringify(file)}`, { details, hint: 'check the file\'s mode (ls -l)', cause });
  const linkType = /network type (\d+)/.exec(stderr)?.[1];
  if (linkType || said(/record data that \w+ doesn't support|encapsulation .* not supported/)) {
    return input(`${file} holds packets of a link type Wireshark does not know${linkType ? ` (${linkType})` : ''}`, 'capture on an ordinary interface (lo, eth0, any), as tcpdump or tshark save it');
  }
  const after = /after reading (\d+) packets/.exec(stderr)?.[1];
  if (said(/cut short in the middle of a packet/)) {
    return input(`${file} is cut short in the middle of a packet${after ? ` (after ${after} whole packets)` : ''}`, `the capture was interrupted while writing; editcap keeps the whole packets: editcap ${file} whole.pcap`);
  }
  if (said(/damaged or corrupt/)) return input(`${file} is damaged: ${/\((?:pcap|pcapng): ([^)]*)\)/.exec(stderr)?.[1] ?? 'a record does not make sense'}`, 'capture it again, or open it in Wireshark to see what is left');
  if (said(/isn't a capture file|unknown file format|understands/)) return input(`${file} is not a capture file (pcap or pcapng)`, 'read a file saved by tcpdump -w, tshark -w, Wireshark or `netlab capture --out x.pcap`');
  if (said(/display filter|isn't a valid|was unexpected|neither a field nor a protocol/)) {
    return input(`tshark rejected the display filter: ${details.stderr.split('\n')[0]}`, 'with --read, -f is a Wireshark display filter, e.g. "tcp.port == 8016"');
  }
  return new NetlabError('E_REMOTE', `tshark could not read ${file}: ${details.stderr.replace(/\n/g, ' ') || 'no message'}`, { details, cause });
}
