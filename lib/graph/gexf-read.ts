// A streaming GEXF reader (1.1 to 1.3): tags are read as the file streams in, so a
// million-edge file never becomes a DOM (graphology-gexf's DOM reader runs out of heap there).

import { createReadStream } from 'node:fs';
import { DirectedGraph } from 'graphology';
import type { SocialGraph } from './types.ts';

interface Column {
  title: string;
  type: string;
  default?: unknown;
}

interface Tag {
  /** Local name (namespace prefix dropped: viz:color and color are the same to us, as to Gephi). */
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attributes: Record<string, string>;
}

const entity: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name[0] === '#') return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
    return entity[name] ?? whole;
  });
}

const attributePattern = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function parseTag(raw: string): Tag {
  const closing = raw[1] === '/';
  const selfClosing = raw[raw.length - 2] === '/';
  const nameMatch = /^<\/?([^\s/>]+)/.exec(raw);
  const qualified = nameMatch ? nameMatch[1] : '';
  const attributes: Record<string, string> = {};
  if (!closing) {
    attributePattern.lastIndex = 0;
    for (let m = attributePattern.exec(raw); m; m = attributePattern.exec(raw)) attributes[m[1]] = decode(m[2] ?? m[3]);
  }
  return { name: qualified.slice(qualified.indexOf(':') + 1), closing, selfClosing, attributes };
}

/** GEXF attribute types → JavaScript values (lists stay as their text). */
function cast(value: string, type: string): unknown {
  switch (type) {
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
    case 'float':
    case 'double':
    case 'bigdecimal':
    case 'biginteger': {
      const number = Number(value);
      return Number.isNaN(number) ? value : number;
    }
    case 'boolean':
      return value === 'true' || value === '1';
    default:
      return value;
  }
}

function hex(channel: string | undefined): string {
  return Math.max(0, Math.min(255, Number(channel) || 0)).toString(16).padStart(2, '0');
}

/** Where the reader is: which element's attvalues and viz elements the next tags belong to. */
class GexfBuilder {
  readonly graph: SocialGraph = new DirectedGraph();
  private columns: Record<'node' | 'edge', Map<string, Column>> = { node: new Map(), edge: new Map() };
  private columnClass: 'node' | 'edge' = 'node';
  private column?: Column;
  /** The element being read; a GEXF "mutual" edge is two graph edges. */
  private current?: { kind: 'node' | 'edge'; keys: string[] };
  private defaultEdgeType = 'directed';
  sawGexf = false;
  /** Inside <default>: its text is the column's default value. */
  collectingText = false;
  text = '';

  tag(tag: Tag): void {
    if (tag.closing) {
      if (tag.name === 'node' || tag.name === 'edge') this.current = undefined;
      else if (tag.name === 'default') this.endDefault();
      return;
    }
    const a = tag.attributes;
    switch (tag.name) {
      case 'gexf':
        this.sawGexf = true;
        break;
      case 'graph':
        this.defaultEdgeType = a.defaultedgetype ?? 'directed';
        break;
      case 'attributes':
        this.columnClass = a.class === 'edge' ? 'edge' : 'node';
        break;
      case 'attribute':
        this.column = { title: a.title ?? a.id, type: a.type ?? 'string' };
        this.columns[this.columnClass].set(a.id, this.column);
        break;
      case 'default':
        if (!tag.selfClosing) [this.collectingText, this.text] = [true, ''];
        break;
      case 'node':
        this.startNode(a, tag.selfClosing);
        break;
      case 'edge':
        this.startEdge(a, tag.selfClosing);
        break;
      case 'attvalue':
        this.attvalue(a);
        break;
      case 'color':
      case 'position':
      case 'size':
        if (this.current?.kind === 'node') this.viz(tag.name, a);
        break;
    }
  }

  private endDefault(): void {
    if (this.column) this.column.default = cast(decode(this.text.trim()), this.column.type);
    this.collectingText = false;
  }

  private defaults(kind: 'node' | 'edge'): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const column of this.columns[kind].values()) if (column.default !== undefined) values[column.title] = column.default;
    return values;
  }

  private startNode(a: Record<string, string>, selfClosing: boolean): void {
    if (a.id === undefined) throw new Error('a <node> has no id');
    const attributes: Record<string, unknown> = this.defaults('node');
    if (a.label !== undefined) attributes.label = a.label;
    this.graph.mergeNode(a.id, attributes);
    this.current = selfClosing ? undefined : { kind: 'node', keys: [a.id] };
  }

  private startEdge(a: Record<string, string>, selfClosing: boolean): void {
    if (a.source === undefined || a.target === undefined) throw new Error('an <edge> lacks its source or target');
    const type = a.type ?? this.defaultEdgeType;
    if (type === 'undirected') throw new Error('it holds undirected edges; netlab graphs are directed (follows)');
    const attributes: Record<string, unknown> = this.defaults('edge');
    if (a.weight !== undefined) attributes.weight = Number(a.weight);
    if (a.label !== undefined) attributes.label = a.label;
    // GEXF's "mutual" edge stands for a follow each way.
    if (type === 'mutual') attributes.mutual = true;
    const keys = [this.addEdge(a.id, a.source, a.target, attributes)];
    if (type === 'mutual') keys.push(this.addEdge(undefined, a.target, a.source, { ...attributes }));
    this.current = selfClosing ? undefined : { kind: 'edge', keys };
  }

  /** Parallel edges (a multigraph) become one edge: a follow exists or not. */
  private addEdge(id: string | undefined, source: string, target: string, attributes: Record<string, unknown>): string {
    this.graph.mergeNode(source);
    this.graph.mergeNode(target);
    if (id !== undefined && !this.graph.hasEdge(id) && !this.graph.hasDirectedEdge(source, target)) return this.graph.addDirectedEdgeWithKey(id, source, target, attributes);
    return this.graph.mergeDirectedEdge(source, target, attributes)[0];
  }

  private attvalue(a: Record<string, string>): void {
    if (!this.current || a.for === undefined || a.value === undefined) return;
    const column = this.columns[this.current.kind].get(a.for);
    const title = column?.title ?? a.for;
    const value = cast(a.value, column?.type ?? 'string');
    for (const key of this.current.keys) {
      if (this.current.kind === 'node') this.graph.setNodeAttribute(key, title, value);
      else this.graph.setEdgeAttribute(key, title, value);
    }
  }

  private viz(name: 'color' | 'position' | 'size', a: Record<string, string>): void {
    const node = this.current!.keys[0];
    if (name === 'size') this.graph.setNodeAttribute(node, 'size', Number(a.value));
    else if (name === 'position') this.graph.mergeNodeAttributes(node, { x: Number(a.x), y: Number(a.y), ...(a.z === undefined ? {} : { z: Number(a.z) }) });
    else if (a.hex !== undefined) this.graph.setNodeAttribute(node, 'color', a.hex.startsWith('#') ? a.hex : `#${a.hex}`);
    else if (a.a !== undefined && Number(a.a) < 1) this.graph.setNodeAttribute(node, 'color', `rgba(${Number(a.r)},${Number(a.g)},${Number(a.b)},${Number(a.a)})`);
    else this.graph.setNodeAttribute(node, 'color', `#${hex(a.r)}${hex(a.g)}${hex(a.b)}`);
  }
}

/** Reads a GEXF file into a DirectedGraph, streaming; throws a plain Error on input it cannot read. */
export async function readGexf(file: string): Promise<SocialGraph> {
  const builder = new GexfBuilder();
  let pending = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    pending += chunk;
    pending = pending.slice(readTags(pending, builder));
  }
  if (pending.includes('<')) throw new Error(`the file ends inside a tag: ${pending.slice(0, 60)}…`);
  if (!builder.sawGexf) throw new Error('there is no <gexf> element');
  return builder.graph;
}

/** Hands every complete tag in `text` to the builder; returns where the unfinished rest starts. */
function readTags(text: string, builder: GexfBuilder): number {
  let at = 0;
  for (;;) {
    const open = text.indexOf('<', at);
    if (open === -1) {
      if (builder.collectingText) builder.text += text.slice(at);
      return text.length;
    }
    if (builder.collectingText) builder.text += text.slice(at, open);
    const end = tagEnd(text, open);
    if (end === -1) return open; // the tag continues in the next chunk
    const raw = text.slice(open, end + 1);
    at = end + 1;
    if (!raw.startsWith('<?') && !raw.startsWith('<!')) builder.tag(parseTag(raw)); // skip declarations, comments, doctype
  }
}

/** A tag from "<" to ">", quoted values may hold ">" (sticky: it must start right at lastIndex). */
const tagPattern = /<(?:!--[\s\S]*?--|!\[CDATA\[[\s\S]*?\]\]|(?:[^"'>]|"[^"]*"|'[^']*')*)>/y;

/** The index of the ">" ending the tag opened at `open`, or -1 if it is not all here yet. */
function tagEnd(text: string, open: number): number {
  tagPattern.lastIndex = open;
  return tagPattern.test(text) ? tagPattern.lastIndex - 1 : -1;
}
