// The request log: pino, one JSON line per request or event, appended to logDir/NAME.log.
// Writes are synchronous, so a line is on disk before the next request and nothing is lost on exit.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

export type RequestLog = Logger;

/** @param now the clock each line's `time` is read from (Date.now; tests set their own). */
export function openRequestLog(file: string, service: string, now: () => number = Date.now): RequestLog {
  mkdirSync(path.dirname(file), { recursive: true });
  // "time" in ISO 8601, UTC, as pino.stdTimeFunctions.isoTime writes it, but on the given clock.
  const isoTime = () => `,"time":"${new Date(now()).toISOString()}"`;
  return pino(
    { base: { service, pid: process.pid }, timestamp: isoTime },
    pino.destination({ dest: file, append: true, sync: true }),
  );
}

/** For exercises that keep no log, and for library calls made without one. */
export const silentLog: RequestLog = pino({ level: 'silent' });

/** Formats one log line for people: "18:20:01 info  fingerd  query alice  client=127.0.0.1:5012". */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line; // stray output of a daemon (a crash trace): shown as it is
  }
  const { time, level, msg, service, pid, hostname, ...fields } = entry;
  void pid;
  void hostname;
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  const label = pino.levels.labels[Number(level)] ?? String(level);
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${clock} ${label.padEnd(5)} ${String(service ?? '')}  ${String(msg ?? '')}${rest ? `  ${rest}` : ''}`;
}
