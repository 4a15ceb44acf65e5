// bench/capture: `netlab capture --read` of a 100,000-packet pcap to SVG, against tshark's own
// flow graph (`tshark -z flow,tcp,network`) of the same file — 3 runs each, one after the other,
// wall time and CPU time (user + system, the command and its children) of each.
// The file is written here (peers/pcap-writer.ts): TCP echo exchanges on loopback.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeEchoCapture } from '../peers/pcap-writer.ts';
import { printComparison } from './_report.ts';

const packets = Number(process.env.NETLAB_BENCH_PACKETS ?? 100_000);
const runs = 3;
const targetSeconds = 3;
const netlab = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/netlab.js');

/** Runs a command under bash, whose `times` gives its children's CPU time: { wall, cpu } in seconds. */
function timed(command: string[]): { wall: number; cpu: number } {
  const quoted = command.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const started = performance.now();
  const output = execFileSync('bash', ['-c', `${quoted} >/dev/null 2>&1 || exit 1; times`], { encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  // `times`: the shell's own user and system time, then its children's ("0m1.234s 0m0.056s").
  const children = output.trim().split('\n').at(-1)!.match(/(\d+)m([\d.]+)s/g)!;
  const cpu = children.map((part) => { const [, m, s] = /(\d+)m([\d.]+)s/.exec(part)!; return Number(m) * 60 + Number(s); }).reduce((a, b) => a + b, 0);
  return { wall, cpu };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function spread(values: number[]): string {
  return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)} s`;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'netlab-bench-capture-'));
try {
  const file = path.join(dir, 'echo.pcap');
  writeEchoCapture(file, packets);
  const ours: { wall: number; cpu: number }[] = [];
  const reference: { wall: number; cpu: number }[] = [];
  // Alternated, so that a burst of load from elsewhere falls on both.
  for (let run = 0; run < runs; run++) {
    ours.push(timed([process.execPath, netlab, 'capture', '--read', file, '--out', path.join(dir, 'echo.svg')]));
    reference.push(timed(['tshark', '-r', file, '-n', '-q', '-z', 'flow,tcp,network']));
  }
  const wall = median(ours.map((m) => m.wall));
  printComparison(`capture --read ${packets.toLocaleString('en')} packets → SVG, against tshark -z flow,tcp,network (median of ${runs}; lower is better)`, [
    { metric: 'wall time', ours: wall, reference: median(reference.map((m) => m.wall)), against: 'tshark -z flow', unit: 's', higherIsBetter: false },
    { metric: 'CPU time (user+sys)', ours: median(ours.map((m) => m.cpu)), reference: median(reference.map((m) => m.cpu)), against: 'tshark -z flow', unit: 's', higherIsBetter: false },
  ]);
  console.log(`spread: netlab ${spread(ours.map((m) => m.wall))}, tshark ${spread(reference.map((m) => m.wall))} (wall)`);
  console.log(`target: --read to SVG in ≤ ${targetSeconds} s — ${wall <= targetSeconds ? 'met' : 'MISSED'} (${wall.toFixed(2)} s, median wall time)`);
  console.log('netlab dissects the first 300 packets only (the diagram is bounded) and lets capinfos count the rest; tshark -z flow dissects them all.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
