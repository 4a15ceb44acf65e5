// bench/graph: build and export a 100 000-node / 1 000 000-edge follow graph to GEXF — write
// time and whole-process peak memory, ours against networkx's write_gexf (and graphology-gexf's
// writer, for scale, with BENCH_GRAPH_WITH_LIBRARY=1), same graph, same run.

import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DirectedGraph } from 'graphology';
import { write as writeWithGraphologyGexf } from 'graphology-gexf/node/index.js';
import { writeGraphFile } from '../lib/graph/export.ts';
import { randomGraph } from '../lib/graph/random.ts';
import type { SocialGraph } from '../lib/graph/types.ts';
import { printComparison, type Measurement } from './_report.ts';

const nodes = Number(process.env.BENCH_GRAPH_NODES ?? 100_000);
const edges = Number(process.env.BENCH_GRAPH_EDGES ?? 1_000_000);
type Variant = 'bare' | 'accounts';
type NodeWriter = 'netlab' | 'graphology-gexf';
const withLibrary = process.env.BENCH_GRAPH_WITH_LIBRARY === '1';
const columns = ['handle', 'name', 'followers', 'following', 'posts', 'created', 'providerId', 'provider'] as const;

interface ChildResult {
  build: number;
  write: number;
  /** Peak RSS once the graph is built, before the write starts (what the write adds is the rest). */
  builtPeakMiB: number;
  peakMiB: number;
  bytes: number;
}

/** VmHWM: the peak resident set of this whole process so far (what `time -v` calls max RSS). */
function peakMiB(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

/** The graph as two TSV files both programs read: nodes (key + attributes) and edges. */
async function writeEdgeList(graph: SocialGraph, dir: string): Promise<void> {
  const write = async (file: string, lines: Iterable<string>) => {
    const stream = createWriteStream(path.join(dir, file));
    for (const line of lines) if (!stream.write(line)) await once(stream, 'drain');
    stream.end();
    await once(stream, 'finish');
  };
  await write('nodes.tsv', graph.mapNodes((node, a) => `${node}\t${columns.map((c) => a[c]).join('\t')}\n`));
  await write('edges.tsv', graph.mapEdges((_e, a, s, t) => `${s}\t${t}\t${a.mutual ? 1 : 0}\n`));
}

/** The lines of a file, read in 64 KiB chunks (quicker than node:readline, and little garbage at a time). */
async function* lines(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== '') yield rest;
}

/**
 * The measured child: read the lists, build a graphology graph, write GEXF, report. The 'bare'
 * variant keeps node keys and edges only (the reference figures are for such a graph).
 */
async function nodeChild(dir: string, variant: Variant, writer: NodeWriter): Promise<void> {
  const started = performance.now();
  const graph: SocialGraph = new DirectedGraph();
  for await (const line of lines(path.join(dir, 'nodes.tsv'))) {
    const [key, handle, name, followers, following, posts, created, providerId, provider] = line.split('\t');
    if (variant === 'bare') graph.addNode(key);
    else graph.addNode(key, { handle, name, followers: Number(followers), following: Number(following), posts: Number(posts), created, providerId, provider });
  }
  for await (const line of lines(path.join(dir, 'edges.tsv'))) {
    const [source, target, mutual] = line.split('\t');
    if (variant === 'bare') graph.addDirectedEdge(source, target);
    else graph.addDirectedEdge(source, target, { mutual: mutual === '1' });
  }
  const built = performance.now();
  const builtPeakMiB = peakMiB();
  const file = path.join(dir, `${writer}.gexf`);
  // Same content as networkx writes: the attributes, no drawing (a layout is not part of a write).
  if (writer === 'netlab') await writeGraphFile(graph, file, { decorate: false });
  else writeFileSync(file, writeWithGraphologyGexf(graph)); // the library's writer: one string

  const result: ChildResult = { build: (built - started) / 1000, write: (performance.now() - built) / 1000, builtPeakMiB, peakMiB: peakMiB(), bytes: statSync(file).size };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const networkxChild = `
import json, os, sys, time, networkx as nx
def peak_mib():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
d, bare = sys.argv[1], sys.argv[2] == "bare"
started = time.perf_counter()
g = nx.DiGraph()
with open(d + "/nodes.tsv", encoding="utf-8") as f:
    for line in f:
        key, handle, name, followers, following, posts, created, provider_id, provider = line.rstrip("\\n").split("\\t")
        if bare:
            g.add_node(key)
        else:
            g.add_node(key, handle=handle, name=name, followers=int(followers), following=int(following), posts=int(posts),
                       created=created, providerId=provider_id, provider=provider)
with open(d + "/edges.tsv", encoding="utf-8") as f:
    for line in f:
        s, t, m = line.rstrip("\\n").split("\\t")
        if bare:
            g.add_edge(s, t)
        else:
            g.add_edge(s, t, mutual=(m == "1"))
built = time.perf_counter()
built_peak = peak_mib()
nx.write_gexf(g, d + "/networkx.gexf")
written = time.perf_counter()
peak = peak_mib()
print(json.dumps({"build": built - started, "write": written - built, "builtPeakMiB": built_peak, "peakMiB": peak, "bytes": os.path.getsize(d + "/networkx.gexf")}))
`;

function run(command: string, args: string[]): ChildResult {
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${command} failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return nodeChild(process.argv[3], process.argv[4] as Variant, process.argv[5] as NodeWriter);
  const networkxVersion = execFileSync('/usr/bin/python3', ['-c', 'import networkx; print(networkx.__version__)'], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netlab-bench-graph-'));
  try {
    const started = performance.now();
    await writeEdgeList(randomGraph({ nodes, edges, seed: 1 }), dir);
    console.log(`random graph: ${nodes} nodes, ${edges} edges, seed 1 (generated and listed in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const self = fileURLToPath(import.meta.url);
    const rows: Measurement[] = [];
    for (const variant of ['bare', 'accounts'] as const) {
      const ours = run(process.execPath, ['--import', 'tsx', self, '--child', dir, variant, 'netlab']);
      const theirs = run('/usr/bin/python3', ['-c', networkxChild, dir, variant]);
      // graphology-gexf's own writer, for scale, on request only: it adds ~50 s and ~4 GB.
      const library = variant === 'accounts' && withLibrary ? run(process.execPath, ['--import', 'tsx', self, '--child', dir, variant, 'graphology-gexf']) : undefined;
      for (const [who, r] of [['netlab', ours], [`networkx ${networkxVersion}`, theirs], ['graphology-gexf', library]] as const) {
        if (!r) continue;
        console.log(`${variant.padEnd(8)} ${who.padEnd(15)} build ${r.build.toFixed(2)} s, write ${r.write.toFixed(2)} s, peak RSS ${Math.round(r.builtPeakMiB)} MiB built, ${Math.round(r.peakMiB)} MiB written, file ${(r.bytes / 1e6).toFixed(0)} MB`);
      }
      const what = variant === 'bare' ? 'keys and edges only' : 'with account attributes';
      rows.push(
        { metric: `write time, ${what}`, ours: ours.write, reference: theirs.write, against: 'networkx write_gexf', unit: 's', higherIsBetter: false, target: 0.33 },
        { metric: `peak RSS, ${what}`, ours: ours.peakMiB, reference: theirs.peakMiB, against: 'networkx', unit: 'MiB', higherIsBetter: false, target: 0.75 },
      );
      if (library) {
        rows.push(
          { metric: `write time, ${what}`, ours: ours.write, reference: library.write, against: 'graphology-gexf write', unit: 's', higherIsBetter: false },
          { metric: `peak RSS, ${what}`, ours: ours.peakMiB, reference: library.peakMiB, against: 'graphology-gexf', unit: 'MiB', higherIsBetter: false },
        );
      }
    }
    printComparison(`GEXF export of ${nodes.toLocaleString('en-US')} nodes / ${edges.toLocaleString('en-US')} edges (build + write, each program in its own process)`, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
