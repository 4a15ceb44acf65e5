#!/usr/bin/env -S npx zx
// `netlab graph stats|render|random`: figures about a saved follow graph, pictures of it
// (SVG, interactive HTML, or GEXF/JSON again), and seeded random graphs to practise on.

import path from 'node:path';
import { jsonArg } from '../lib/cli/args.ts';
import { parseCount } from '../lib/values.ts';
import { NetlabError } from '../lib/errors.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import type { Output } from '../lib/cli/output.ts';
import { runIfMain } from '../lib/cli/process.ts';
import type { LoadedConfig } from '../lib/config/load.ts';
import type { AppearanceOptions } from '../lib/graph/appearance.ts';
import { gexfOptions, gexfVersionArg, readGraphFile, writeGraphFile } from '../lib/graph/export.ts';
import type { GexfOptions } from '../lib/graph/gexf-writer.ts';
import { startEdgeLines, type EdgeLines } from '../lib/graph/edge-lines.ts';
import { drawFollows, followGraph } from '../lib/graph/random.ts';
import { renderHtml, renderSvg, type RenderOptions } from '../lib/graph/render.ts';
import { graphStats, type GraphStats } from '../lib/graph/stats.ts';
import type { SocialGraph } from '../lib/graph/types.ts';

/** Above this, an SVG or HTML page is heavy for a browser (about 100 MB of drawing). */
const pictureEdgeLimit = 200_000;

const fileArg = { file: { type: 'positional', description: 'a graph saved as .gexf or .json', required: true } } as const;
const layoutArgs = {
  iterations: { type: 'string', description: 'ForceAtlas2 iterations when the graph has no positions yet (default 300, fewer on big graphs; 0: place communities only)', valueHint: 'n' },
  relayout: { type: 'boolean', description: 'recompute communities, colours, sizes and positions even if the file has them' },
} as const;

function appearance(args: { iterations?: string; relayout?: boolean }, config: LoadedConfig): AppearanceOptions {
  const iterations = args.iterations === '0' ? 0 : parseCount(args.iterations, config.graph.layoutIterations, '--iterations');
  return { layoutIterations: iterations, layoutBudget: config.graph.layoutBudget, communitiesMaxEdges: config.graph.communitiesMaxEdges, force: args.relayout ?? false };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

type OutputKind = 'svg' | 'html' | 'gexf' | 'json';

/** What --out asks for, checked before any work is done. */
function outputKind(file: string): OutputKind {
  const extension = path.extname(file).toLowerCase().slice(1);
  if (extension === 'svg' || extension === 'html' || extension === 'gexf' || extension === 'json') return extension;
  throw new NetlabError('E_USAGE', `cannot write a graph to ${JSON.stringify(file)}`, { hint: 'name the output .svg, .html, .gexf or .json' });
}

/** Draws or saves the graph (laid out first where it has no positions). */
async function save(graph: SocialGraph, file: string, kind: OutputKind, options: RenderOptions & { appearance: AppearanceOptions; gexf: GexfOptions; edgeLines?: EdgeLines; signal?: AbortSignal }, out: Output): Promise<void> {
  if ((kind === 'svg' || kind === 'html') && graph.size > pictureEdgeLimit) {
    out.warn(`${graph.size} edges make a picture a browser struggles to open; Gephi (--out FILE.gexf) handles big graphs better`);
  }
  if (kind === 'svg') await renderSvg(graph, file, options);
  else if (kind === 'html') await renderHtml(graph, file, options);
  else await writeGraphFile(graph, file, { decorate: true, appearance: options.appearance, gexf: options.gexf, edgeLines: options.edgeLines, signal: options.signal });
}

const stats = defineExercise({
  name: 'stats',
  description: 'nodes, edges, density, reciprocity, most-followed accounts and communities of a saved graph',
  args: { ...fileArg, top: { type: 'string', description: 'how many accounts to list by in-degree (default 10)', valueHint: 'n' }, ...jsonArg },
  examples: ['netlab graph stats data/graphs/ReseauxTelecom.gexf', 'netlab graph stats graph.json --json'],
  async run({ args, config, out }) {
    const graph = await readGraphFile(args.file);
    const figures = graphStats(graph, { top: parseCount(args.top, config.graph.topAccounts, '--top'), communitiesMaxEdges: config.graph.communitiesMaxEdges });
    out.result(figures, (s: GraphStats) => {
      out.line(`${args.file}: ${count(s.nodes, 'node')}, ${count(s.edges, 'edge')} (directed)`);
      out.line(`density        ${s.density.toPrecision(4)}  (share of possible follows that exist)`);
      out.line(`reciprocity    ${s.reciprocity.toFixed(3)}  (share of follows returned; ${s.mutualPairs} mutual pairs)`);
      out.line(`out-degree     ${s.averageOutDegree.toFixed(2)} on average`);
      const c = s.communities;
      const how = c.source === 'attribute' ? 'as coloured in the file' : `Louvain${c.modularity === undefined ? '' : `, modularity ${c.modularity.toFixed(3)}`}`;
      out.line(c.source === 'skipped' ? 'communities    skipped (graph too big)' : `communities    ${c.count} (${how}); biggest: ${c.sizes.join(', ')}`);
      out.line();
      out.line('most followed inside the graph:');
      out.table(
        s.topByInDegree.map((a, i) => ({ rank: i + 1, account: a.handle ?? a.node, name: a.name ?? '', 'in-degree': a.inDegree, followers: a.followers ?? '' })),
        ['rank', 'account', 'name', 'in-degree', 'followers'],
      );
    });
  },
});

const render = defineExercise({
  name: 'render',
  description: 'draw a saved graph: an SVG picture or an interactive HTML page (or re-save it as GEXF/JSON)',
  args: {
    ...fileArg,
    out: { type: 'string', description: 'output file: .svg, .html, .gexf or .json', valueHint: 'file', required: true },
    title: { type: 'string', description: 'title shown on the picture (default: the file name)' },
    ...layoutArgs,
    ...gexfVersionArg,
  },
  examples: [
    'netlab graph render graph.gexf --out graph.html',
    'netlab graph render graph.json --out graph.svg --relayout --iterations 500',
    'netlab graph render graph.gexf --out for-networkx2.gexf --gexf-version 1.2draft',
  ],
  async run({ args, config, out }) {
    const kind = outputKind(args.out);
    const gexf = gexfOptions(args.gexfVersion, config.graph.gexfVersion, kind === 'gexf');
    const graph = await readGraphFile(args.file);
    await save(graph, args.out, kind, { appearance: appearance(args, config), gexf, title: args.title ?? path.basename(args.file) }, out);
    out.result({ file: args.out, nodes: graph.order, edges: graph.size }, () => out.line(`wrote ${args.out} (${count(graph.order, 'node')}, ${count(graph.size, 'edge')})`));
  },
});

const random = defineExercise({
  name: 'random',
  description: 'a seeded random follow graph with plausible accounts (same seed, same graph)',
  args: {
    nodes: { type: 'string', description: 'number of accounts (default 200)', valueHint: 'n' },
    edges: { type: 'string', description: 'number of follows (default 4 per account)', valueHint: 'm' },
    seed: { type: 'string', description: 'random seed (default 1)', valueHint: 's' },
    out: { type: 'string', description: 'output file: .gexf, .json, .svg or .html', valueHint: 'file', required: true },
    iterations: layoutArgs.iterations, // a new graph has no positions: nothing to --relayout
    ...gexfVersionArg,
    ...jsonArg,
  },
  examples: ['netlab graph random --nodes 300 --edges 1500 --seed 7 --out random.gexf', 'netlab graph random --out random.gexf --gexf-version 1.2draft'],
  async run({ args, config, out, signal }) {
    const nodes = parseCount(args.nodes, 200, '--nodes');
    const edges = parseCount(args.edges, Math.min(nodes * 4, nodes * (nodes - 1)), '--edges', 0);
    const seed = args.seed === undefined ? 1 : Number(args.seed);
    if (!Number.isInteger(seed)) throw new NetlabError('E_USAGE', `--seed ${JSON.stringify(args.seed)} is not a whole number`);
    const kind = outputKind(args.out);
    const gexf = gexfOptions(args.gexfVersion, config.graph.gexfVersion, kind === 'gexf');
    const started = performance.now();
    const follows = drawFollows({ nodes, edges, seed });
    // A big GEXF's edge lines are made on a worker thread while the graph is built (lib/graph/edge-lines.ts).
    const edgeLines = kind === 'gexf' ? startEdgeLines(follows, args.out) : undefined;
    try {
      const graph = followGraph(follows);
      await save(graph, args.out, kind, { appearance: { ...appearance(args, config), seed }, gexf, edgeLines, signal, title: `random graph, seed ${seed}` }, out);
    } finally {
      await edgeLines?.remove();
    }
    const seconds = (performance.now() - started) / 1000;
    out.result({ file: args.out, nodes, edges, seed, seconds }, () => out.line(`wrote ${args.out}: ${count(nodes, 'node')}, ${count(edges, 'edge')}, seed ${seed} (${seconds.toFixed(2)} s)`));
  },
});

export default defineExercise({
  name: 'graph',
  description: 'statistics, pictures and random examples of follow graphs (GEXF for Gephi, JSON, SVG, HTML)',
  subCommands: { stats, render, random },
  examples: ['netlab graph random --nodes 300 --out random.gexf', 'netlab graph stats random.gexf', 'netlab graph render random.gexf --out random.html'],
});

runIfMain(import.meta);
