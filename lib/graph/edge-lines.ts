// `netlab graph random` draws its follows as numbers before it builds the graph (lib/graph/
// random.ts), and the GEXF's <edge> lines, three quarters of the file, need nothing else. So a
// worker thread makes them and writes them, encoded, to a file beside the output while this
// thread builds the graph, finds its communities and writes the nodes; gexfPieces then copies
// them in (GexfOptions.encodedEdges).

import { closeSync, openSync, readSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { inferColumns, type AttributeColumn } from './gexf-writer.ts';
import { followAttributes, type Follows } from './random.ts';
import { hiddenBeside, partialFile, removedOnExit } from './stream.ts';

/** What the worker gets: the follows (copied to it) and the file to write. */
export interface EdgeLinesJob {
  nodes: number;
  pairs: Float64Array;
  mutual: Uint8Array;
  file: string;
}

/** A follow's attributes, by its `mutual` flag (0 or 1): only read, so two objects serve them all. */
export const attributesByFlag = [followAttributes(false), followAttributes(true)];
/** Their GEXF columns, as gexfPieces infers them from a graph's edges. */
export const followColumns: AttributeColumn[] = inferColumns((visit) => attributesByFlag.forEach((attributes) => visit('', attributes)));

export interface EdgeLines {
  /** The columns the lines were made with (none for no follows, as for a graph without edges). */
  columns: AttributeColumn[];
  /** Settles once the file is complete; rejects with the worker's error. */
  written: Promise<void>;
  /** The file's bytes, 1 MiB at a time, each chunk a Buffer of its own. */
  chunks(): Generator<Buffer>;
  /** Deletes the file (once the output is written, or has failed). */
  remove(): Promise<void>;
}

// The worker runs what this module runs: the compiled .js from dist/, or the .ts sources. These
// need tsx's loader, which bin/netlab.js registers on this thread only, and which Node 20 does not
// pass on to a worker even as an --import in its execArgv (ERR_UNKNOWN_FILE_EXTENSION on 20.20):
// so there the worker registers it itself, then loads its module.
const here = fileURLToPath(import.meta.url);
const workerUrl = pathToFileURL(path.join(path.dirname(here), `edge-lines-worker${path.extname(here)}`));

function startWorker(job: EdgeLinesJob): Worker {
  if (path.extname(here) !== '.ts') return new Worker(workerUrl, { workerData: job });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const code = `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); })`;
  return new Worker(code, { eval: true, workerData: job });
}

/**
 * Below this many follows the lines are made on the main thread: a worker starts in ~30 ms (the
 * compiled copy; ~150 ms from the sources), and 50,000 edge lines take about as long to make.
 */
export const workerMinEdges = 50_000;

/**
 * Starts making the edge lines of `follows` for the GEXF file `output`, in a file beside it, if
 * there are at least `minEdges` of them. The caller deletes that file with remove(); so does a
 * process that exits before.
 */
export function startEdgeLines(follows: Follows, output: string, minEdges = workerMinEdges): EdgeLines | undefined {
  if (follows.pairs.length < minEdges) return undefined;
  const file = hiddenBeside(output, `.${process.pid}.edges`);
  // The worker's own partial file too: it dies with the process, before it could remove it.
  const cancelRemoval = removedOnExit(file, partialFile(file));
  const worker = startWorker({ nodes: follows.nodes, pairs: follows.pairs, mutual: follows.mutual, file });
  const written = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the edge-lines worker exited with ${code}`))));
  });
  written.catch(() => {}); // awaited by the caller once the graph is built, not an unhandled rejection meanwhile
  return {
    columns: follows.pairs.length > 0 ? followColumns : [],
    written,
    *chunks() {
      const descriptor = openSync(file, 'r');
      try {
        for (;;) {
          // A Buffer per chunk: writePieces may still be writing the last one.
          const chunk = Buffer.allocUnsafe(1 << 20);
          const length = readSync(descriptor, chunk);
          if (length === 0) return;
          yield chunk.subarray(0, length);
        }
      } finally {
        closeSync(descriptor);
      }
    },
    // Not before the worker is done: it could otherwise write the file after it was deleted.
    async remove() {
      await written.catch(() => {});
      // Where the worker could not make it (a folder this user may not write), there is none.
      await rm(file, { force: true }).catch(() => {});
      cancelRemoval();
    },
  };
}
