// A seeded random directed "follow" graph with plausible account attributes, for teaching
// (`netlab graph random`) and for the benchmark: the same seed always gives the same graph.

import { DirectedGraph } from 'graphology';
import { NetlabError } from '../errors.ts';
import type { AccountAttributes, FollowAttributes, SocialGraph } from './types.ts';

export interface RandomGraphOptions {
  nodes: number;
  edges: number;
  seed?: number;
  /** Share of follows that are returned, making mutual pairs (the lab's "friends"); default 0.25. */
  reciprocity?: number;
}

/** A small, fast, seedable generator (mulberry32): good enough for pictures and benchmarks. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const firstNames = ['Ada', 'Alan', 'Grace', 'Linus', 'Radia', 'Vint', 'Barbara', 'Dennis', 'Margaret', 'Ken', 'Hedy', 'Tim', 'Sophie', 'Leslie', 'Frances', 'Jon', 'Karen', 'Bob', 'Elizabeth', 'Donald', 'Anita', 'Edsger', 'Shafi', 'Whitfield'];
const lastNames = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Perlman', 'Cerf', 'Liskov', 'Ritchie', 'Hamilton', 'Thompson', 'Lamarr', 'Berners-Lee', 'Wilson', 'Lamport', 'Allen', 'Postel', 'Spärck Jones', 'Kahn', 'Feinler', 'Knuth', 'Borg', 'Dijkstra', 'Goldwasser', 'Diffie'];

/**
 * Accounts fall in groups (the communities Louvain should find); a follow stays in its group
 * most of the time and favours the group's first accounts (its "celebrities"), so in-degrees
 * are skewed as in real follow graphs. Some follows are returned, making mutual pairs.
 */
export function randomGraph(options: RandomGraphOptions): SocialGraph {
  const { nodes, edges } = options;
  const reciprocity = options.reciprocity ?? 0.25;
  if (!Number.isInteger(nodes) || nodes < 1) throw new NetlabError('E_USAGE', `cannot make a graph of ${nodes} nodes`, { hint: 'give --nodes 1 or more' });
  const capacity = nodes * (nodes - 1);
  if (!Number.isInteger(edges) || edges < 0 || edges > capacity) {
    throw new NetlabError('E_USAGE', `${edges} edges do not fit in a simple directed graph of ${nodes} nodes`, {
      hint: `give --edges from 0 to ${capacity}`,
    });
  }
  const random = seededRandom(options.seed ?? 1);
  const groupCount = Math.max(1, Math.round(nodes ** 0.4 / 1.5));
  const groupSize = Math.ceil(nodes / groupCount);
  const pickTarget = (source: number): number => {
    // 85% of follows stay in the group; u^3 leans towards the group's first members.
    const inGroup = random() < 0.85;
    const start = inGroup ? Math.floor(source / groupSize) * groupSize : 0;
    const size = inGroup ? Math.min(groupSize, nodes - start) : nodes;
    return start + Math.floor(size * random() ** 3);
  };

  // Pairs are drawn as numbers (source·n + target) first: a million follows then cost a Set of
  // numbers and two typed arrays rather than millions of string look-ups in the graph.
  const pairs = new Set<number>();
  const sources = new Uint32Array(edges);
  const targets = new Uint32Array(edges);
  let added = 0;
  const add = (source: number, target: number) => {
    pairs.add(source * nodes + target);
    sources[added] = source;
    targets[added++] = target;
  };
  // Dense requests (more than half of all pairs) would make rejection sampling crawl: fall back to uniform pairs then.
  const dense = edges > capacity / 2;
  while (added < edges) {
    const source = Math.floor(random() * nodes);
    const target = dense ? Math.floor(random() * nodes) : pickTarget(source);
    if (source === target || pairs.has(source * nodes + target)) continue;
    add(source, target);
    if (added < edges && random() < reciprocity && !pairs.has(target * nodes + source)) add(target, source);
  }

  const graph: SocialGraph = new DirectedGraph();
  const keys = Array.from({ length: nodes }, (_, i) => `n${i}`);
  for (const key of keys) graph.addNode(key);
  for (let i = 0; i < edges; i++) {
    // Explicit edge keys: graphology's generated ones differ from one instance to the next.
    graph.addDirectedEdgeWithKey(`e${i}`, keys[sources[i]], keys[targets[i]], { mutual: pairs.has(targets[i] * nodes + sources[i]) });
  }

  const start = Date.UTC(2007, 0, 1);
  const span = Date.UTC(2024, 0, 1) - start;
  graph.updateEachNodeAttributes((node) => {
    const index = Number(node.slice(1));
    const first = firstNames[Math.floor(random() * firstNames.length)];
    const last = lastNames[Math.floor(random() * lastNames.length)];
    // Followers outside the sample scale with the in-degree inside it, times a log-normal factor.
    const reach = Math.exp(random() * 4);
    const attributes: AccountAttributes = {
      handle: `${first}${last}${index}`.toLowerCase().replace(/[^a-z0-9]/g, ''),
      name: `${first} ${last}`,
      followers: Math.round((graph.inDegree(node) + 1) * reach * 10),
      following: Math.round((graph.outDegree(node) + 1) * (1 + random() * 3)),
      posts: Math.floor(Math.exp(random() * 9)),
      created: new Date(start + Math.floor(random() * span)).toISOString(),
      providerId: String(index),
      provider: 'random',
    };
    return attributes;
  });
  return graph;
}

/** Sets `mutual` on every edge whose reverse edge exists (both accounts follow each other). */
export function markMutualEdges(graph: SocialGraph): void {
  graph.updateEachEdgeAttributes((_edge, attributes, source, target): FollowAttributes => ({
    ...attributes,
    mutual: graph.hasDirectedEdge(target, source),
  }));
}
