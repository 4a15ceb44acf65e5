// How a graph looks in Gephi, the SVG and the HTML page: Louvain communities as colours,
// followers as sizes, ForceAtlas2 positions. Sets sigma's attribute names (x, y, size, color).

import { graphDefaults } from './config.ts';
import { forceAtlas2, louvain } from './commonjs-shim.ts';
import { seededRandom } from './random.ts';
import type { AccountAttributes, SocialGraph } from './types.ts';

export interface AppearanceOptions {
  /** ForceAtlas2 iterations (0: keep the community placement only). */
  layoutIterations?: number;
  /** Work cap in node+edge visits (see GraphConfig.layoutBudget). */
  layoutBudget?: number;
  /** Above this many edges Louvain is skipped. */
  communitiesMaxEdges?: number;
  /** Recompute even what the nodes already have. */
  force?: boolean;
  seed?: number;
}

export interface AppearanceReport {
  communities: number;
  /** ForceAtlas2 iterations run (0 when skipped or when positions were already there). */
  iterations: number;
  layout: 'forceatlas2' | 'communities' | 'kept';
}

/** Tableau 10 then ten more of Tableau 20's hues: distinct colours for the twenty biggest communities. */
export const palette = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#a0cbe8', '#ffbe7d', '#8cd17d', '#b6992d', '#499894', '#86bcb6', '#d37295', '#fabfd2', '#79706e', '#d4a6c8',
];
const otherColor = '#8c8c8c';
const minSize = 2;
const minIterations = 10;
const maxSize = 20;

/**
 * Gives the nodes what they lack for drawing: a community (Louvain, for all nodes when any
 * lacks one), a colour and a size (only where missing), positions (ForceAtlas2 for all nodes,
 * from their current positions, when any lacks one). `force` recomputes everything.
 */
export function decorateGraph(graph: SocialGraph, options: AppearanceOptions = {}): AppearanceReport {
  const force = options.force ?? false;
  const seed = options.seed ?? 1;
  const missing = (key: 'community' | 'color' | 'size' | 'x' | 'y', a: AccountAttributes) => force || typeof a[key] !== (key === 'color' ? 'string' : 'number');
  const anyMissing = (key: 'community' | 'color' | 'size' | 'x' | 'y') => graph.someNode((_n, a) => missing(key, a));

  if (anyMissing('community')) assignCommunities(graph, options.communitiesMaxEdges ?? graphDefaults.communitiesMaxEdges, seed);
  const ranked = communitiesBySize(graph);
  if (anyMissing('color')) {
    const rank = new Map(ranked.map(([community], index) => [community, index]));
    graph.forEachNode((node, a) => {
      if (missing('color', a)) graph.setNodeAttribute(node, 'color', palette[rank.get(a.community ?? 0) ?? palette.length] ?? otherColor);
    });
  }
  if (anyMissing('size')) assignSizes(graph, (a) => missing('size', a));
  let report: AppearanceReport = { communities: ranked.length, iterations: 0, layout: 'kept' };
  if (anyMissing('x') || anyMissing('y')) {
    placeCommunities(graph, ranked, seed, (a) => missing('x', a) || missing('y', a));
    const budget = Math.floor((options.layoutBudget ?? graphDefaults.layoutBudget) / (graph.order + graph.size));
    const iterations = Math.min(options.layoutIterations ?? graphDefaults.layoutIterations, budget);
    // A handful of iterations only shakes the community discs; not worth the time.
    if (iterations >= minIterations && graph.order > 1) {
      const positions = forceAtlas2(graph, {
        iterations,
        // Barnes–Hut turns the O(n²) repulsion into O(n log n) where n is big enough to matter.
        settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 500 },
        getEdgeWeight: null,
      });
      graph.updateEachNodeAttributes((node, a) => ({ ...a, x: round(positions[node].x), y: round(positions[node].y) }), { attributes: ['x', 'y'] });
      report = { ...report, iterations, layout: 'forceatlas2' };
    } else report = { ...report, layout: 'communities' };
  }
  return report;
}

function assignCommunities(graph: SocialGraph, maxEdges: number, seed: number): void {
  if (graph.size === 0 || graph.size > maxEdges) {
    graph.forEachNode((node, a) => typeof a.community !== 'number' && graph.setNodeAttribute(node, 'community', 0));
    return;
  }
  // A seeded rng makes the partition (and so the colours and the golden files) reproducible.
  louvain.assign(graph, { rng: seededRandom(seed), getEdgeWeight: null });
}

/** [community, size] pairs, biggest first. */
export function communitiesBySize(graph: SocialGraph): [number, number][] {
  const sizes = new Map<number, number>();
  graph.forEachNode((_n, a) => sizes.set(a.community ?? 0, (sizes.get(a.community ?? 0) ?? 0) + 1));
  return [...sizes].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

/** Size grows with log(followers) (in-degree when followers are unknown), from 2 to 20. */
function assignSizes(graph: SocialGraph, wanted: (a: AccountAttributes) => boolean): void {
  const weight = (node: string, a: { followers?: number }) => Math.log1p(typeof a.followers === 'number' && a.followers >= 0 ? a.followers : graph.inDegree(node));
  let max = 0;
  graph.forEachNode((node, a) => (max = Math.max(max, weight(node, a))));
  graph.forEachNode((node, a) => {
    if (wanted(a)) graph.setNodeAttribute(node, 'size', round(minSize + (maxSize - minSize) * (max > 0 ? weight(node, a) / max : 0)));
  });
}

/** Each community a disc on a big circle (biggest first), so a layout starts from, or is, the partition. */
function placeCommunities(graph: SocialGraph, ranked: [number, number][], seed: number, wanted: (a: AccountAttributes) => boolean): void {
  const random = seededRandom(seed);
  const centres = new Map<number, { x: number; y: number; radius: number }>();
  const ring = Math.sqrt(graph.order) * 10;
  ranked.forEach(([community, size], index) => {
    const angle = (2 * Math.PI * index) / ranked.length;
    const distance = ranked.length === 1 ? 0 : ring;
    centres.set(community, { x: distance * Math.cos(angle), y: distance * Math.sin(angle), radius: Math.sqrt(size) * 5 });
  });
  graph.forEachNode((node, a) => {
    if (!wanted(a)) return;
    const centre = centres.get(a.community ?? 0)!;
    const r = centre.radius * Math.sqrt(random());
    const t = 2 * Math.PI * random();
    graph.mergeNodeAttributes(node, { x: round(centre.x + r * Math.cos(t)), y: round(centre.y + r * Math.sin(t)) });
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
