// Saving and loading graphs by file extension: .gexf (GEXF 1.3 or 1.2draft, for Gephi and
// networkx) and .json (graphology's serialization). Writes stream, piece by piece (lib/graph/stream.ts).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DirectedGraph } from 'graphology';
import type { SerializedGraph } from 'graphology-types';
import type { ArgsDef } from 'citty';
import { NetlabError, systemErrorCode } from '../errors.ts';
import { decorateGraph, type AppearanceOptions, type AppearanceReport } from './appearance.ts';
import type { EdgeLines } from './edge-lines.ts';
import { chooseGexfVersion, gexfPieces, type GexfOptions } from './gexf-writer.ts';
import { writePieces } from './stream.ts';
import { readGexf } from './gexf-read.ts';
import type { SocialGraph } from './types.ts';

export type GraphFormat = 'gexf' | 'json';

export interface WriteGraphOptions {
  /** Add communities, colours, sizes and positions the nodes lack (default true for GEXF). */
  decorate?: boolean;
  appearance?: AppearanceOptions;
  gexf?: GexfOptions;
  /** A GEXF's edge lines, made on a worker from the same follows (netlab graph random). */
  edgeLines?: EdgeLines;
  /** Ctrl-C: stops the write between two chunks, leaving no file. */
  signal?: AbortSignal;
}

/** The format a file name asks for, or a clear error. */
export function graphFormat(file: string): GraphFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.gexf') return 'gexf';
  if (extension === '.json') return 'json';
  throw new NetlabError('E_USAGE', `cannot tell the graph format of ${JSON.stringify(file)}`, {
    hint: 'name the file with .gexf (Gephi) or .json (graphology)',
  });
}

/** The flag of every command that writes GEXF. */
export const gexfVersionArg = {
  gexfVersion: {
    type: 'string',
    description: 'GEXF version of a .gexf output: 1.3 (default from config graph.gexfVersion) or 1.2draft (what networkx 2, as in Debian 12, reads)',
    valueHint: '1.3|1.2draft',
  },
} as const satisfies ArgsDef;

/**
 * The GEXF options a command's --gexf-version and the config ask for, checked before any work:
 * the flag on a command whose output is not GEXF is a mistake worth saying.
 */
export function gexfOptions(flag: string | undefined, configured: string, writesGexf: boolean): GexfOptions {
  const version = chooseGexfVersion(flag, configured);
  if (flag !== undefined && !writesGexf) {
    throw new NetlabError('E_USAGE', '--gexf-version applies to a .gexf output only', { hint: 'drop --gexf-version, or name the output FILE.gexf' });
  }
  return { version };
}

/** Writes `graph` to `file` (.gexf or .json), streaming, and reports how it was decorated. */
export async function writeGraphFile(graph: SocialGraph, file: string, options: WriteGraphOptions = {}): Promise<AppearanceReport | undefined> {
  const format = graphFormat(file);
  const report = (options.decorate ?? format === 'gexf') ? decorateGraph(graph, options.appearance) : undefined;
  const { edgeLines, signal } = options;
  // Whatever stopped the worker (a folder it may not write, a name too long for its file, a full
  // disk), the lines are made here instead, and this write says what is wrong, if anything.
  if (format === 'gexf' && edgeLines && (await edgeLines.written.then(() => true, () => false))) {
    try {
      await writeGraphPieces(gexfPieces(graph, { ...options.gexf, encodedEdges: { columns: edgeLines.columns, lines: edgeLines.chunks() } }), file, signal);
      return report;
    } catch (error) {
      // The worker's file took the room the output needed: once more without it.
      if (!isDiskFull(error instanceof Error ? error.cause : undefined)) throw error;
      await edgeLines.remove();
    }
  }
  await writeGraphPieces(format === 'gexf' ? gexfPieces(graph, options.gexf) : jsonPieces(graph), file, signal);
  return report;
}

/** writePieces, with the file system's complaints turned into NetlabErrors that name the file. */
export async function writeGraphPieces(pieces: Iterable<string | Uint8Array>, file: string, signal?: AbortSignal): Promise<void> {
  try {
    await writePieces(pieces, file, signal);
  } catch (error) {
    throw fileError(error, file, 'write');
  }
}

/** graphology's serialization (graph.export()), one node or edge at a time. */
export function* jsonPieces(graph: SocialGraph): Generator<string> {
  yield `{"attributes":${JSON.stringify(graph.getAttributes())},"options":${JSON.stringify({ type: graph.type, multi: graph.multi, allowSelfLoops: graph.allowSelfLoops })},"nodes":[`;
  let separator = '';
  for (const { node, attributes } of graph.nodeEntries()) {
    yield `${separator}\n{"key":${JSON.stringify(node)}${attributesField(attributes)}}`;
    separator = ',';
  }
  yield '\n],"edges":[';
  separator = '';
  for (const { edge, attributes, source, target, undirected } of graph.edgeEntries()) {
    yield `${separator}\n{"key":${JSON.stringify(edge)},"source":${JSON.stringify(source)},"target":${JSON.stringify(target)}${attributesField(attributes)}${undirected ? ',"undirected":true' : ''}}`;
    separator = ',';
  }
  yield '\n]}\n';
}

/** graph.export() leaves out an empty attributes object; so do we, for byte-for-byte the same data. */
function attributesField(attributes: object): string {
  const json = JSON.stringify(attributes);
  return json === '{}' ? '' : `,"attributes":${json}`;
}

/** Reads a .gexf or .json graph into a DirectedGraph (what every netlab graph is). */
export async function readGraphFile(file: string): Promise<SocialGraph> {
  const format = graphFormat(file);
  try {
    if (format === 'gexf') return await readGexf(file);
    return DirectedGraph.from(JSON.parse(await readFile(file, 'utf8')) as SerializedGraph) as SocialGraph;
  } catch (error) {
    if (systemErrorCode(error)) throw fileError(error, file, 'read');
    throw new NetlabError('E_INPUT', `${file} is not a directed ${format === 'json' ? 'graphology JSON' : 'GEXF'} graph: ${(error as Error).message}`, {
      hint: format === 'json' ? 'write it with `netlab graph random --out FILE.json` or graph.export()' : 'check it with xmllint, or re-export it from Gephi as a directed graph',
      cause: error,
    });
  }
}

function isDiskFull(error: unknown): boolean {
  const code = systemErrorCode(error);
  return code === 'ENOSPC' || code === 'EDQUOT';
}

function fileError(error: unknown, file: string, operation: 'read' | 'write'): NetlabError {
  const code = systemErrorCode(error);
  if (isDiskFull(error)) return new NetlabError('E_INPUT', `cannot write ${file}: the disk is full`, { hint: 'free some space, or write it elsewhere', cause: error });
  if (code === 'ENAMETOOLONG') return new NetlabError('E_USAGE', `cannot ${operation} ${file}: its name is too long`, { hint: 'a file name may have 255 bytes at most', cause: error });
  if (code === 'ENOENT') {
    return new NetlabError('E_NOT_FOUND', `cannot ${operation} ${file}: no such ${operation === 'read' ? 'file' : 'folder'}`, {
      hint: operation === 'read' ? 'check the path' : 'create the folder first',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new NetlabError('E_PERMISSION', `cannot ${operation} ${file}: permission denied`, { cause: error });
  }
  if (error instanceof NetlabError) return error;
  return new NetlabError('E_INPUT', `cannot ${operation} ${file}: ${(error as Error).message}`, { cause: error });
}
