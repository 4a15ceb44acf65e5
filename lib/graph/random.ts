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

// The graph lives in memory: a million follows take about 0.5 GB of Node's 4 GB heap, a million
// accounts without follows about 0.3 GB.
const maxNodes = 2_000_000;
const maxEdges = 5_000_000;

/**
 * Every first and last name, made once (a name, and a handle prefix in lower case, letters and
 * digits only) rather than for each account: 100,000 accounts then share 576 names, and take
 * 190–270 ms to make instead of 230–290 ms.
 */
const people = firstNames.flatMap((first) => lastNames.map((last) => ({ name: `${first} ${last}`, handle: `${first}${last}`.toLowerCase().replace(/[^a-z0-9]/g, '') })));

/**
 * The follows of a random graph, as numbers: what `netlab graph random` knows before it builds
 * the graph, so that its GEXF edge lines can be made meanwhile (lib/graph/edge-lines.ts).
 */
export interface Follows {
  nodes: number;
  /** Each follow as source·nodes + target, sorted (source by source, as networkx lists them). */
  pairs: Float64Array;
  /** 1 where the follow at the same index is returned (both accounts follow each other). */
  mutual: Uint8Array;
  /** The seeded stream, where the accounts' attributes continue it. */
  random: () => number;
}

/**
 * Accounts fall in groups (the communities Louvain should find); a follow stays in its group
 * most of the time and favours the group's first accounts (its "celebrities"), so in-degrees
 * are skewed as in real follow graphs. Some follows are returned, making mutual pairs.
 */
export function randomGraph(options: RandomGraphOptions): SocialGraph {
  return followGraph(drawFollows(options));
}

/** The follows of randomGraph(options), drawn, sorted and marked mutual, before any graph is built. */
export function drawFollows(options: RandomGraphOptions): Follows {
  const { nodes, edges } = options;
  const reciprocity = options.reciprocity ?? 0.25;
  if (!Number.isInteger(nodes) || nodes < 1) throw new NetlabError('E_USAGE', `cannot make a graph of ${nodes} nodes`, { hint: 'give --nodes 1 or more' });
  const capacity = nodes * (nodes - 1);
  if (!Number.isInteger(edges) || edges < 0 || edges > capacity) {
    throw new NetlabError('E_USAGE', `${edges} edge${edges === 1 ? '' : 's'} do${edges === 1 ? 'es' : ''} not fit in a simple directed graph of ${nodes} node${nodes === 1 ? '' : 's'}`, {
      hint: `give --edges from 0 to ${capacity}`,
    });
  }
  if (nodes > maxNodes || edges > maxEdges) {
    throw new NetlabError('E_USAGE', `a graph of ${nodes.toLocaleString('en-US')} nodes and ${edges.toLocaleString('en-US')} edges does not fit in memory`, {
      hint: `give --nodes up to ${maxNodes.toLocaleString('en-US')} and --edges up to ${maxEdges.toLocaleString('en-US')}`,
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

  // Pairs are drawn as numbers first (source·nodes + target), into a typed array and a typed hash
  // set: a million follows then cost 24 MB and no garbage, where asking the graph whether an edge
  // exists (hasDirectedEdge) took 4 s of 14 in the profile and a Set<number> held a million boxed numbers.
  const drawn = new PairSet(edges, nodes);
  const pairs = new Float64Array(edges);
  let added = 0;
  const add = (source: number, target: number) => {
    drawn.add(source, target);
    pairs[added++] = source * nodes + target;
  };
  // Dense requests (more than half of all pairs) would make rejection sampling crawl: fall back to uniform pairs then.
  const dense = edges > capacity / 2;
  while (added < edges) {
    const source = Math.floor(random() * nodes);
    const target = dense ? Math.floor(random() * nodes) : pickTarget(source);
    if (source === target || drawn.has(source, target)) continue;
    add(source, target);
    if (added < edges && random() < reciprocity && !drawn.has(target, source)) add(target, source);
  }
  // Follows are added source by source (as networkx lists them): each account's adjacency then
  // grows in one go, which took 20–35 % off building a million edges and 45 MiB off its peak.
  pairs.sort();
  const mutual = new Uint8Array(edges);
  for (let i = 0; i < edges; i++) {
    const source = Math.floor(pairs[i] / nodes);
    mutual[i] = drawn.has(pairs[i] - source * nodes, source) ? 1 : 0;
  }
  return { nodes, pairs, mutual, random };
}

/** What a follow of a random graph carries (edge-lines.ts writes the same for each). */
export function followAttributes(mutual: boolean): FollowAttributes {
  return { mutual };
}

/** The graph of `follows`: its accounts, with plausible attributes, and its follows, in order. */
export function followGraph({ nodes, pairs, mutual, random }: Follows): SocialGraph {
  const edges = pairs.length;
  // Degrees counted from the pairs, so each account gets its attributes as it is added: the same
  // draws in the same order as setting them afterwards (updateEachNodeAttributes and a
  // graph.inDegree lookup per node), without a second object per node.
  const inDegrees = new Int32Array(nodes);
  const outDegrees = new Int32Array(nodes);
  for (let i = 0; i < edges; i++) {
    const source = Math.floor(pairs[i] / nodes);
    outDegrees[source]++;
    inDegrees[pairs[i] - source * nodes]++;
  }

  // Node keys are the indices as strings ("0", "1", …, as networkx numbers them): V8 stores such
  // keys in graphology's adjacency objects as array elements rather than as named properties,
  // which halved the time of building a million edges and took 175 MiB off its peak.
  const graph: SocialGraph = new DirectedGraph();
  const keys = Array.from({ length: nodes }, (_, i) => String(i));
  const start = Date.UTC(2007, 0, 1);
  const span = Date.UTC(2024, 0, 1) - start;
  for (let index = 0; index < nodes; index++) {
    const person = people[Math.floor(random() * firstNames.length) * lastNames.length + Math.floor(random() * lastNames.length)];
    // Followers outside the sample scale with the in-degree inside it, times a log-normal factor.
    const reach = Math.exp(random() * 4);
    const attributes: AccountAttributes = {
      handle: `${person.handle}${index}`,
      name: person.name,
      followers: Math.round((inDegrees[index] + 1) * reach * 10),
      following: Math.round((outDegrees[index] + 1) * (1 + random() * 3)),
      posts: Math.floor(Math.exp(random() * 9)),
      created: new Date(start + Math.floor(random() * span)).toISOString(),
      providerId: keys[index],
      provider: 'random',
    };
    graph.addNode(keys[index], attributes);
  }
  for (let i = 0; i < edges; i++) {
    const source = Math.floor(pairs[i] / nodes);
    // Explicit edge keys: graphology's generated ones differ from one instance to the next.
    graph.addDirectedEdgeWithKey(`e${i}`, keys[source], keys[pairs[i] - source * nodes], followAttributes(mutual[i] === 1));
  }
  return graph;
}

/** Sets `mutual` on every edge whose reverse edge exists (both accounts follow each other). */
export function markMutualEdges(graph: SocialGraph): void {
  graph.updateEachEdgeAttributes((_edge, attributes, source, target): FollowAttributes => ({
    ...attributes,
    mutual: graph.hasDirectedEdge(target, source),
  }));
}

/**
 * A set of (source, target) pairs of node indices below `nodes`, for up to `capacity` pairs:
 * open addressing with linear probing in one Float64Array (each slot holds source·nodes + target,
 * exact up to 2^53; -1 is empty), kept at most half full.
 */
class PairSet {
  readonly #slots: Float64Array;
  readonly #mask: number;
  readonly #nodes: number;

  constructor(capacity: number, nodes: number) {
    const size = 2 ** Math.ceil(Math.log2(2 * capacity + 2));
    this.#slots = new Float64Array(size).fill(-1);
    this.#mask = size - 1;
    this.#nodes = nodes;
  }

  has(source: number, target: number): boolean {
    return this.#slots[this.#slot(source, target)] !== -1;
  }

  add(source: number, target: number): void {
    this.#slots[this.#slot(source, target)] = source * this.#nodes + target;
  }

  /** The slot holding the pair, or the empty one where it would go. */
  #slot(source: number, target: number): number {
    const key = source * this.#nodes + target;
    // Two multiplicative hashes mixed (Knuth's golden ratio, MurmurHash3's constant): neighbours spread out.
    let slot = (Math.imul(source, 0x9e3779b1) ^ Math.imul(target, 0x85ebca6b)) & this.#mask;
    while (this.#slots[slot] !== -1 && this.#slots[slot] !== key) slot = (slot + 1) & this.#mask;
    return slot;
  }
}
