// Graph figures and random graphs: stats checked by hand and against networkx, seeded graphs
// reproducible, and the `netlab graph` commands end to end (output, --json, errors).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DirectedGraph } from 'graphology';
import graphExercise from '../scripts/graph.ts';
import { decorateGraph } from '../lib/graph/appearance.ts';
import { jsonPieces, readGraphFile } from '../lib/graph/export.ts';
import { randomGraph } from '../lib/graph/random.ts';
import { graphStats, topByInDegree } from '../lib/graph/stats.ts';
import type { SocialGraph } from '../lib/graph/types.ts';
import { capture, isolatedEnv, tempDir } from './helpers.ts';
import { missingPeers, peers } from './peers/available.ts';

test('stats of a graph small enough to check by hand', () => {
  const graph: SocialGraph = new DirectedGraph();
  for (const key of ['a', 'b', 'c', 'd']) graph.addNode(key, { handle: `@${key}` });
  for (const [s, t] of [['a', 'b'], ['b', 'a'], ['c', 'a'], ['d', 'a'], ['a', 'c']]) graph.addDirectedEdge(s, t);
  const stats = graphStats(graph, { top: 2 });
  assert.equal(stats.nodes, 4);
  assert.equal(stats.edges, 5);
  assert.equal(stats.density, 5 / 12);
  assert.equal(stats.reciprocity, 4 / 5, 'a⇄b and a⇄c are returned, d→a is not');
  assert.equal(stats.mutualPairs, 2);
  assert.deepEqual(stats.topByInDegree.map((a) => [a.handle, a.inDegree]), [['@a', 3], ['@b', 1]]);
  const ring: SocialGraph = new DirectedGraph();
  for (const key of ['c', 'b', 'a']) ring.addNode(key);
  for (const [s, t] of [['c', 'b'], ['b', 'a'], ['a', 'c']]) ring.addDirectedEdge(s, t);
  assert.deepEqual(topByInDegree(ring, 2).map((a) => a.node), ['a', 'b'], 'ties go by key, whichever node came first');
  assert.equal(stats.communities.source, 'louvain');
  assert.equal(stats.communities.sizes.reduce((x, y) => x + y), 4);
});

test('density and reciprocity agree with networkx on a random graph', { skip: missingPeers('python3', 'networkx') }, () => {
  const graph = randomGraph({ nodes: 200, edges: 1200, seed: 21 });
  const stats = graphStats(graph);
  const json = [...jsonPieces(graph)].join('');
  const script = `
import json, sys, networkx as nx
data = json.load(sys.stdin)
g = nx.DiGraph()
g.add_nodes_from(n["key"] for n in data["nodes"])
g.add_edges_from((e["source"], e["target"]) for e in data["edges"])
print(json.dumps({"density": nx.density(g), "reciprocity": nx.overall_reciprocity(g), "top": max(d for _, d in g.in_degree())}))`;
  const reference = JSON.parse(execFileSync(peers.python3.file, ['-c', script], { input: json, encoding: 'utf8' }));
  assert.ok(Math.abs(stats.density - reference.density) < 1e-12, `${stats.density} vs ${reference.density}`);
  assert.ok(Math.abs(stats.reciprocity - reference.reciprocity) < 1e-12, `${stats.reciprocity} vs ${reference.reciprocity}`);
  assert.equal(stats.topByInDegree[0].inDegree, reference.top);
});

test('a random graph is reproducible, simple, flags mutual pairs, and has communities to find', () => {
  const one = randomGraph({ nodes: 300, edges: 1500, seed: 4 });
  const same = randomGraph({ nodes: 300, edges: 1500, seed: 4 });
  const other = randomGraph({ nodes: 300, edges: 1500, seed: 5 });
  assert.equal([...jsonPieces(one)].join(''), [...jsonPieces(same)].join(''), 'same seed, same graph');
  assert.notEqual([...jsonPieces(one)].join(''), [...jsonPieces(other)].join(''));
  assert.equal(one.order, 300);
  assert.equal(one.size, 1500);
  one.forEachEdge((_e, a, s, t) => {
    assert.notEqual(s, t, 'no self-follow');
    assert.equal(a.mutual, one.hasDirectedEdge(t, s), `mutual flag of ${s}→${t}`);
  });
  one.forEachNode((_n, a) => {
    assert.ok(a.handle && a.name && Number.isInteger(a.followers) && !Number.isNaN(Date.parse(a.created!)), JSON.stringify(a));
  });
  const stats = graphStats(one);
  assert.ok(stats.communities.count >= 4 && (stats.communities.modularity ?? 0) > 0.3, JSON.stringify(stats.communities));
});

test('decorating fills only what is missing, and the layout spreads the nodes', () => {
  const graph = randomGraph({ nodes: 100, edges: 400, seed: 8 });
  graph.mergeNodeAttributes('3', { color: '#000000', size: 7 });
  const report = decorateGraph(graph, { layoutIterations: 50 });
  assert.equal(report.layout, 'forceatlas2');
  assert.equal(report.iterations, 50);
  assert.equal(graph.getNodeAttribute('3', 'color'), '#000000');
  assert.equal(graph.getNodeAttribute('3', 'size'), 7);
  const xs = graph.mapNodes((_n, a) => a.x!);
  assert.ok(new Set(xs).size > 90, 'nodes do not sit on top of each other');
  graph.forEachNode((_n, a) => assert.ok(Number.isFinite(a.x) && Number.isFinite(a.y) && a.size! >= 2 && a.size! <= 20 && /^#[0-9a-f]{6}$/.test(a.color!)));
  // A graph over the work budget keeps the community discs instead of a layout.
  assert.equal(decorateGraph(randomGraph({ nodes: 100, edges: 400, seed: 8 }), { layoutBudget: 1000 }).layout, 'communities');
});

test('netlab graph random → stats → render, end to end', async (t) => {
  const dir = tempDir(t);
  const env = isolatedEnv(dir);
  const gexf = path.join(dir, 'r.gexf');
  const made = await capture(graphExercise, ['random', '--nodes', '60', '--edges', '240', '--seed', '3', '--out', gexf], { env });
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /^wrote .*r\.gexf: 60 nodes, 240 edges, seed 3/);

  const human = await capture(graphExercise, ['stats', gexf], { env });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /60 nodes, 240 edges \(directed\)/);
  assert.match(human.stdout, /reciprocity +0\.\d{3}/);
  assert.match(human.stdout, /RANK +ACCOUNT +NAME +IN-DEGREE +FOLLOWERS/);

  const json = await capture(graphExercise, ['stats', gexf, '--json', '--top', '3'], { env });
  const stats = JSON.parse(json.stdout);
  assert.equal(stats.nodes, 60);
  assert.equal(stats.topByInDegree.length, 3);
  assert.equal(stats.communities.source, 'attribute', 'the GEXF carries the communities it was coloured by');

  for (const out of ['r.svg', 'r.html', 'r.json']) {
    const rendered = await capture(graphExercise, ['render', gexf, '--out', path.join(dir, out)], { env });
    assert.equal(rendered.code, 0, rendered.stderr);
  }
  assert.match(readFileSync(path.join(dir, 'r.svg'), 'utf8'), /^<\?xml/);
  const json2 = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8'));
  assert.equal(json2.edges.length, 240);

  // Positions in the file are kept; --relayout --iterations 0 replaces them by the community discs.
  const kept = await readGraphFile(path.join(dir, 'r.json'));
  const original = await readGraphFile(gexf);
  assert.deepEqual(kept.getNodeAttributes('5'), original.getNodeAttributes('5'));
  const relaid = path.join(dir, 'relaid.gexf');
  assert.equal((await capture(graphExercise, ['render', gexf, '--out', relaid, '--relayout', '--iterations', '0'], { env })).code, 0);
  const moved = (await readGraphFile(relaid)).filterNodes((node, a) => a.x !== original.getNodeAttribute(node, 'x'));
  assert.ok(moved.length > 50, `${moved.length} nodes moved`);
});

test('netlab graph: bad input is a clear error with the right exit code', async (t) => {
  const dir = tempDir(t);
  const env = isolatedEnv(dir);
  const missing = await capture(graphExercise, ['stats', path.join(dir, 'nope.gexf')], { env });
  assert.equal(missing.code, 6);
  assert.match(missing.stderr, /^error: cannot read .*nope\.gexf: no such file/);
  const png = await capture(graphExercise, ['render', path.join(dir, 'nope.gexf'), '--out', 'x.png'], { env });
  assert.equal(png.code, 2);
  assert.match(png.stderr, /cannot write a graph to "x\.png" — name the output \.svg, \.html, \.gexf or \.json/);
  const crowded = await capture(graphExercise, ['random', '--nodes', '3', '--edges', '7', '--out', path.join(dir, 'x.gexf')], { env });
  assert.equal(crowded.code, 2);
  assert.match(crowded.stderr, /7 edges do not fit in a simple directed graph of 3 nodes — give --edges from 0 to 6/);
  const huge = await capture(graphExercise, ['random', '--nodes', '99999999999', '--out', path.join(dir, 'x.gexf')], { env });
  assert.equal(huge.code, 2, huge.stderr);
  assert.match(huge.stderr, /does not fit in memory — give --nodes up to 2,000,000 and --edges up to 5,000,000/);
  // Any name a file may have (255 bytes), though the hidden files beside it add to it; one more is too long.
  const longest = path.join(dir, `${'a'.repeat(250)}.gexf`);
  assert.equal((await capture(graphExercise, ['random', '--nodes', '20', '--out', longest], { env })).code, 0);
  const tooLong = await capture(graphExercise, ['random', '--nodes', '20', '--out', path.join(dir, `${'a'.repeat(251)}.gexf`)], { env });
  assert.equal(tooLong.code, 2);
  assert.match(tooLong.stderr, /a{251}\.gexf: its name is too long — a file name may have 255 bytes at most/);
  assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('.')), [], 'no hidden file left');
  const badOut = await capture(graphExercise, ['random', '--out', path.join(dir, 'x.png')], { env });
  assert.equal(badOut.code, 2, 'checked before generating anything');
  const noOut = await capture(graphExercise, ['random'], { env });
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /missing --out/);
});
