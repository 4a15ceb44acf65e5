// Flags that mean the same in every exercise, as citty argument definitions to spread in.
// The parsers that check their strings are in lib/values.ts, below the domains, which use them
// too (a URL's port).

import type { ArgsDef } from 'citty';
import { defaultConfig } from '../config/define.ts';

export const hostArg = {
  host: {
    type: 'string',
    description: 'address to bind or connect to (default from config: 127.0.0.1; 0.0.0.0 exposes a server to the network)',
    valueHint: 'addr',
  },
} as const satisfies ArgsDef;

/** The default shown in --help: config ports.SERVICE, and its value when netlab has one. */
function portDefault(service: string): string {
  const port = defaultConfig.ports[service];
  return port === undefined ? `config ports.${service}` : `from config ports.${service}: ${port}`;
}

/** A server's --port / -p, whose default comes from config.ports[service] (servicePort). */
export function portArg(service: string) {
  return {
    port: {
      type: 'string',
      alias: 'p',
      description: `port (default ${portDefault(service)}; 0 picks a free one)`,
      valueHint: 'n',
    },
  } as const satisfies ArgsDef;
}

/** A client's --port / -p: the server's port (parseRemotePort in lib/values.ts). */
export function remotePortArg(service: string) {
  return {
    port: { type: 'string', alias: 'p', description: `the server's port (default ${portDefault(service)})`, valueHint: 'n' },
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
