// The worker thread of lib/graph/edge-lines.ts: the GEXF <edge> lines of a random graph's
// follows, made from their numbers and written, encoded, to a file.

import { workerData } from 'node:worker_threads';
import { edgeLines, type EdgeToWrite } from './gexf-writer.ts';
import { writePieces } from './stream.ts';
import { attributesByFlag, followColumns, type EdgeLinesJob } from './edge-lines.ts';

const { nodes, pairs, mutual, file } = workerData as EdgeLinesJob;
const keys = Array.from({ length: nodes }, (_, i) => String(i));

function* follows(): Generator<EdgeToWrite> {
  for (let i = 0; i < pairs.length; i++) {
    const source = Math.floor(pairs[i] / nodes);
    yield { source: keys[source], target: keys[pairs[i] - source * nodes], attributes: attributesByFlag[mutual[i]], undirected: false };
  }
}

await writePieces(edgeLines(follows(), followColumns, 'directed'), file);
