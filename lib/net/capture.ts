// Watching what crosses the wire: runs tshark or tcpdump (whichever is installed) on an interface,
// filtered on a port, and always stops — after a packet count or a duration, whichever comes first.

import { spawn } from 'node:child_process';
import { NetlabError } from '../errors.ts';
import { findExecutable } from '../executables.ts';

export type CaptureToolName = 'tshark' | 'tcpdump';

export interface CaptureOptions {
  /** Which tool; default: tshark if installed (it names protocols), else tcpdump. */
  tool?: CaptureToolName;
  /** Interface: loopback by default (lo on Linux, lo0 on BSD and macOS). */
  interface?: string;
  /** Only packets to or from this port. */
  port?: number;
  /** A further BPF expression ("tcp[tcpflags] & tcp-syn != 0"), handed to the tool as one argument. */
  filter?: string;
  /** Stop after this many packets. */
  count: number;
  /** Stop after this long, even if fewer packets came. */
  durationMs: number;
  /** Show each packet's bytes (hex and ASCII) under its summary line. */
  hex?: boolean;
  /** Also save the packets to this file (pcapng from tshark, pcap from tcpdump; Wireshark opens both). */
  writeFile?: string;
  /** netlab's ports by service (config.ports): tshark decodes each as its lab's protocol. */
  labPorts?: Record<string, number>;
  signal?: AbortSignal;
  /** Each line the tool prints about the packets. */
  onLine: (line: string) => void;
  /** PATH to look for the tools in (tests narrow it). */
  searchPath?: string;
}

export interface CaptureSession {
  tool: CaptureToolName;
  /** The program and arguments run (never through a shell). */
  command: string[];
  /** Resolves once the tool is capturing (send test traffic after this). */
  ready: Promise<void>;
  /** Resolves when the tool has stopped, with the packet count it reported. */
  finished: Promise<{ packets: number }>;
}

export const defaultInterface = process.platform === 'linux' ? 'lo' : 'lo0';

/** The BPF filter: the port, and the user's expression, both required. */
export function captureFilter(options: Pick<CaptureOptions, 'port' | 'filter'>): string | undefined {
  const parts = [options.port === undefined ? undefined : `port ${options.port}`, options.filter ? `(${options.filter})` : undefined];
  return parts.filter(Boolean).join(' and ') || undefined;
}

/**
 * What each of netlab's services speaks, for tshark's "decode as". tshark picks a dissector from
 * IANA's port list, which knows nothing of the lab: it reads UDP 9875 as SAP (RFC 2974) and
 * prints "[Malformed Packet]", and it would miss finger on 7979 or XML-RPC's HTTP on 8700.
 * The sockets lab's own ports carry plain bytes: `data`. Plugins' ports are left to tshark.
 */
const labProtocols: Record<string, { transport: 'tcp' | 'udp'; protocol: string }> = {
  udp: { transport: 'udp', protocol: 'data' },
  tcp: { transport: 'tcp', protocol: 'data' },
  finger: { transport: 'tcp', protocol: 'finger' },
  ftp: { transport: 'tcp', protocol: 'ftp' },
  calc: { transport: 'tcp', protocol: 'http' },
  annuaire: { transport: 'tcp', protocol: 'http' },
};

/** tshark's `-d tcp.port==7979,finger` for each lab port (every one, not only the captured one). */
export function decodeAsArguments(ports: Record<string, number>): string[] {
  const selectors = new Map<string, string>();
  for (const [service, port] of Object.entries(ports)) {
    const known = labProtocols[service];
    // Port 0 means "any free port": there is nothing to decode. A port named twice: the first wins.
    const selector = known && port > 0 ? `${known.transport}.port==${port}` : undefined;
    if (selector && !selectors.has(selector)) selectors.set(selector, known.protocol);
  }
  return [...selectors].flatMap(([selector, protocol]) => ['-d', `${selector},${protocol}`]);
}

/** The tool's argument list: -l (a line per packet as it comes), -n (no DNS lookups), -c count. */
export function captureArguments(tool: CaptureToolName, options: Omit<CaptureOptions, 'onLine' | 'durationMs'>): string[] {
  const filter = captureFilter(options);
  const args = ['-i', options.interface ?? defaultInterface, '-n', '-l', '-c', String(options.count)];
  if (tool === 'tshark') {
    // -x alone prints only the bytes; -P keeps the summary line above them (and while writing -w).
    if (options.hex) args.push('-x');
    if (options.hex || options.writeFile) args.push('-P');
    if (options.writeFile) args.push('-w', options.writeFile);
    // tshark writes pcapng unless told: a file named .pcap gets what its name says (tcpdump's format).
    if (options.writeFile?.endsWith('.pcap')) args.push('-F', 'pcap');
    if (options.labPorts) args.push(...decodeAsArguments(options.labPorts));
    if (filter) args.push('-f', filter);
  } else {
    // Each packet as it comes: without it, libpcap hands packets over by the buffer-full (or
    // after a timeout), and those still buffered when the capture is stopped are lost.
    args.push('--immediate-mode');
    if (options.hex) args.push('-X');
    if (options.writeFile) args.push('--print', '-w', options.writeFile);
    // As root, tcpdump drops to the user "tcpdump" once capturing, who may not write where the
    // file goes (a private temporary folder): -Z keeps the user running it, who owns the file.
    if (options.writeFile && process.getuid?.() === 0) args.push('-Z', 'root');
    if (filter) args.push(filter);
  }
  return args;
}

/** Starts the capture; it ends by itself after `count` packets or `durationMs`, or on abort. */
export function startCapture(options: CaptureOptions): CaptureSession {
  const wanted = options.tool ? [options.tool] : (['tshark', 'tcpdump'] as const);
  const found = wanted.map((tool) => ({ tool, file: findExecutable(tool, options.searchPath) })).find((entry) => entry.file);
  if (!found?.file) {
    const what = wanted.length > 1 ? `neither ${wanted.join(' nor ')} is installed` : `${wanted[0]} is not installed`;
    throw new NetlabError('E_TOOL_MISSING', what, {
      hint: `install one: sudo apt install ${wanted.join(' ')} (macOS: brew install ${wanted[0] === 'tshark' ? 'wireshark' : 'tcpdump'})`,
    });
  }
  const { tool, file } = found;
  const args = captureArguments(tool, options);
  // Its own process group: tshark captures through a dumpcap child, and a signal must reach both.
  // A dumpcap left behind (tshark killed before it could stop it) would hold our pipes open, and
  // the capture would never end.
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  let stderr = '';
  let packets: number | undefined;
  let summaries = 0; // one line per packet, besides its hex dump: the count when the tool gives none
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  // Both tools print their statistics and exit on SIGINT. tshark loses one that comes while it is
  // still starting (seen on a loaded machine: a 1 s capture ran until the SIGKILL), so the stop
  // is repeated each second until the tool is gone; SIGKILL is the last resort.
  let stopping = false;
  let repeat: NodeJS.Timeout | undefined;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    signalGroup('SIGINT');
    repeat = setInterval(() => signalGroup('SIGINT'), 1_000);
  };
  const timer = setTimeout(stop, options.durationMs);
  const hardStop = setTimeout(() => signalGroup('SIGKILL'), options.durationMs + 5_000);
  options.signal?.addEventListener('abort', stop, { once: true });

  forEachLine(child.stdout, (line) => {
    if (!line.trim()) return; // tcpdump ends with an empty line when interrupted; -x separates packets with one
    if (!isHexDumpLine(line)) summaries++;
    options.onLine(line);
  });
  forEachLine(child.stderr, (line) => {
    // tcpdump: "listening on lo, link-type …" once it captures. tshark says "Capturing on 'lo'"
    // before its dumpcap child is live, then "-- Capture started." (a second later, at worst).
    if (/^(tcpdump: )?listening on |-- Capture started/.test(line)) markReady();
    if (/^Capturing on /.test(line)) setTimeout(markReady, 1_000).unref();
    const captured = /^(\d+) packets? captured/.exec(line);
    if (captured) packets = Number(captured[1]);
    stderr += `${line}\n`;
  });

  const finished = new Promise<{ packets: number }>((resolve, reject) => {
    child.once('error', (error) => reject(new NetlabError('E_TOOL_MISSING', `cannot run ${file}: ${error.message}`, { cause: error })));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(hardStop);
      clearInterval(repeat);
      options.signal?.removeEventListener('abort', stop);
      // Killed by our own stop (SIGINT, or SIGKILL when it did not listen) is a normal end.
      if (code === 0 || (stopping && signal !== null)) resolve({ packets: packets ?? summaries });
      else reject(explainFailure(tool, options.interface ?? defaultInterface, stderr, code));
    });
  });
  finished.catch(() => undefined); // whoever awaits `ready` first still sees the failure there
  // A tool that fails before capturing (no rights, no such interface) rejects `ready` too.
  return { tool, command: [file, ...args], ready: Promise.race([ready, finished.then(() => undefined)]), finished };
}

/** The tool's complaint in our words: no capture rights, no such interface, a bad filter. */
function explainFailure(tool: CaptureToolName, iface: string, stderr: string, code: number | null): NetlabError {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line && !/Running as user|could be dangerous|^tshark:$|packets? captured/.test(line));
  const said = (pattern: RegExp) => lines.find((line) => pattern.test(line));
  const details = { tool, interface: iface, exitCode: code, stderr: lines.slice(-5).join('\n') };
  if (said(/permission to (capture|perform this capture)|Operation not permitted/i)) {
    return new NetlabError('E_PERMISSION', `${tool} may not capture on ${iface}: this user lacks capture rights`, {
      details,
      hint:
        tool === 'tshark'
          ? 'run as root (sudo), or: sudo dpkg-reconfigure wireshark-common && sudo usermod -aG wireshark $USER (then log in again)'
          : 'run as root (sudo), or: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v tcpdump)',
    });
  }
  if (said(/No such device|There is no device named|doesn't exist/i)) {
    return new NetlabError('E_INPUT', `there is no interface named ${JSON.stringify(iface)}`, {
      details,
      hint: '`ip link` lists the interfaces; lo is the loopback',
    });
  }
  const badFilter = said(/Invalid capture filter|can't parse filter|syntax error/i);
  if (badFilter) {
    return new NetlabError('E_INPUT', `${tool} rejected the capture filter: ${badFilter}`, {
      details,
      hint: 'the filter is a BPF expression, e.g. "tcp and port 8016" (man pcap-filter)',
    });
  }
  return new NetlabError('E_REMOTE', `${tool} failed (exit ${code}): ${lines.slice(-3).join(' ') || 'no message'}`, { details });
}

/** A line of a packet's bytes: tshark -x "0020  00 01 …  ..hi!", tcpdump -X "\t0x0010:  …". */
function isHexDumpLine(line: string): boolean {
  return /^[0-9a-f]{4,}  |^\s+0x[0-9a-f]{4}:/.test(line);
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => pending && onLine(pending));
}
