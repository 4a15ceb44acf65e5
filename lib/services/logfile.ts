// Reading a service's log file: the last N lines, what came after an offset, and `-f` following.

import { closeSync, openSync, readSync, statSync, watchFile, unwatchFile } from 'node:fs';

/** The last `count` lines of a file (reads only its tail, however large the file). */
export function readLastLines(file: string, count: number): string[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return [];
  }
  const chunk = Math.min(size, Math.max(64 * 1024, count * 512));
  const lines = readRange(file, size - chunk, size).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (chunk < size) lines.shift(); // the first line was cut
  return lines.slice(-count);
}

/** The complete lines written to a file since byte `offset`. */
export function readLogSince(file: string, offset: number): string[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return [];
  }
  return readRange(file, offset, size).split('\n').filter((line) => line !== '');
}

/** Calls onLine for each line appended to the file until the signal aborts (`logs -f`). */
export async function followLog(file: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  let offset = safeSize(file);
  let partial = '';
  const poll = () => {
    const size = safeSize(file);
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

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
