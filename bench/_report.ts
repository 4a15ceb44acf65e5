// Shared by every benchmark: the comparison table, with the ratio to the reference program.

import { Output } from '../lib/cli/output.ts';

export interface Measurement {
  /** What was measured ("TCP echo throughput"). */
  metric: string;
  /** The figure for netlab and for the reference program, in the same unit. */
  ours: number;
  reference: number;
  /** The reference program's name ("socat"). */
  against: string;
  unit: string;
  /** true when bigger is better (throughput), false when smaller is (latency, memory). */
  higherIsBetter?: boolean;
  /** The target for the ratio ours/reference (e.g. 1.5), shown beside it. */
  target?: number;
}

/** Prints the table: metric, ours, reference, ratio (ours/reference), target, verdict. */
export function printComparison(title: string, rows: Measurement[]): void {
  const out = new Output({ stdout: process.stdout, stderr: process.stderr });
  out.line(title);
  out.table(
    rows.map((row) => {
      const ratio = row.ours / row.reference;
      const better = row.higherIsBetter === false ? ratio <= (row.target ?? 1) : ratio >= (row.target ?? 1);
      return {
        metric: row.metric,
        netlab: `${format(row.ours)} ${row.unit}`,
        reference: `${format(row.reference)} ${row.unit} (${row.against})`,
        ratio: `${ratio.toFixed(2)}×`,
        target: row.target === undefined ? '' : `${row.higherIsBetter === false ? '≤' : '≥'} ${row.target}×`,
        verdict: row.target === undefined ? '' : better ? 'met' : 'MISSED',
      };
    }),
    ['metric', 'netlab', 'reference', 'ratio', 'target', 'verdict'],
  );
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}
