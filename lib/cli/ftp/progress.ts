// Transfer feedback for people: a cli-progress bar with bytes/s and ETA while a person watches
// (stdout is a TTY), and the one-line summary "received 1.0 GiB in 2.1 s (488 MiB/s)".

import cliProgress from 'cli-progress';
import type { Output } from '../output.ts';

export interface TransferProgress {
  update(bytes: number): void;
  /** Removes the bar and returns the elapsed seconds. */
  stop(): number;
}

/** A bar on a TTY (unless --quiet/--json), otherwise only a clock. `total` may be unknown. */
export function startProgress(out: Output, label: string, total: number | undefined): TransferProgress {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  if (!out.isTTY || out.quiet || out.json) return { update: () => undefined, stop: elapsed };
  const bar = new cliProgress.SingleBar({
    stream: out.stdout,
    format: total ? `${label} {bar} {percentage}% {done}/{size} {speed} ETA {eta_formatted}` : `${label} {done} {speed}`,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    fps: 8,
  });
  bar.start(total || 1, 0, { done: formatBytes(0), size: formatBytes(total ?? 0), speed: '' });
  return {
    update(bytes) {
      bar.update(total ? bytes : 0, { done: formatBytes(bytes), speed: `${formatBytes(bytes / Math.max(elapsed(), 0.001))}/s` });
    },
    stop() {
      bar.stop();
      return elapsed();
    },
  };
}

/** 1536 → "1.5 KiB" (binary units, as file sizes are counted). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** "received 1.0 GiB in 2.1 s (488 MiB/s)". */
export function transferSummary(verb: string, bytes: number, seconds: number): string {
  return `${verb} ${formatBytes(bytes)} in ${seconds.toFixed(seconds < 10 ? 2 : 1)} s (${formatBytes(bytes / Math.max(seconds, 0.001))}/s)`;
}
