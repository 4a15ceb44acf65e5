// GEXF (1.3 and 1.2draft) and JSON export: golden files, validation with xmllint against the
// official 1.3 schema shipped in test/fixtures/schemas, write → parse round trips through our
// reader and graphology-gexf, and a plain read-back by an independent reader (Debian's networkx).

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DirectedGraph } from 'graphology';
import { parse as parseGexf } from 'graphology-gexf/node/index.js';
import { readGraphFile, writeGraphFile } from '../lib/graph/export.ts';
import { gexfPieces, gexfVersions } from '../lib/graph/gexf-writer.ts';
import { encodedChunks } from '../lib/graph/stream.ts';
import { startEdgeLines, type EdgeLines } from '../lib/graph/edge-lines.ts';
import { drawFollows, followGraph, randomGraph } from '../lib/graph/random.ts';
import type { SocialGraph } from '../lib/graph/types.ts';
import graphExercise from '../scripts/graph.ts';
import social from '../scripts/social.ts';
import { capture, isolatedEnv, netlabBin, tempDir, waitFor } from './helpers.ts';
import { missingPeers } from './peers/available.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const schema = path.join(here, 'fixtures/schemas/gexf-1.3/gexf.xsd');
const golden = { '1.3': path.join(here, 'fixtures/graph/small.gexf'), '1.2draft': path.join(here, 'fixtures/graph/small-1.2draft.gexf') };
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

test('a small graph is written exactly as the golden GEXF 1.3 and 1.2draft files', async (t) => {
  const dir = tempDir(t);
  for (const version of gexfVersions) {
    const file = path.join(dir, `small-${version}.gexf`);
    const graph = smallGraph();
    graph.mergeNodeAttributes('4', { x: 3, y: 3, size: 2, color: '#76b7b2', community: 2 }); // nothing left to compute
    await writeGraphFile(graph, file, { gexf: { version, lastModified: fixedDate } });
    const written = readFileSync(file, 'utf8');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden[version], written);
    assert.equal(written, readFileSync(golden[version], 'utf8'), `${version}: run with UPDATE_GOLDEN=1 after an intended change, and review the diff`);
  }
});

test('1.2draft differs from 1.3 only in namespace, version, the z it requires and the viz: prefix', () => {
  const [v13, v12] = gexfVersions.map((version) => [...gexfPieces(smallGraph(), { version, lastModified: fixedDate })].join(''));
  assert.match(v12, /^<\?xml[^\n]*\n<gexf xmlns="http:\/\/www\.gexf\.net\/1\.2draft" xmlns:viz="http:\/\/www\.gexf\.net\/1\.2draft\/viz" xmlns:xsi="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance" xsi:schemaLocation="http:\/\/www\.gexf\.net\/1\.2draft http:\/\/www\.gexf\.net\/1\.2draft\/gexf\.xsd" version="1\.2">\n/);
  assert.match(v12, /<viz:size value="20"\/><viz:color r="78" g="121" b="167"\/><viz:position x="0" y="0" z="0"\/>/, 'viz elements in the viz namespace, z required');
  assert.doesNotMatch(v12, /<(size|color|position) /, 'no viz element in the GEXF namespace');
  // Undo those differences and the documents are the same, byte for byte.
  const undone = v12
    .replace(/<gexf [^>]*>/, v13.match(/<gexf [^>]*>/)![0])
    .replaceAll('<viz:', '<')
    .replaceAll(' z="0"/>', '/>');
  assert.equal(undone, v13);
});

test('the 1.3 GEXF validates against the official GEXF 1.3 schema and escapes what XML needs', { skip: missingPeers('xmllint') }, async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'small.gexf');
  await writeGraphFile(smallGraph(), file);
  xmllint('--noout', '--schema', schema, file); // throws with xmllint's message if invalid
  const text = readFileSync(file, 'utf8');
  assert.match(text, /<gexf xmlns="http:\/\/gexf\.net\/1\.3" xmlns:viz="http:\/\/gexf\.net\/1\.3\/viz"[^>]* version="1\.3">/);
  assert.match(text, /value="Réseaux &amp; Télécom &lt;Lab&gt;"/);
  assert.match(text, /value="Ada &quot;Countess&quot; Lovelace"/);
  assert.match(text, /value="bell\ufffd tab&#9;line&#10;end \u{1F600}"/u, 'BEL (illegal in XML 1.0) replaced by U+FFFD, tab and newline kept as references');
  assert.match(text, /<attribute id="followers" title="followers" type="long"\/>/, '3 000 000 000 does not fit an xs:int');
  assert.match(text, /<attribute id="mutual" title="mutual" type="boolean"\/>/);

  const randomFile = path.join(dir, 'random.gexf');
  await writeGraphFile(randomGraph({ nodes: 120, edges: 600, seed: 3 }), randomFile, { gexf: { vizElements: 'viz' } });
  assert.throws(() => xmllint('--noout', '--schema', schema, randomFile), /viz\}size': This element is not expected/,
    'the official XSD declares color/position/size in the GEXF namespace, so the viz: form does not validate — which is why it is not the default');
  const olderFile = path.join(dir, 'older.gexf');
  await writeGraphFile(smallGraph(), olderFile, { gexf: { version: '1.2draft' } });
  assert.throws(() => xmllint('--noout', '--schema', schema, olderFile), /1\.2draft\}gexf': No matching global declaration/, 'a 1.2draft file is not taken for 1.3');
});

test('write → parse round trip keeps nodes, edges, typed attributes and the drawing, in either version', async (t) => {
  const dir = tempDir(t);
  const original = randomGraph({ nodes: 150, edges: 700, seed: 11 });
  for (const name of ['round.gexf', 'round-1.2draft.gexf', 'round.json']) {
    const file = path.join(dir, name);
    await writeGraphFile(original, file, { decorate: true, gexf: { version: name.includes('1.2draft') ? '1.2draft' : '1.3' } });
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
});

test('graphology-gexf and our reader read the 1.3 and 1.2draft files back the same', async (t) => {
  const dir = tempDir(t);
  const graph = smallGraph();
  const read: Record<string, { ours: SocialGraph; theirs: SocialGraph }> = {};
  for (const version of gexfVersions) {
    const file = path.join(dir, `${version}.gexf`);
    await writeGraphFile(graph, file, { gexf: { version } }); // the first write lays the graph out
    read[version] = { ours: await readGraphFile(file), theirs: parseGexf(DirectedGraph, readFileSync(file, 'utf8')) };
  }
  for (const reader of ['ours', 'theirs'] as const) {
    const [v13, v12] = [read['1.3'][reader], read['1.2draft'][reader]];
    assert.deepEqual([v12.order, v12.size], [graph.order, graph.size], reader);
    v13.forEachNode((node, a) => assert.deepEqual(v12.getNodeAttributes(node), { ...a, z: 0 }, `${reader}: node ${node} (1.2draft adds the z it requires)`));
    v13.forEachEdge((_e, a, source, target) => assert.deepEqual(v12.getDirectedEdgeAttributes(source, target), a, `${reader}: edge ${source}→${target}`));
  }
  // …and both readers agree with what was written.
  const ours = read['1.3'].ours;
  graph.forEachNode((node, a) => {
    for (const key of ['handle', 'followers', 'community', 'x', 'y', 'size'] as const) assert.strictEqual(ours.getNodeAttribute(node, key), a[key], `node ${node} ${key}`);
    assert.equal(ours.getNodeAttribute(node, 'color'), a.color);
  });
  assert.equal(read['1.2draft'].theirs.getNodeAttribute('2', 'followers'), 3_000_000_000);
  assert.equal(read['1.2draft'].theirs.getNodeAttribute('2', 'color'), 'rgb(242,142,43)', 'graphology-gexf found the viz: colour');
});

test('the streaming reader reads what people write, and refuses what it cannot', async (t) => {
  const dir = tempDir(t);
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

test('the streaming reader reads what networkx writes', { skip: missingPeers('python3', 'networkx') }, async (t) => {
  // networkx writes GEXF 1.2draft with its own viz namespace and numeric attribute ids.
  const fromNetworkx = path.join(tempDir(t), 'networkx.gexf');
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
});

// Plain networkx.read_gexf, as a user of Debian 12 (networkx 2.8, which knows 1.1draft and
// 1.2draft only) would call it; it dumps what it read as JSON.
const networkxReader = `
import json, sys
import networkx as nx
g = nx.read_gexf(sys.argv[1])
json.dump({"directed": g.is_directed(),
  "nodes": {n: d for n, d in g.nodes(data=True)},
  "edges": [[s, t, {k: v for k, v in d.items() if k != "id"}] for s, t, d in g.edges(data=True)]}, sys.stdout)
`;

interface NetworkxView {
  directed: boolean;
  nodes: Record<string, Record<string, unknown> & { viz?: { size: number; position: { x: number; y: number; z: number }; color: { r: number; g: number; b: number; a: number } } }>;
  edges: [string, string, Record<string, unknown>][];
}

function readWithNetworkx(file: string): NetworkxView {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', networkxReader, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

test("Debian's networkx reads the 1.2draft file as it is: every node, edge, attribute and the drawing", { skip: missingPeers('python3', 'networkx') }, async (t) => {
  const dir = tempDir(t);
  const graph = smallGraph();
  const file = path.join(dir, 'small.gexf');
  await writeGraphFile(graph, file, { gexf: { version: '1.2draft' } }); // lays node 4 out too
  const read = readWithNetworkx(file);
  assert.equal(read.directed, true);
  assert.deepEqual(Object.keys(read.nodes).sort(), graph.nodes().sort());
  assert.equal(read.edges.length, graph.size);
  const drawing = new Set(['x', 'y', 'size', 'color']);
  graph.forEachNode((node, a) => {
    const b = read.nodes[node];
    assert.equal(b.label, a.handle, `label of ${node}`);
    for (const [key, value] of Object.entries(a)) {
      if (drawing.has(key)) continue;
      const expected = key === 'name' ? (value as string).replace('\u0007', '\ufffd') : value; // BEL is illegal in XML 1.0: U+FFFD instead
      assert.strictEqual(b[key], expected, `${node}.${key}: ${typeof b[key]}`);
    }
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt((a.color as string).slice(i, i + 2), 16));
    assert.deepEqual(b.viz, { size: a.size, position: { x: a.x, y: a.y, z: 0 }, color: { r, g, b: bl, a: 1 } }, `viz of ${node}`);
  });
  assert.equal(read.nodes['3'].name, 'bell\ufffd tab\tline\nend \u{1F600}', 'the illegal BEL is U+FFFD, the rest is intact');
  assert.equal(read.nodes['2'].followers, 3_000_000_000);
  const edges = read.edges.map(([s, t2, a]) => `${s}>${t2}:${a.mutual}`).sort();
  assert.deepEqual(edges, graph.mapEdges((_e, a, s, t2) => `${s}>${t2}:${a.mutual}`).sort());
});

test('--gexf-version and graph.gexfVersion choose what `graph random|render` and `social graph` write', async (t) => {
  const dir = tempDir(t);
  const env = isolatedEnv(dir, { NETLAB_CONFIG: path.join(dir, 'netlab.config.ts') });
  writeFileSync(path.join(dir, 'netlab.config.ts'), 'export default {};\n');
  const version = (file: string) => /<gexf [^>]*version="([^"]+)"/.exec(readFileSync(file, 'utf8'))?.[1];
  const random = path.join(dir, 'random.gexf');
  const made = await capture(graphExercise, ['random', '--nodes', '30', '--out', random, '--gexf-version', '1.2draft'], { env });
  assert.equal(made.code, 0, made.stderr);
  assert.equal(version(random), '1.2');
  const rendered = path.join(dir, 'again.gexf');
  assert.equal((await capture(graphExercise, ['render', random, '--out', rendered], { env })).code, 0);
  assert.equal(version(rendered), '1.3', 'the default');
  const configured = await capture(graphExercise, ['render', random, '--out', rendered], { env: { ...env, NETLAB_GRAPH_GEXF_VERSION: '1.2draft' } });
  assert.equal(configured.code, 0, configured.stderr);
  assert.equal(version(rendered), '1.2', 'graph.gexfVersion from the environment');
  const crawled = path.join(dir, 'ego.gexf');
  const ego = await capture(social, ['graph', 'ReseauxTelecom', '--provider', 'fixture', '--max', '8', '--out', crawled, '--gexf-version', '1.2draft', '--quiet'], { env });
  assert.equal(ego.code, 0, ego.stderr);
  assert.equal(version(crawled), '1.2');

  const unknown = await capture(graphExercise, ['random', '--out', random, '--gexf-version', '1.1'], { env });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--gexf-version "1\.1" is not 1\.3 or 1\.2draft — use 1\.3 .* or 1\.2draft \(networkx 2/);
  const picture = await capture(graphExercise, ['random', '--out', path.join(dir, 'r.svg'), '--gexf-version', '1.3'], { env });
  assert.equal(picture.code, 2);
  assert.match(picture.stderr, /--gexf-version applies to a \.gexf output only/);
  const badConfig = await capture(graphExercise, ['random', '--out', random], { env: { ...env, NETLAB_GRAPH_GEXF_VERSION: '1.2' } });
  assert.equal(badConfig.code, 3);
  assert.match(badConfig.stderr, /graph\.gexfVersion "1\.2" is not 1\.3 or 1\.2draft/);
  const egoJson = await capture(social, ['graph', 'ReseauxTelecom', '--provider', 'fixture', '--out', path.join(dir, 'ego.json'), '--gexf-version', '1.2draft'], { env });
  assert.equal(egoJson.code, 2, 'checked before the crawl');
});

test('a big graph is written in chunks of at most 1 MiB, never as one string', () => {
  const graph = randomGraph({ nodes: 5_000, edges: 40_000, seed: 2 });
  const sizes: number[] = [];
  let text = '';
  for (const chunk of encodedChunks(gexfPieces(graph, { lastModified: fixedDate }))) {
    sizes.push(chunk.length);
    text += chunk.toString('utf8'); // now: the chunk's buffer is reused for the next one
  }
  assert.ok(sizes.length > 3, `${sizes.length} chunks`);
  assert.ok(Math.max(...sizes) <= 1 << 20, `largest chunk ${Math.max(...sizes)} bytes`);
  assert.equal(text, [...gexfPieces(graph, { lastModified: fixedDate })].join(''), 'the same document as the pieces joined');
  const accents = [...encodedChunks(['é'.repeat(400_000), '€'.repeat(400_000)], 1 << 20)];
  assert.deepEqual(accents.map((chunk) => chunk.length), [800_000, 1_200_000], 'a piece that cannot share a chunk goes alone, whole');
});

test('an encoded piece goes out as a chunk of its own, in its place, after what was pending', () => {
  const chunks: string[] = [];
  // Read as each comes: the reused buffer holds the next one after.
  for (const chunk of encodedChunks(['<a>', 'é', Buffer.from('<b/>'), '</a>', new Uint8Array([10])])) chunks.push(chunk.toString('utf8'));
  assert.deepEqual(chunks, ['<a>é', '<b/>', '</a>', '\n']);
});

test('`graph random` makes its GEXF edge lines on a worker thread from the follows: byte for byte those of the graph, and no file left behind', async (t) => {
  const dir = tempDir(t);
  for (const version of gexfVersions) {
    for (const options of [{ nodes: 300, edges: 1500, seed: 6 }, { nodes: 5, edges: 0, seed: 6 }]) {
      const alone = path.join(dir, 'alone.gexf');
      const worked = path.join(dir, 'worked.gexf');
      await writeGraphFile(randomGraph(options), alone, { gexf: { version, lastModified: fixedDate } });
      const follows = drawFollows(options);
      const edgeLines = startEdgeLines(follows, worked, 0)!; // a worker whatever the size
      try {
        await edgeLines.written;
        const made = readdirSync(dir).filter((name) => name.endsWith('.edges'));
        assert.equal(made.length, 1, `the worker's file beside the output: ${made}`);
        const edgeLinesOf = (text: string) => text.split('\n').filter((line) => line.startsWith('      <edge ')).join('\n');
        assert.equal(readFileSync(path.join(dir, made[0]), 'utf8').trimEnd(), edgeLinesOf(readFileSync(alone, 'utf8')), 'the worker made the lines');
        await writeGraphFile(followGraph(follows), worked, { gexf: { version, lastModified: fixedDate }, edgeLines });
      } finally {
        await edgeLines.remove();
      }
      const expected = readFileSync(alone, 'utf8');
      assert.equal(readFileSync(worked, 'utf8'), expected, `${version}, ${options.edges} edges`);
      if (options.edges > 0) assert.match(expected, /value="true"/, 'mutual follows and others');
      if (options.edges > 0) assert.match(expected, /value="false"/, 'mutual follows and others');
      assert.deepEqual(readdirSync(dir).sort(), ['alone.gexf', 'worked.gexf']);
    }
  }
  assert.equal(startEdgeLines(drawFollows({ nodes: 300, edges: 1500 }), path.join(dir, 'small.gexf')), undefined, 'a small graph makes its lines itself');
  // What gexfPieces is given is what it writes between <edges> and </edges>.
  const given = [...gexfPieces(smallGraph(), { encodedEdges: { columns: [], lines: [Buffer.from('      <!-- given -->\n')] } })].map(String).join('');
  assert.match(given, /<edges count="4">\n {6}<!-- given -->\n {4}<\/edges>/);
});

test("when the worker's file leaves no room for the output, the edge lines are made again from the graph, and its file deleted", async (t) => {
  const dir = tempDir(t);
  const options = { nodes: 200, edges: 900, seed: 4 };
  const expected = path.join(dir, 'expected.gexf');
  await writeGraphFile(randomGraph(options), expected, { gexf: { lastModified: fixedDate } });
  let removed = 0;
  const full: EdgeLines = {
    columns: [],
    written: Promise.resolve(),
    *chunks() {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
    remove: async () => void removed++,
  };
  const file = path.join(dir, 'g.gexf');
  await writeGraphFile(followGraph(drawFollows(options)), file, { gexf: { lastModified: fixedDate }, edgeLines: full });
  assert.equal(readFileSync(file, 'utf8'), readFileSync(expected, 'utf8'));
  assert.equal(removed, 1, "the worker's file deleted first, to make room");
  const denied: EdgeLines = { ...full, *chunks() {}, written: Promise.reject(new Error('EACCES: permission denied')) };
  await writeGraphFile(followGraph(drawFollows(options)), file, { gexf: { lastModified: fixedDate }, edgeLines: denied });
  assert.equal(readFileSync(file, 'utf8'), readFileSync(expected, 'utf8'), 'a worker that failed: the lines made here');
});

test('Ctrl-C stops `graph random` at its next step and a second one at once, and neither leaves a file behind', async (t) => {
  for (const presses of [1, 2]) {
    const dir = tempDir(t);
    const child = spawn(process.execPath, [netlabBin, 'graph', 'random', '--nodes', '30000', '--edges', '300000', '--iterations', '0', '--out', path.join(dir, 'g.gexf')], { env: isolatedEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += data));
    const exited = once(child, 'exit');
    // The worker's file appears as soon as it writes: the graph is being built.
    await waitFor(() => readdirSync(dir).some((name) => name.endsWith('.partial')), 20_000, "the worker's file");
    for (let press = 0; press < presses; press++) child.kill('SIGINT');
    const [code] = await exited;
    assert.equal(code, 130, `${presses} Ctrl-C: ${stderr}`);
    if (presses === 1) assert.match(stderr, /interrupted: .*g\.gexf was not written/);
    assert.deepEqual(readdirSync(dir).filter((name) => name.includes('gexf')), [], `${presses} Ctrl-C: nothing left`);
  }
});

test('a missing folder, an unknown extension and a broken file are clear errors', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(writeGraphFile(smallGraph(), path.join(dir, 'no/such/dir/g.gexf')), { code: 'E_NOT_FOUND' });
  // The same error when the worker making a random graph's edge lines cannot write beside the output.
  const follows = drawFollows({ nodes: 50, edges: 200 });
  const edgeLines = startEdgeLines(follows, path.join(dir, 'no/such/dir/r.gexf'), 0)!;
  await assert.rejects(writeGraphFile(followGraph(follows), path.join(dir, 'no/such/dir/r.gexf'), { edgeLines }), { code: 'E_NOT_FOUND', message: /cannot write .*r\.gexf: no such folder/ });
  await edgeLines.remove();
  await assert.rejects(writeGraphFile(smallGraph(), path.join(dir, 'g.graphml')), { code: 'E_USAGE' });
  await assert.rejects(readGraphFile(path.join(dir, 'absent.gexf')), { code: 'E_NOT_FOUND' });
  writeFileSync(path.join(dir, 'broken.json'), '{"nodes": [');
  await assert.rejects(readGraphFile(path.join(dir, 'broken.json')), { code: 'E_INPUT' });
});
