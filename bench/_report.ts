// Shared by every benchmark: the comparison table, with the ratio to the reference program, and
// what makes a figure honest (issue 13, item 5): runs repeated and interleaved with the
// reference's, the median and its spread, and the load generator's own CPU share.

import { readFileSync } from 'node:fs';
import { Output } from '../lib/cli/output.ts';

/** How many times a network bench measures each side: the verdict is on the median. */
export const rounds = 3;

/** One figure, or one per run (ours[i] and reference[i] measured back to back, in round i). */
export type Figure = number | number[];

export interface Measurement {
  /** What was measured ("TCP echo throughput"). */
  metric: string;
  /** The figure for netlab and for the reference program, in the same unit. */
  ours: Figure;
  reference: Figure;
  /** The reference program's name ("socat"). */
  against: string;
  unit: string;
  /** true when bigger is better (throughput), false when smaller is (latency, memory). */
  higherIsBetter?: boolean;
  /** The target for the ratio ours/reference (e.g. 1.5), shown beside it. */
  target?: number;
  /**
   * The load generator's share of one core while it drove each side (0.4 = 40 %). Near 100 %
   * the client, not the server, sets the figure, and the ratio says little.
   */
  clientCpu?: { ours: Figure; reference: Figure };
}

/**
 * Prints the table: metric, ours, reference (medians, ± half their spread), the ratio (the median
 * of the per-round ratios, with their range), target, verdict (on that median), client CPU.
 */
export function printComparison(title: string, rows: Measurement[]): void {
  const out = new Output({ stdout: process.stdout, stderr: process.stderr });
  out.line(title);
  const withClient = rows.some((row) => row.clientCpu);
  out.table(
    rows.map((row) => {
      const ratios = pairRatios(runs(row.ours), runs(row.reference));
      const middle = median(ratios);
      const better = row.higherIsBetter === false ? middle <= (row.target ?? 1) : middle >= (row.target ?? 1);
      // A range only of finite ratios: against a reference of 0 (no datagram lost) there is none.
      const finite = ratios.filter(Number.isFinite);
      const range = finite.length > 1 ? ` (${Math.min(...finite).toFixed(2)}–${Math.max(...finite).toFixed(2)})` : '';
      const shown = Number.isFinite(middle) ? `${middle.toFixed(2)}×` : 'more (against 0)';
      return {
        metric: row.metric,
        netlab: describe(row.ours, row.unit),
        reference: `${describe(row.reference, row.unit)} (${row.against})`,
        ratio: `${shown}${range}`,
        target: row.target === undefined ? '' : `${row.higherIsBetter === false ? '≤' : '≥'} ${row.target}×`,
        verdict: row.target === undefined ? '' : better ? 'met' : 'MISSED',
        'client cpu': row.clientCpu ? `${percent(row.clientCpu.ours)} / ${percent(row.clientCpu.reference)}` : '',
      };
    }),
    ['metric', 'netlab', 'reference', 'ratio', 'target', 'verdict', ...(withClient ? ['client cpu'] : [])],
  );
  if (withClient) out.line('(client cpu: the load generator\'s median share of one core, driving netlab / the reference; near 100 % it is the bottleneck)');
}

/** Runs each side `rounds` times, alternating, so that a burst of load from elsewhere hits both alike. */
export async function interleaved<T>(sides: { ours: () => Promise<T>; reference: () => Promise<T> }, count = rounds): Promise<{ ours: T[]; reference: T[] }> {
  const results = { ours: [] as T[], reference: [] as T[] };
  for (let round = 0; round < count; round++) {
    results.ours.push(await sides.ours());
    results.reference.push(await sides.reference());
  }
  return results;
}

/** Where the load generator runs: this process, a child process this one waits for, or a process id. */
export type Client = 'this process' | 'child processes' | number;

/**
 * Runs `measure` and returns its result with the client's CPU share of one core meanwhile
 * (CPU seconds / wall seconds). 'child processes' counts children that exit (and are reaped)
 * during `measure`: a load generator such as wrk, run to completion inside it.
 */
export async function withClientCpu<T>(client: Client, measure: () => Promise<T>): Promise<T & { clientCpu: number }> {
  const cpu = () => (client === 'this process' ? ownCpuSeconds() : client === 'child processes' ? reapedChildrenCpuSeconds() : processCpuSeconds(client));
  const [cpuBefore, started] = [cpu(), performance.now()];
  const result = await measure();
  const clientCpu = (cpu() - cpuBefore) / ((performance.now() - started) / 1000);
  return { ...result, clientCpu };
}

/** utime + stime of a running process, from /proc/PID/stat (fields 14 and 15, clock ticks of 10 ms). */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** cutime + cstime of this process (fields 16 and 17): the CPU of its children that have exited. */
function reapedChildrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function runs(figure: Figure): number[] {
  return typeof figure === 'number' ? [figure] : figure;
}

/** ours[i] / reference[i] for each round (runs side by side cancel most of the machine's noise). */
function pairRatios(ours: number[], reference: number[]): number[] {
  if (ours.length !== reference.length) return [ratio(median(ours), median(reference))];
  return ours.map((value, i) => ratio(value, reference[i]));
}

/** Equal figures are 1× even at 0 (no loss on either side); anything against 0 is infinitely more. */
function ratio(ours: number, reference: number): number {
  return ours === reference ? 1 : ours / reference;
}

/** "9,669 calls/s" for one run; "9,669 calls/s ±4 %" (half the range, against the median) for several. */
function describe(figure: Figure, unit: string): string {
  const values = runs(figure);
  const middle = median(values);
  if (values.length === 1) return `${format(middle)} ${unit}`;
  const spread = (Math.max(...values) - Math.min(...values)) / 2 / Math.abs(middle || 1);
  return `${format(middle)} ${unit} ±${Math.round(spread * 100)} %`;
}

function percent(figure: Figure): string {
  return `${Math.round(median(runs(figure)) * 100)} %`;
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}
