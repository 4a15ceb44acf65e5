// Flags that mean the same in every exercise, as citty argument definitions to spread in,
// and the parsers that turn their strings into checked values.

import type { ArgsDef } from 'citty';
import { NetlabError } from '../errors.ts';

export const hostArg = {
  host: {
    type: 'string',
    description: 'address to bind or connect to (default from config: 127.0.0.1; 0.0.0.0 exposes a server to the network)',
    valueHint: 'addr',
  },
} as const satisfies ArgsDef;

/** A server's --port / -p, whose default comes from config.ports[service]. */
export function portArg(service: string, fallback: number) {
  return {
    port: {
      type: 'string',
      alias: 'p',
      description: `port (default from config ports.${service}: ${fallback}; 0 picks a free one)`,
      valueHint: 'n',
    },
  } as const satisfies ArgsDef;
}

/** A client's --port / -p: the server's port (parseRemotePort). */
export function remotePortArg(service: string, fallback: number) {
  return {
    port: { type: 'string', alias: 'p', description: `the server's port (default from config ports.${service}: ${fallback})`, valueHint: 'n' },
  } as const satisfies ArgsDef;
}

export const jsonArg = {
  json: { type: 'boolean', description: 'print results as JSON, for scripts' },
} as const satisfies ArgsDef;

export const quietArg = {
  quiet: { type: 'boolean', alias: 'q', description: 'print only results and errors' },
} as const satisfies ArgsDef;

export const traceArg = {
  trace: { type: 'boolean', description: 'show what crosses the wire' },
} as const satisfies ArgsDef;

export function timeoutArg(defaultSeconds: number) {
  return {
    timeout: { type: 'string', description: `seconds to wait before giving up (default ${defaultSeconds})`, valueHint: 's' },
  } as const satisfies ArgsDef;
}

/** A port to listen on, from a flag or the config: an integer 0–65535 (0: the system picks one). */
export function parsePort(value: string | number | undefined, fallback: number, flag = '--port'): number {
  return checkedPort(value, fallback, flag, 0);
}

/** The port of a server to reach (a client's --port, a URL): 1–65535, since nothing listens on 0. */
export function parseRemotePort(value: string | number | undefined, fallback: number, flag = '--port'): number {
  return checkedPort(value, fallback, flag, 1);
}

function checkedPort(value: string | number | undefined, fallback: number, flag: string, lowest: 0 | 1): number {
  if (value === undefined || value === '') return fallback;
  const port = typeof value === 'number' ? value : Number(value);
  if (port === 0 && lowest === 1) {
    throw new NetlabError('E_USAGE', `${flag} 0 names no server: only a server may ask for port 0 (any free port)`, {
      hint: 'give the port the server listens on (it prints it when it starts)',
    });
  }
  if (!Number.isInteger(port) || port < lowest || port > 65535) {
    throw new NetlabError('E_USAGE', `${flag} ${JSON.stringify(String(value))} is not a port number`, {
      hint: lowest === 0 ? 'give an integer from 1 to 65535 (0 lets the system choose)' : 'give an integer from 1 to 65535',
    });
  }
  return port;
}

/** Seconds from --timeout as milliseconds. */
export function parseSeconds(value: string | undefined, fallbackSeconds: number, flag = '--timeout'): number {
  if (value === undefined || value === '') return fallbackSeconds * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new NetlabError('E_USAGE', `${flag} ${JSON.stringify(value)} is not a number of seconds`, {
      hint: 'give a positive number, e.g. 2 or 0.5',
    });
  }
  return seconds * 1000;
}

/** A positive integer from a flag (--count, --max, --max-connections). */
export function parseCount(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined || value === '') return fallback;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) {
    throw new NetlabError('E_USAGE', `${flag} ${JSON.stringify(value)} is not a positive whole number`);
  }
  return count;
}
