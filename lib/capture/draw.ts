// From packets to a drawn diagram: read a capture file, or capture live into a private
// temporary file first (the tool writes it while the sockets' owners are watched), then build
// the diagram and render it in the format asked.

import dgram from 'node:dgram';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetlabError } from '../errors.ts';
import { writePieces } from '../graph/stream.ts';
import { startCapture, type CaptureOptions, type CaptureToolName } from '../net/capture.ts';
import { buildDiagram, defaultMaxArrows, type Diagram, type DiagramOptions } from './diagram.ts';
import { watchOwners } from './owners.ts';
import { readCaptureFile, type ReadOptions } from './packets.ts';
import { renderHtml } from './render-html.ts';
import { renderSvg } from './render-svg.ts';

export type DiagramFile = 'svg' | 'html';

/** The picture a file name asks for (x.svg, x.html), or undefined for any other name (a capture file). */
export function diagramFileFormat(file: string): DiagramFile | undefined {
  const extension = path.extname(file).toLowerCase();
  return extension === '.svg' ? 'svg' : extension === '.html' || extension === '.htm' ? 'html' : undefined;
}

export type FileDiagramOptions = Omit<ReadOptions, 'limit'> & DiagramOptions & { maxArrows?: number };

/** The diagram of a saved capture (pcap or pcapng). */
export async function diagramOfFile(file: string, options: FileDiagramOptions = {}): Promise<Diagram> {
  const capture = await readCaptureFile(file, { ...options, limit: options.maxArrows ?? defaultMaxArrows });
  return buildDiagram(capture, options);
}

export interface LiveDiagramOptions extends Omit<CaptureOptions, 'onLine' | 'writeFile' | 'hex'> {
  read?: Omit<FileDiagramOptions, 'signal'>;
  /** Called once the tool captures: the moment to make the traffic. */
  onReady?: (session: { tool: CaptureToolName; command: string[] }) => unknown;
  /**
   * The exchange to draw, made once the tool captures; the capture then stops as soon as the
   * tool has seen all of it (a marker datagram sent after it), instead of at count or duration.
   */
  traffic?: () => Promise<unknown>;
  /** Also keep the capture file (pcapng from tshark, pcap from tcpdump) under this name. */
  keepFile?: string;
}

/**
 * Captures live (until count, duration, abort or the end of `traffic`), then draws what was
 * captured, lanes named by their owners. `packets` is the tool's count (the markers included).
 */
export async function captureDiagram(options: LiveDiagramOptions): Promise<{ diagram: Diagram; tool: CaptureToolName; packets: number }> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'netlab-capture-'));
  const file = path.join(folder, 'capture.pcapng');
  const owners = watchOwners({ port: options.port });
  const marker = options.traffic ? await openMarker() : undefined;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  try {
    const portFilter = options.port === undefined ? undefined : `port ${options.port}`;
    const wanted = [portFilter, options.filter].filter(Boolean).map((filter) => `(${filter})`).join(' and ');
    const filter = marker ? `${wanted ? `(${wanted}) or ` : ''}(udp port ${marker.port})` : options.filter;
    const session = startCapture({
      ...options,
      port: marker ? undefined : options.port,
      filter,
      signal,
      writeFile: file,
      // The tool prints a line per packet as it writes it: the marker's line means all before it is in the file.
      onLine: (line) => marker && marker.seenIn(line) && stop.abort(),
    });
    await session.ready;
    await options.onReady?.(session);
    if (marker && options.traffic) {
      await options.traffic();
      marker.sendUntil(signal);
    }
    const { packets } = await session.finished;
    owners.stop();
    if (options.keepFile) copyFileSync(file, options.keepFile);
    const programs = new Map([...owners.programs, ...(options.read?.programs ?? [])]);
    const displayFilter = marker ? [`!(udp.port == ${marker.port})`, options.read?.displayFilter].filter(Boolean).join(' && ') : options.read?.displayFilter;
    // Not options.signal: Ctrl-C stops the capture, and what was captured is still drawn.
    const diagram = await diagramOfFile(file, { ...options.read, displayFilter, programs });
    return { diagram, tool: session.tool, packets };
  } finally {
    owners.stop();
    marker?.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A UDP socket on loopback that sends itself a datagram: the end-of-traffic marker. */
async function openMarker() {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  const ownPort = new RegExp(`\\b${port}\\b`);
  let timer: NodeJS.Timeout | undefined;
  return {
    port,
    /** tshark: "127.0.0.1 → 127.0.0.1 UDP 43 40000 → 40000 Len=1", tcpdump: "IP 127.0.0.1.40000 > 127.0.0.1.40000: UDP, length 1". */
    seenIn: (line: string) => /UDP/.test(line) && ownPort.test(line),
    /** Sends the marker, again every 200 ms in case the tool missed it, until the capture stops. */
    sendUntil(signal: AbortSignal) {
      const send = () => socket.send('.', port, '127.0.0.1');
      send();
      timer = setInterval(send, 200);
      signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    },
    close() {
      clearInterval(timer);
      socket.close();
    },
  };
}

/** Writes the SVG or HTML picture, complete or not at all (a temporary file renamed at the end). */
export async function writeDiagramFile(diagram: Diagram, file: string, title: string): Promise<void> {
  const format = diagramFileFormat(file);
  const text = format === 'html' ? renderHtml(diagram, title) : renderSvg(diagram);
  try {
    await writePieces([text], file);
  } catch (error) {
    throw new NetlabError('E_PERMISSION', `cannot write ${file}: ${(error as Error).message}`, { hint: 'choose a folder you may write in', cause: error });
  }
}
