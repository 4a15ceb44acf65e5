// A streaming GEXF writer (1.3, or 1.2draft for older readers): typed attribute declarations,
// viz size/colour/position, and the document produced piece by piece so a million-edge graph
// never becomes one giant string.

import type { AbstractGraph, Attributes } from 'graphology-types';
import { NetlabError } from '../errors.ts';
import { labelOf } from './types.ts';
import { escapeXml } from '../xml-escape.ts';

export const gexfVersions = ['1.3', '1.2draft'] as const;
export type GexfVersion = (typeof gexfVersions)[number];

/**
 * What differs between the two versions we write. From their official XSDs: namespace, version
 * and z (required on a 1.2draft position). Everything else we write is valid in both: meta
 * lastmodifieddate (xs:date), graph mode/defaultedgetype, the five attribute types we declare
 * (1.3 only adds more), edge type and weight, r/g/b colours with an optional alpha. We never
 * write what only 1.3 has (edge kind, colour hex, the extra types), and always write the edge id
 * 1.2draft requires. Where the viz elements go is the readers' choice, not the XSDs' (below).
 */
interface Dialect {
  namespace: string;
  vizNamespace: string;
  /** The version attribute: 1.2draft files say version="1.2". */
  version: string;
  /** Where viz elements go unless the caller says (see GexfOptions.vizElements). */
  vizElements: 'gexf' | 'viz';
  /** 1.2draft's viz XSD makes z required on <position>; 1.3 made it optional. */
  positionNeedsZ: boolean;
}

const dialects: Record<GexfVersion, Dialect> = {
  '1.3': { namespace: 'http://gexf.net/1.3', vizNamespace: 'http://gexf.net/1.3/viz', version: '1.3', vizElements: 'gexf', positionNeedsZ: false },
  // networkx 2.x reads viz data only as viz:color… in this viz namespace, with the www. host.
  '1.2draft': { namespace: 'http://www.gexf.net/1.2draft', vizNamespace: 'http://www.gexf.net/1.2draft/viz', version: '1.2', vizElements: 'viz', positionNeedsZ: true },
};

/** The version a command writes: its --gexf-version flag, else the graph.gexfVersion setting. */
export function chooseGexfVersion(flag: string | undefined, configured: string): GexfVersion {
  const [value, where] = flag === undefined ? [configured, 'config graph.gexfVersion'] : [flag, '--gexf-version'];
  if ((gexfVersions as readonly string[]).includes(value)) return value as GexfVersion;
  throw new NetlabError(flag === undefined ? 'E_CONFIG' : 'E_USAGE', `${where} ${JSON.stringify(value)} is not 1.3 or 1.2draft`, {
    hint: 'use 1.3 (Gephi, networkx 3, graphology-gexf) or 1.2draft (networkx 2, as in Debian 12)',
  });
}

export interface GexfOptions {
  /** GEXF 1.3 (default) or 1.2draft, for readers that stop at 1.2 (networkx 2.x). */
  version?: GexfVersion;
  /**
   * Where the viz elements (color, position, size) go. 'gexf' (the 1.3 default) follows the
   * official XSDs, which declare them in the GEXF namespace, so the file validates; Gephi reads
   * them by local name either way. 'viz' (the 1.2draft default) writes them as viz:color… in the
   * viz namespace, as the primers show and as networkx's reader expects.
   */
  vizElements?: 'gexf' | 'viz';
  /** The <meta> creator and description. */
  creator?: string;
  description?: string;
  /** The <meta lastmodifieddate> (default: today). */
  lastModified?: Date;
  /**
   * The <edge> lines, already made and encoded, in place of the graph's edges, with the columns
   * they were made with: `netlab graph random` makes them on a worker thread while it builds the
   * graph (lib/graph/edge-lines.ts). They must be what edgeLines() makes of the graph's edges.
   */
  encodedEdges?: { columns: AttributeColumn[]; lines: Iterable<Uint8Array> };
}

type GexfType = 'boolean' | 'integer' | 'long' | 'double' | 'string';

export interface AttributeColumn {
  key: string;
  /** Attribute ids are the names themselves: readable in the file and in Gephi's data table. */
  id: string;
  type: GexfType;
}

/** Node attributes that are drawing data (viz elements and the label), not data columns. */
const drawingKeys = new Set(['x', 'y', 'z', 'size', 'color', 'label']);

/** Edge attributes GEXF has XML attributes for. */
const edgeXmlKeys = new Set(['weight', 'label']);

const int32 = 2 ** 31;

function typeOf(value: unknown): GexfType | undefined {
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      if (!Number.isFinite(value)) return undefined;
      if (!Number.isInteger(value)) return 'double';
      return value >= -int32 && value < int32 ? 'integer' : Number.isSafeInteger(value) ? 'long' : 'double';
    case 'bigint':
      return 'long';
    case 'string':
      return 'string';
    case 'undefined':
      return undefined;
    default:
      return value === null ? undefined : 'string';
  }
}

/** The narrowest GEXF type that holds both (integer ⊂ long ⊂ double; anything mixed is a string). */
function widen(a: GexfType | undefined, b: GexfType): GexfType {
  if (a === undefined || a === b) return b;
  const numeric: GexfType[] = ['integer', 'long', 'double'];
  if (numeric.includes(a) && numeric.includes(b)) return numeric[Math.max(numeric.indexOf(a), numeric.indexOf(b))];
  return 'string';
}

/**
 * One pass over the attribute objects, which `forEach` hands to its callback (graphology's
 * forEachNode or forEachEdge: no entry object per edge, as an iterator makes): every key seen,
 * with the type all its values fit.
 */
export function inferColumns(forEach: (visit: (key: string, attributes: Attributes) => void) => void, skip: Set<string> = new Set()): AttributeColumn[] {
  const types = new Map<string, GexfType | undefined>();
  forEach((_key, attributes) => {
    for (const key in attributes) {
      if (skip.has(key)) continue;
      const type = typeOf(attributes[key]);
      if (type === undefined) {
        if (!types.has(key)) types.set(key, undefined);
      } else types.set(key, widen(types.get(key), type));
    }
  });
  const rank = (key: string) => (accountKeys.includes(key) ? accountKeys.indexOf(key) : accountKeys.length);
  return [...types]
    .filter(([, type]) => type !== undefined)
    .map(([key, type]) => ({ key, id: escapeXml(key), type: type! }))
    .sort((a, b) => rank(a.key) - rank(b.key)); // stable: other keys keep the order they were met in
}

/** Columns in the order a person reads an account (then any other attribute). */
const accountKeys = ['handle', 'name', 'followers', 'following', 'posts', 'created', 'provider', 'providerId', 'community', 'mutual'];

function formatValue(value: unknown, type: GexfType): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (type === 'string') return escapeXml(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  return String(value);
}

function attvalues(attributes: Attributes, columns: AttributeColumn[]): string {
  let xml = '';
  for (const column of columns) {
    const value = formatValue(attributes[column.key], column.type);
    if (value !== undefined) xml += `<attvalue for="${column.id}" value="${value}"/>`;
  }
  return xml === '' ? '' : `<attvalues>${xml}</attvalues>`;
}

function declarations(kind: 'node' | 'edge', columns: AttributeColumn[]): string {
  if (columns.length === 0) return '';
  const lines = columns.map((c) => `      <attribute id="${c.id}" title="${escapeXml(c.key)}" type="${c.type}"/>\n`);
  return `    <attributes class="${kind}" mode="static">\n${lines.join('')}    </attributes>\n`;
}

/** "#e6194b", "#abc" or "rgb(1, 2, 3)" → GEXF r/g/b attributes (other CSS colours are skipped). */
export function colorAttributes(color: unknown): string | undefined {
  if (typeof color !== 'string') return undefined;
  let match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (match) return `r="${parseInt(match[1], 16)}" g="${parseInt(match[2], 16)}" b="${parseInt(match[3], 16)}"`;
  match = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(color);
  if (match) return `r="${parseInt(match[1], 16) * 17}" g="${parseInt(match[2], 16) * 17}" b="${parseInt(match[3], 16) * 17}"`;
  match = /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(color);
  if (!match) return undefined;
  const [r, g, b] = [match[1], match[2], match[3]].map((v) => Math.min(255, Number(v)));
  const alpha = match[4] === undefined || !Number.isFinite(Number(match[4])) ? '' : ` a="${Math.min(1, Number(match[4]))}"`;
  return `r="${r}" g="${g}" b="${b}"${alpha}`;
}

function vizXml(attributes: Attributes, prefix: string, needsZ: boolean): string {
  let xml = '';
  if (typeof attributes.size === 'number' && Number.isFinite(attributes.size) && attributes.size >= 0) xml += `<${prefix}size value="${attributes.size}"/>`;
  const color = colorAttributes(attributes.color);
  if (color) xml += `<${prefix}color ${color}/>`;
  const { x, y, z } = attributes;
  if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y)) {
    const depth = typeof z === 'number' && Number.isFinite(z) ? z : needsZ ? 0 : undefined;
    xml += `<${prefix}position x="${x}" y="${y}"${depth === undefined ? '' : ` z="${depth}"`}/>`;
  }
  return xml;
}

/** How many characters of nodes or edges gexfPieces gathers before yielding them. */
const batchLength = 16_384;

/** The GEXF document, a few hundred nodes or edges at a time (see writePieces). */
export function* gexfPieces(graph: AbstractGraph, options: GexfOptions = {}): Generator<string | Uint8Array> {
  const dialect = dialects[options.version ?? '1.3'];
  const prefix = (options.vizElements ?? dialect.vizElements) === 'viz' ? 'viz:' : '';
  const { namespace } = dialect;
  const nodeColumns = inferColumns((visit) => graph.forEachNode(visit), drawingKeys);
  const edgeColumns = options.encodedEdges?.columns ?? inferColumns((visit) => graph.forEachEdge(visit), edgeXmlKeys);
  const date = (options.lastModified ?? new Date()).toISOString().slice(0, 10);
  const defaultEdgeType = graph.type === 'undirected' ? 'undirected' : 'directed';

  yield `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<gexf xmlns="${namespace}" xmlns:viz="${dialect.vizNamespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
    `xsi:schemaLocation="${namespace} ${namespace}/gexf.xsd" version="${dialect.version}">\n` +
    `  <meta lastmodifieddate="${date}">\n` +
    `    <creator>${escapeXml(options.creator ?? 'netlab')}</creator>\n` +
    (options.description ? `    <description>${escapeXml(options.description)}</description>\n` : '') +
    `  </meta>\n` +
    `  <graph mode="static" defaultedgetype="${defaultEdgeType}">\n` +
    declarations('node', nodeColumns) +
    declarations('edge', edgeColumns) +
    `    <nodes count="${graph.order}">\n`;

  // Nodes and edges are yielded some 16 K characters at a time rather than one by one: a million
  // fewer generator resumptions (and pieces for writePieces to join).
  let batch = '';
  for (const { node, attributes } of graph.nodeEntries()) {
    batch += `      <node id="${escapeXml(node)}" label="${escapeXml(labelOf(node, attributes))}">${attvalues(attributes, nodeColumns)}${vizXml(attributes, prefix, dialect.positionNeedsZ)}</node>\n`;
    if (batch.length < batchLength) continue;
    yield batch;
    batch = '';
  }
  yield `${batch}    </nodes>\n    <edges count="${graph.size}">\n`;
  yield* options.encodedEdges?.lines ?? edgeLines(graph.edgeEntries(), edgeColumns, defaultEdgeType);
  yield `    </edges>\n  </graph>\n</gexf>\n`;
}

/** What edgeLines needs of an edge (graphology's edgeEntries() gives it). */
export interface EdgeToWrite {
  source: string;
  target: string;
  attributes: Attributes;
  undirected: boolean;
}

/** The <edge> lines of the edges, numbered from 0 in their order, some 16 K characters at a time. */
export function* edgeLines(edges: Iterable<EdgeToWrite>, columns: AttributeColumn[], defaultEdgeType: 'directed' | 'undirected'): Generator<string> {
  let batch = '';
  let id = 0;
  for (const { attributes, source, target, undirected } of edges) {
    const type = undirected !== (defaultEdgeType === 'undirected') ? ` type="${undirected ? 'undirected' : 'directed'}"` : '';
    const weight = typeof attributes.weight === 'number' && Number.isFinite(attributes.weight) ? ` weight="${attributes.weight}"` : '';
    const label = typeof attributes.label === 'string' ? ` label="${escapeXml(attributes.label)}"` : '';
    batch += `      <edge id="${id++}" source="${escapeXml(source)}" target="${escapeXml(target)}"${type}${weight}${label}>${attvalues(attributes, columns)}</edge>\n`;
    if (batch.length < batchLength) continue;
    yield batch;
    batch = '';
  }
  if (batch !== '') yield batch;
}
