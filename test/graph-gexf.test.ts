// GEXF 1.3 and JSON export: golden file, schema validation with xmllint, write → parse round
// trip, and a read-back by an independent reader (Debian's networkx).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DirectedGraph } from 'graphology';
import { parse as parseGexf } from 'graphology-gexf/node/index.js';
import { readGraphFile, writeGraphFile } from '../lib/graph/export.ts';
import { gexfPieces } from '../lib/graph/gexf.ts';
import { batched } from '../lib/graph/stream.ts';
import { randomGraph } from '../lib/graph/random.ts';
import type { SocialGraph } from '../lib/graph/types.ts';
import { tempDir } from './helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const schema = path.join(here, 'fixtures/schemas/gexf-1.3/gexf.xsd');
const golden = path.join(here, 'fixtures/graph/small.gexf');
const fixedDate = new Date('2024-05-01T00:00:00Z');

/** A small graph with every attribute type, a mutual pair, and text that needs escaping. */
function smallGraph(): SocialGraph {
  const graph: SocialGraph = new DirectedGraph();
  const account = (key: string, extra: object) =>
    graph.addNode(key, { provider: 'fixture', providerId: key, created: '2009-03-21T20:50:14.000Z', posts: 12, following: 3, community: 0, ...extra });
  account('1', { handle: 'ReseauxTelecom', name: 'Réseaux & Télécom <Lab>', followers: 5400, x: 0, y: 0, size: 20, color: '#4e79a7' });
  account('2', { handle: 'ada', name: 'Ada "Countess" Lovelace', followers: 3_000_000_000, x: 10.5, y: -3.25, size: 12, color: '#f28e2b', community: 1 });
  account('3', { handle: 'ctrl', name: 'bell\u0007 tab\tline\nend \u{1F600}', followers: 0, x: -7, y: 8, size: 2, color: '#e15759' });
  graph.addNode('4', { handle: 'bare' }); // only a handle: a node from a minimal provider
  graph.addDirectedEdge('1', '2', { mutual: true });
  graph.addDirectedEdge('2', '1', { mutual: true });
  graph.addDirectedEdge('3', '1', { mutual: false });
  graph.addDirectedEdge('4', '2', { mutual: false });
  return graph;
}

function xmllint(...args: string[]): string {
  return execFileSync('xmllint', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('a small graph is written exactly as the golden GEXF 1.3 file', async (t) => {
  const file = path.join(tempDir(t), 'small.gexf');
  const graph = smallGraph();
  graph.mergeNodeAttributes('4', { x: 3, y: 3, size: 2, color: '#76b7b2', community: 2 }); // nothing left to compute
  await writeGraphFile(graph, file, { gexf: { lastModified: fixedDate } });
  const written = readFileSync(file, 'utf8');
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, written);
  assert.equal(written, readFileSync(golden, 'utf8'), 'run with UPDATE_GOLDEN=1 after an intended change, and review the diff');
});

test('the GEXF validates against the official GEXF 1.3 schema and escapes what XML needs', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'small.gexf');
  await writeGraphFile(smallGraph(), file);
  xmllint('--noout', '--schema', schema, file); // throws with xmllint's message if invalid
  const text = readFileSync(file, 'utf8');
  assert.match(text, /<gexf xmlns="http:\/\/gexf\.net\/1\.3" xmlns:viz="http:\/\/gexf\.net\/1\.3\/viz"[^>]* version="1\.3">/);
  assert.match(text, /value="Réseaux &amp; Télécom &lt;Lab&gt;"/);
  assert.match(text, /value="Ada &quot;Countess&quot; Lovelace"/);
  assert.match(text, /value="bell tab&#9;line&#10;end \u{1F600}"/u, 'BEL (illegal in XML 1.0) dropped, tab and newline kept as references');
  assert.match(text, /<attribute id="followers" title="followers" type="long"\/>/, '3 000 000 000 does not fit an xs:int');
  assert.match(text, /<attribute id="mutual" title="mutual" type="boolean"\/>/);

  const randomFile = path.join(dir, 'random.gexf');
  await writeGraphFile(randomGraph({ nodes: 120, edges: 600, seed: 3 }), randomFile, { gexf: { vizElements: 'viz' } });
  assert.throws(() => xmllint('--noout', '--schema', schema, randomFile), /viz\}size': This element is not expected/,
    'the official XSD declares color/position/size in the GEXF namespace, so the viz: form does not validate — which is why it is not the default');
});

test('write → parse round trip keeps nodes, edges, typed attributes and the drawing', async (t) => {
  const dir = tempDir(t);
  const original = randomGraph({ nodes: 150, edges: 700, seed: 11 });
  for (const name of ['round.gexf', 'round.json']) {
    const file = path.join(dir, name);
    await writeGraphFile(original, file, { decorate: true });
    const copy = await readGraphFile(file);
    assert.equal(copy.type, 'directed');
    assert.deepEqual(copy.nodes().sort(), original.nodes().sort(), name);
    assert.equal(copy.size, original.size, name);
    original.forEachEdge((_e, a, source, target) => assert.equal(copy.getDirectedEdgeAttribute(source, target, 'mutual'), a.mutual, `${name} ${source}→${target}`));
    original.forEachNode((node, a) => {
      const b = copy.getNodeAttributes(node);
      for (const key of ['handle', 'name', 'followers', 'following', 'posts', 'created', 'providerId', 'community', 'x', 'y', 'size'] as const) {
        assert.strictEqual(b[key], a[key], `${name} node ${node} ${key}`);
      }
      assert.equal(b.color, a.color, `${name} node ${node} color`);
    });
  }
  // The JSON file is graphology's own serialization, and the GEXF spans many 64 KiB read chunks.
  original.addNode('lonely');
  await writeGraphFile(original, path.join(dir, 'export.json'));
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'export.json'), 'utf8')), original.export());
  const size = statSync(path.join(dir, 'round.gexf')).size;
  assert.ok(size > 2 * 65_536, `${size} bytes`);
  // graphology-gexf's DOM parser, another reader, agrees on the structure.
  const other = parseGexf(DirectedGraph, readFileSync(path.join(dir, 'round.gexf'), 'utf8'));
  assert.deepEqual([other.order, other.size], [original.order - 1, original.size]);
  assert.equal(other.getNodeAttribute('n7', 'followers'), original.getNodeAttribute('n7', 'followers'));
});

test('the streaming reader reads what networkx, graphology-gexf and people write', async (t) => {
  const dir = tempDir(t);
  // networkx writes GEXF 1.2draft with its own viz namespace and numeric attribute ids.
  const fromNetworkx = path.join(dir, 'networkx.gexf');
  execFileSync('/usr/bin/python3', ['-c', `
import sys, networkx as nx
g = nx.DiGraph()
g.add_node("a", handle="alice", followers=12, verified=True, viz={"color": {"r": 255, "g": 0, "b": 16, "a": 1.0}, "position": {"x": 1.5, "y": -2.0, "z": 0.0}, "size": 7.0})
g.add_node("b", handle="bob & <co>", followers=3, verified=False)
g.add_edge("a", "b", mutual=True)
g.add_edge("b", "a", mutual=True)
nx.write_gexf(g, sys.argv[1])`, fromNetworkx]);
  const read = await readGraphFile(fromNetworkx);
  assert.deepEqual(read.getNodeAttributes('a'), { label: 'a', handle: 'alice', followers: 12, verified: true, color: '#ff0010', x: 1.5, y: -2, z: 0, size: 7 });
  assert.deepEqual(read.getNodeAttributes('b'), { label: 'b', handle: 'bob & <co>', followers: 3, verified: false });
  assert.equal(read.getDirectedEdgeAttribute('b', 'a', 'mutual'), true);

  // Hand-written: a comment, a column default, ">" inside a value, an undeclared edge end, entities.
  const byHand = path.join(dir, 'hand.gexf');
  writeFileSync(byHand, `<?xml version="1.0"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3"><!-- <node id="ghost"/> -->
<graph defaultedgetype="directed"><attributes class="node"><attribute id="0" title="posts" type="integer"><default>5</default></attribute></attributes>
<nodes><node id="x" label="a > b &#233;&#x1F600;"/><node id='y'><attvalues><attvalue for="0" value="9"/></attvalues></node></nodes>
<edges><edge source="x" target="y" weight="2.5"/><edge source="y" target="z"/><edge source="z" target="x" type="mutual"/></edges></graph></gexf>`);
  const hand = await readGraphFile(byHand);
  assert.deepEqual(hand.nodes(), ['x', 'y', 'z']);
  assert.deepEqual(hand.getNodeAttributes('x'), { posts: 5, label: 'a > b é\u{1F600}' });
  assert.equal(hand.getNodeAttribute('y', 'posts'), 9);
  assert.equal(hand.getDirectedEdgeAttribute('x', 'y', 'weight'), 2.5);
  assert.deepEqual([hand.getDirectedEdgeAttribute('z', 'x', 'mutual'), hand.getDirectedEdgeAttribute('x', 'z', 'mutual')], [true, true], 'a mutual edge is a follow each way');

  writeFileSync(byHand, '<gexf version="1.3"><graph defaultedgetype="undirected"><nodes><node id="1"/><node id="2"/></nodes><edges><edge source="1" target="2"/></edges></graph></gexf>');
  await assert.rejects(readGraphFile(byHand), { code: 'E_INPUT', message: /undirected edges; netlab graphs are directed/ });
  writeFileSync(byHand, '<gexf version="1.3"><graph><nodes><node id="1" label="unterminated');
  await assert.rejects(readGraphFile(byHand), { code: 'E_INPUT', message: /ends inside a tag/ });
});

// networkx 2.8 knows GEXF 1.1draft and 1.2draft only: the script registers 1.3 (same elements,
// new namespaces, as networkx 3 does) and dumps what it read as JSON.
const networkxReader = `
import json, sys
import networkx as nx
from networkx.readwrite.gexf import GEXF
GEXF.versions["1.3"] = {"NS_GEXF": "http://gexf.net/1.3", "NS_VIZ": "http://gexf.net/1.3/viz",
  "NS_XSI": "http://www.w3.org/2001/XMLSchema-instance", "SCHEMALOCATION": "", "VERSION": "1.3"}
g = nx.read_gexf(sys.argv[1], version="1.3")
json.dump({"directed": g.is_directed(),
  "nodes": {n: {k: v for k, v in d.items()} for n, d in g.nodes(data=True)},
  "edges": [[s, t, {k: v for k, v in d.items() if k != "id"}] for s, t, d in g.edges(data=True)]}, sys.stdout)
`;

function readWithNetworkx(file: string): { directed: boolean; nodes: Record<string, Record<string, unknown>>; edges: [string, string, Record<string, unknown>][] } {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', networkxReader, file], { encoding: 'utf8' }));
}

test('networkx read_gexf (an independent reader) sees the same nodes, edges and attributes', async (t) => {
  const dir = tempDir(t);
  const graph = smallGraph();
  const file = path.join(dir, 'small.gexf');
  await writeGraphFile(graph, file);
  const read = readWithNetworkx(file);
  assert.equal(read.directed, true);
  assert.deepEqual(Object.keys(read.nodes).sort(), graph.nodes().sort());
  graph.forEachNode((node, a) => {
    const b = read.nodes[node];
    assert.equal(b.label, a.handle, `label of ${node}`);
    for (const key of ['handle', 'followers', 'following', 'posts', 'created', 'providerId', 'provider', 'community'] as const) {
      if (a[key] !== undefined) assert.strictEqual(b[key], a[key], `${node}.${key}: ${typeof b[key]}`);
    }
  });
  assert.equal(read.nodes['3'].name, 'bell tab\tline\nend \u{1F600}', 'the illegal BEL is gone, the rest is intact');
  assert.equal(read.nodes['2'].name, 'Ada "Countess" Lovelace');
  const edges = read.edges.map(([s, t2, a]) => `${s}>${t2}:${a.mutual}`).sort();
  assert.deepEqual(edges, graph.mapEdges((_e, a, s, t2) => `${s}>${t2}:${a.mutual}`).sort());

  // With the primer's viz: prefix, networkx reads the drawing as well.
  const vizFile = path.join(dir, 'viz.gexf');
  await writeGraphFile(graph, vizFile, { gexf: { vizElements: 'viz' } });
  const viz = readWithNetworkx(vizFile).nodes['2'].viz as { size: number; position: { x: number; y: number }; color: { r: number; g: number; b: number } };
  const drawn = graph.getNodeAttributes('2'); // laid out by the first write, since node 4 had no position
  assert.equal(viz.size, 12);
  assert.deepEqual([viz.position.x, viz.position.y], [drawn.x, drawn.y]);
  assert.deepEqual([viz.color.r, viz.color.g, viz.color.b], [0xf2, 0x8e, 0x2b]);
});

test('a big graph is written as a stream of 64 KiB chunks, never as one string', () => {
  const graph = randomGraph({ nodes: 5_000, edges: 40_000, seed: 2 });
  let count = 0;
  let largest = 0;
  let total = 0;
  for (const chunk of batched(gexfPieces(graph))) {
    count++;
    largest = Math.max(largest, chunk.length);
    total += chunk.length;
  }
  assert.ok(total > 3_000_000 && count > 40, `${count} chunks, ${total} characters`);
  assert.ok(largest < 65_536 + 2_000, `largest chunk ${largest} characters`);
});

test('a missing folder, an unknown extension and a broken file are clear errors', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(writeGraphFile(smallGraph(), path.join(dir, 'no/such/dir/g.gexf')), { code: 'E_NOT_FOUND' });
  await assert.rejects(writeGraphFile(smallGraph(), path.join(dir, 'g.graphml')), { code: 'E_USAGE' });
  await assert.rejects(readGraphFile(path.join(dir, 'absent.gexf')), { code: 'E_NOT_FOUND' });
  writeFileSync(path.join(dir, 'broken.json'), '{"nodes": [');
  await assert.rejects(readGraphFile(path.join(dir, 'broken.json')), { code: 'E_INPUT' });
});
