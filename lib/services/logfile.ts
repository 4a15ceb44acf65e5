// Reading a service's log file: the last N lines, what came after an offset, `-f` following, and
// the lines of one instance (every instance of a service appends to the same file).

import { closeSync, openSync, readSync, statSync, watchFile, unwatchFile } from 'node:fs';

/** The size of a file, 0 when it does not exist (yet). */
export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last `count` lines of a file (reads only its tail, however large the file). */
export function readLastLines(file: string, count: number): string[] {
  return readTail(file, Math.max(64 * 1024, count * 512)).slice(-count);
}

/** The complete lines of the file's last `bytes` (or all of it). */
function readTail(file: string, bytes: number): string[] {
  const size = fileSize(file);
  const chunk = Math.min(size, bytes);
  const lines = readRange(file, size - chunk, size).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (chunk < size) lines.shift(); // the first line was cut
  return lines;
}

/** How much of a log is read to find one instance's lines: its start line must be in it. */
const instanceScanBytes = 32 * 1024 * 1024;

/** The last `count` lines of one instance (`netlab logs fingerd@7979`), read from the file's last 32 MiB. */
export function readInstanceLines(file: string, instance: string, count: number): { lines: string[]; sorter: InstanceLines } {
  const sorter = new InstanceLines(instance);
  const lines = readTail(file, instanceScanBytes).flatMap((line) => sorter.take(line));
  return { lines: lines.slice(-count), sorter };
}

/**
 * Tells one instance's lines from the others'. Every line carries the pid of the process that
 * wrote it, and each instance logs `{"event":"start","instance":"fingerd@7979"}` once it listens:
 * from that line on, the pid's lines are that instance's, up to its stop line. What a process logs
 * before it listens (ftpd's sweep of unfinished uploads) waits, and joins the instance it becomes.
 * Lines are given in file order; take() returns those of the instance, now known.
 */
export class InstanceLines {
  private readonly instance: string;
  /** Which instance each pid is, from its start line to its stop line. */
  private readonly byPid = new Map<number, string>();
  /** Lines of a pid that has not said which instance it is yet. */
  private readonly waiting = new Map<number, string[]>();

  constructor(instance: string) {
    this.instance = instance;
  }

  take(line: string): string[] {
    const entry = parseLine(line);
    if (entry === undefined) return [];
    const { pid, event, instance } = entry;
    if (event === 'start' && typeof instance === 'string') {
      this.byPid.set(pid, instance);
      const before = this.waiting.get(pid) ?? [];
      this.waiting.delete(pid);
      return instance === this.instance ? [...before, line] : [];
    }
    const owner = this.byPid.get(pid);
    if (event === 'stop') this.byPid.delete(pid);
    if (owner === undefined) {
      if (event !== 'stop') this.waiting.set(pid, [...(this.waiting.get(pid) ?? []), line]);
      return [];
    }
    return owner === this.instance ? [line] : [];
  }
}

function parseLine(line: string): { pid: number; event?: unknown; instance?: unknown } | undefined {
  try {
    const entry = JSON.parse(line) as { pid?: unknown; event?: unknown; instance?: unknown };
    return typeof entry.pid === 'number' ? { pid: entry.pid, event: entry.event, instance: entry.instance } : undefined;
  } catch {
    return undefined; // stray output (a crash trace): no pid says whose it is
  }
}

/** The complete lines written to a file since byte `offset`. */
export function readLogSince(file: string, offset: number): string[] {
  const size = fileSize(file);
  return readRange(file, offset, size).split('\n').filter((line) => line !== '');
}

/** Calls onLine for each line appended to the file until the signal aborts (`logs -f`). */
export async function followLog(file: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  let offset = fileSize(file);
  let partial = '';
  const poll = () => {
    const size = fileSize(file);
    if (size < offset) offset = 0; // truncated or rotated: start again from the top
    if (size === offset) return;
    const text = partial + readRange(file, offset, size);
    offset = size;
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  watchFile(file, { interval: 200 }, poll);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  unwatchFile(file, poll);
}

function readRange(file: string, start: number, end: number): string {
  if (end <= start) return '';
  const buffer = Buffer.alloc(end - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}
