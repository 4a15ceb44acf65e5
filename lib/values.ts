// The values a person types, checked: ports, seconds, counts. Each bad one is a NetlabError
// (E_USAGE) naming the flag. Below the domains: a client's URL port is checked the same way.

import { NetlabError } from './errors.ts';

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

/** A whole number from a flag: a count from 1 (--count, --max, --max-connections), or from 0 (--offset). */
export function parseCount(value: string | undefined, fallback: number, flag: string, lowest: 0 | 1 = 1): number {
  if (value === undefined || value === '') return fallback;
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(count) || count < lowest) {
    throw new NetlabError('E_USAGE', `${flag} ${JSON.stringify(value)} is not a ${lowest === 1 ? 'positive ' : ''}whole number`, {
      hint: lowest === 1 ? 'give an integer from 1, e.g. 10' : 'give an integer from 0, e.g. 10',
    });
  }
  return count;
}
