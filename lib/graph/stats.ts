// The figures `netlab graph stats` prints: size, density, reciprocity, the most-followed
// accounts inside the graph, and its Louvain communities.

import { directedDensity } from 'graphology-metrics/graph/density.js';
import { louvain } from './commonjs-shim.ts';
import { graphDefaults } from './config.ts';
import { seededRandom } from './random.ts';
import type { SocialGraph } from './types.ts';

export interface TopAccount {
  node: string;
  handle?: string;
  name?: string;
  inDegree: number;
  followers?: number;
}

export interface GraphStats {
  nodes: number;
  edges: number;
  /** edges / (n(n−1)): the share of possible follows that exist. */
  density: number;
  /** The share of edges whose reverse edge exists too (networkx's overall reciprocity). */
  reciprocity: number;
  /** Pairs that follow each other (the lab's "friends"; the X API's `friends` are all the accounts a user follows). */
  mutualPairs: number;
  averageOutDegree: number;
  topByInDegree: TopAccount[];
  communities: {
    count: number;
    /** Sizes, biggest first (the ten biggest). */
    sizes: number[];
    /** Directed modularity of the partition, when Louvain computed it here. */
    modularity?: number;
    /** 'louvain' computed now, 'attribute' read from the nodes' community, 'skipped' too big. */
    source: 'louvain' | 'attribute' | 'skipped';
  };
}

export interface StatsOptions {
  top?: number;
  communitiesMaxEdges?: number;
  seed?: number;
}

export function graphStats(graph: SocialGraph, options: StatsOptions = {}): GraphStats {
  const n = graph.order;
  const m = graph.size;
  // graphology-metrics has density (below) but no reciprocity: the edges whose reverse exists are counted here.
  let reciprocated = 0;
  graph.forEachEdge((_e, _a, source, target) => {
    if (graph.hasDirectedEdge(target, source)) reciprocated++;
  });
  return {
    nodes: n,
    edges: m,
    density: directedDensity(graph),
    reciprocity: m > 0 ? reciprocated / m : 0,
    mutualPairs: reciprocated / 2,
    averageOutDegree: n > 0 ? m / n : 0,
    topByInDegree: topByInDegree(graph, options.top ?? graphDefaults.topAccounts),
    communities: communities(graph, options),
  };
}

/** The k nodes with the most followers inside the graph (in-degree), ties by key. */
export function topByInDegree(graph: SocialGraph, k: number): TopAccount[] {
  const best: TopAccount[] = [];
  graph.forEachNode((node, a) => {
    const inDegree = graph.inDegree(node);
    if (best.length === k) {
      const last = best[k - 1];
      // A tie with the last one kept goes in only if its key sorts first, as the sort below would put it.
      if (k === 0 || inDegree < last.inDegree || (inDegree === last.inDegree && node > last.node)) return;
    }
    const entry: TopAccount = { node, inDegree };
    if (typeof a.handle === 'string') entry.handle = a.handle;
    if (typeof a.name === 'string') entry.name = a.name;
    if (typeof a.followers === 'number') entry.followers = a.followers;
    best.push(entry);
    best.sort((x, y) => y.inDegree - x.inDegree || (x.node < y.node ? -1 : 1));
    if (best.length > k) best.pop();
  });
  return best;
}

function communities(graph: SocialGraph, options: StatsOptions): GraphStats['communities'] {
  const counts = new Map<number, number>();
  let source: GraphStats['communities']['source'];
  let modularity: number | undefined;
  if (graph.order > 0 && graph.everyNode((_n, a) => typeof a.community === 'number')) {
    source = 'attribute';
    graph.forEachNode((_n, a) => counts.set(a.community!, (counts.get(a.community!) ?? 0) + 1));
  } else if (graph.size > 0 && graph.size <= (options.communitiesMaxEdges ?? graphDefaults.communitiesMaxEdges)) {
    source = 'louvain';
    const result = louvain.detailed(graph, { rng: seededRandom(options.seed ?? 1), getEdgeWeight: null });
    modularity = result.modularity;
    for (const community of Object.values(result.communities)) counts.set(community, (counts.get(community) ?? 0) + 1);
  } else {
    source = graph.size === 0 ? 'louvain' : 'skipped';
    if (graph.size === 0) graph.forEachNode(() => counts.set(counts.size, 1));
  }
  const sizes = [...counts.values()].sort((a, b) => b - a);
  return { count: sizes.length, sizes: sizes.slice(0, 10), ...(modularity === undefined ? {} : { modularity }), source };
}
