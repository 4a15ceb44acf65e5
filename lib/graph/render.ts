// Pictures of a graph: a static SVG (streamed, any size) and a self-contained interactive HTML
// page (sigma.js inlined, works offline from file://) with a search box and hover details.
// The SVG is ours rather than graphology-svg 0.1.3's, measured on 20 000 nodes / 200 000 edges:
// that one builds the picture as one string (+108 MiB of peak RSS against +10 MiB here, a 31 MB
// file against 11), writes it under its final name, labels every node, has no arrows or tooltips,
// and lets control characters through, so xmllint rejects the file ("PCDATA invalid Char value 1").

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { decorateGraph, type AppearanceOptions } from './appearance.ts';
import { writeGraphPieces } from './export.ts';
import { labelOf, type SocialGraph } from './types.ts';
import { escapeXml } from '../xml-escape.ts';

export interface RenderOptions {
  appearance?: AppearanceOptions;
  /** Picture title (SVG <title>, HTML <title> and heading). */
  title?: string;
}

const width = 1200;
const height = 900;
const margin = 40;
/** Labels drawn on the SVG: the biggest nodes only, so the picture stays readable. */
const svgLabels = 40;
/** Above this many edges, arrow heads are left out (they would only add ink and bytes). */
const arrowLimit = 5000;

/** Writes an SVG picture of the graph (laid out first if it has no positions). */
export async function renderSvg(graph: SocialGraph, file: string, options: RenderOptions = {}): Promise<void> {
  decorateGraph(graph, options.appearance);
  await writeGraphPieces(svgPieces(graph, options.title ?? 'netlab graph'), file);
}

/** Maps graph coordinates into the picture (y grows upwards in layouts, downwards in SVG). */
function projection(graph: SocialGraph) {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  graph.forEachNode((_n, a) => {
    minX = Math.min(minX, a.x!);
    maxX = Math.max(maxX, a.x!);
    minY = Math.min(minY, a.y!);
    maxY = Math.max(maxY, a.y!);
  });
  const scale = Math.min((width - 2 * margin) / (maxX - minX || 1), (height - 2 * margin) / (maxY - minY || 1));
  const offsetX = (width - (maxX - minX) * scale) / 2;
  const offsetY = (height - (maxY - minY) * scale) / 2;
  // Discs shrink as the graph grows so that a crowd stays a picture rather than a blot.
  const radiusScale = Math.min(0.5, 12 / Math.sqrt(Math.max(graph.order, 1)));
  return {
    x: (x: number) => round(offsetX + (x - minX) * scale),
    y: (y: number) => round(height - offsetY - (y - minY) * scale),
    r: (size: number) => round(Math.max(0.8, size * radiusScale)),
  };
}

function* svgPieces(graph: SocialGraph, title: string): Generator<string> {
  const at = projection(graph);
  const arrows = graph.size <= arrowLimit;
  yield `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">\n` +
    `<title>${escapeXml(title)} — ${graph.order} nodes, ${graph.size} edges</title>\n` +
    `<rect width="100%" height="100%" fill="#ffffff"/>\n` +
    (arrows
      ? `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#999999"/></marker></defs>\n`
      : '') +
    `<g id="edges" stroke="#999999" stroke-opacity="0.35" stroke-width="0.6" fill="none">\n`;
  for (const { source, target, attributes, sourceAttributes: s, targetAttributes: t } of graph.edgeEntries()) {
    // A mutual pair (the lab's "friends", see FollowAttributes.mutual) is drawn once, darker and without heads.
    if (attributes.mutual && source > target) continue;
    const [x1, y1, x2, y2] = [at.x(s.x!), at.y(s.y!), at.x(t.x!), at.y(t.y!)];
    // Stop the line at the target's rim, where the arrow head belongs.
    const length = Math.hypot(x2 - x1, y2 - y1) || 1;
    const cut = attributes.mutual ? 0 : at.r(t.size ?? 2);
    const end = `x2="${round(x2 - ((x2 - x1) * cut) / length)}" y2="${round(y2 - ((y2 - y1) * cut) / length)}"`;
    yield attributes.mutual
      ? `<line x1="${x1}" y1="${y1}" ${end} stroke="#555555"/>\n`
      : `<line x1="${x1}" y1="${y1}" ${end}${arrows ? ' marker-end="url(#arrow)"' : ''}/>\n`;
  }
  yield `</g>\n<g id="nodes" stroke="#ffffff" stroke-width="0.5">\n`;
  for (const { node, attributes: a } of graph.nodeEntries()) {
    yield `<circle cx="${at.x(a.x!)}" cy="${at.y(a.y!)}" r="${at.r(a.size ?? 2)}" fill="${escapeXml(a.color ?? '#4e79a7')}"><title>${escapeXml(describe(node, a))}</title></circle>\n`;
  }
  yield `</g>\n<g id="labels" font-family="sans-serif" font-size="12" fill="#222222" stroke="#ffffff" stroke-width="3" paint-order="stroke">\n`;
  const biggest = graph.nodes().sort((p, q) => (graph.getNodeAttribute(q, 'size') ?? 0) - (graph.getNodeAttribute(p, 'size') ?? 0)).slice(0, svgLabels);
  for (const node of biggest) {
    const a = graph.getNodeAttributes(node);
    yield `<text x="${round(at.x(a.x!) + at.r(a.size ?? 2) + 2)}" y="${round(at.y(a.y!) + 4)}">${escapeXml(labelOf(node, a))}</text>\n`;
  }
  yield `</g>\n</svg>\n`;
}

function describe(node: string, a: Record<string, unknown>): string {
  const parts = [labelOf(node, a)];
  if (typeof a.name === 'string' && a.name !== parts[0]) parts.push(a.name);
  if (typeof a.followers === 'number') parts.push(`${a.followers} followers`);
  return parts.join(' — ');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Node attributes the page needs: drawing, plus what the details panel shows. */
const pageAttributes = ['x', 'y', 'size', 'color', 'handle', 'name', 'followers', 'following', 'posts', 'created', 'community'];

/** Writes the interactive page: one HTML file holding graphology, sigma, the data and the UI. */
export async function renderHtml(graph: SocialGraph, file: string, options: RenderOptions = {}): Promise<void> {
  decorateGraph(graph, options.appearance);
  // Their browser bundles sit beside the entry points (the packages' exports maps hide them).
  const require = createRequire(import.meta.url);
  const [graphologyJs, sigmaJs, template] = await Promise.all([
    readFile(path.join(path.dirname(require.resolve('graphology')), 'graphology.umd.min.js'), 'utf8'),
    readFile(path.join(path.dirname(require.resolve('sigma')), 'sigma.min.js'), 'utf8'),
    readFile(new URL('./page.html', import.meta.url), 'utf8'),
  ]);
  const title = options.title ?? 'netlab graph';
  const parts = template.split(/<!-- (GRAPHOLOGY|SIGMA|DATA) -->|\{\{TITLE\}\}/);
  const inline: Record<string, () => Iterable<string>> = {
    GRAPHOLOGY: () => [scriptSafe(graphologyJs)],
    SIGMA: () => [scriptSafe(sigmaJs)],
    DATA: () => pageDataPieces(graph),
  };
  await writeGraphPieces(
    (function* () {
      // split() with a capture group interleaves the template text with the marker names.
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (part === undefined) yield escapeXml(title);
        else if (i % 2 === 1) yield* inline[part]();
        else yield part;
      }
    })(),
    file,
  );
}

/** The graph as JSON inside <script type="application/json">, node by node. */
function* pageDataPieces(graph: SocialGraph): Generator<string> {
  yield '{"nodes":[';
  let separator = '';
  for (const { node, attributes } of graph.nodeEntries()) {
    const kept: Record<string, unknown> = { label: labelOf(node, attributes) };
    for (const key of pageAttributes) if (attributes[key] !== undefined) kept[key] = attributes[key];
    yield `${separator}{"key":${jsonInScript(JSON.stringify(node))},"attributes":${jsonInScript(JSON.stringify(kept))}}`;
    separator = ',';
  }
  yield '],"edges":[';
  separator = '';
  for (const { source, target, attributes } of graph.edgeEntries()) {
    yield `${separator}{"source":${jsonInScript(JSON.stringify(source))},"target":${jsonInScript(JSON.stringify(target))}${attributes.mutual ? ',"attributes":{"mutual":true}' : ''}}`;
    separator = ',';
  }
  yield ']}';
}

/** JSON that cannot end the <script> element it sits in: every "<" becomes \\u003c. */
function jsonInScript(json: string): string {
  return json.replace(/</g, '\\u003c');
}

/** Library code inlined in a <script>: it must not contain "</script" (none does today; a future version might). */
function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}
