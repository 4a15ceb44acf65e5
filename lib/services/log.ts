// The request log: pino, one JSON line per request or event, appended to logDir/NAME.log.
// Writes are synchronous, so a line is on disk before the next request and nothing is lost on exit.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from 'pino';

// pino is loaded when a log is opened or read, not by every command that imports this module
// (it costs ~30 ms of start-up, more than a client's whole work): see docs/architecture.md.
const loadPino = () => createRequire(import.meta.url)('pino') as typeof import('pino');

export type RequestLog = Logger;

/** @param now the clock each line's `time` is read from (Date.now; tests set their own). */
export function openRequestLog(file: string, service: string, now: () => number = Date.now): RequestLog {
  mkdirSync(path.dirname(file), { recursive: true });
  // "time" in ISO 8601, UTC, as pino.stdTimeFunctions.isoTime writes it, but on the given clock.
  const isoTime = () => `,"time":"${new Date(now()).toISOString()}"`;
  const pino = loadPino();
  return pino(
    { base: { service, pid: process.pid }, timestamp: isoTime },
    pino.destination({ dest: file, append: true, sync: true }),
  );
}

/**
 * For exercises that keep no log, and for library calls made without one. Its level methods do
 * nothing without loading pino; anything else it is asked for comes from a real silent pino.
 */
export const silentLog: RequestLog = silentLogger();

function silentLogger(): RequestLog {
  let real: RequestLog | undefined;
  const nothing = () => {};
  const own: Record<PropertyKey, unknown> = {
    level: 'silent',
    trace: nothing,
    debug: nothing,
    info: nothing,
    warn: nothing,
    error: nothing,
    fatal: nothing,
    silent: nothing,
    isLevelEnabled: () => false,
  };
  const logger: RequestLog = new Proxy({} as RequestLog, {
    get(_target, key) {
      if (key === 'child') return () => logger;
      if (Object.hasOwn(own, key)) return own[key];
      real ??= loadPino()({ level: 'silent' });
      const value = Reflect.get(real, key);
      return typeof value === 'function' ? value.bind(real) : value;
    },
  });
  return logger;
}

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
  const label = loadPino().levels.labels[Number(level)] ?? String(level);
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${clock} ${label.padEnd(5)} ${String(service ?? '')}  ${String(msg ?? '')}${rest ? `  ${rest}` : ''}`;
}
