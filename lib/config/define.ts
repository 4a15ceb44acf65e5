// The shape of netlab.config.ts and its defaults.
// defineConfig is an identity function: it exists so that the config file is type-checked.

import { NetlabError } from '../errors.ts';
import { fingerDefaults, type FingerConfig } from '../finger/config.ts';
import { ftpDefaults, type FtpConfig } from '../ftp/config.ts';
import { graphDefaults, type GraphConfig } from '../graph/config.ts';
import { rpcDefaults, type RpcConfig } from '../rpc/config.ts';
import { socialDefaults, type SocialConfig } from '../social/config.ts';

export interface NetlabConfig {
  /** Address servers bind to and clients connect to. Loopback unless said otherwise. */
  host: string;
  /** Default port of each service, by short name (udp, tcp, finger, calc, annuaire, ftp, …). */
  ports: Record<string, number>;
  /** Runtime data (databases, ftp root, graphs). Relative paths start at the project root. */
  dataDir: string;
  /** Where services keep their pidfiles. */
  pidDir: string;
  /** Where services keep their request logs. */
  logDir: string;
  /** A pidfile path for a given service, instead of pidDir/NAME.pid (the lab's /tmp/finger.pid). */
  pidFiles: Record<string, string>;
  /** Extra exercise packages (npm names or paths) the registry loads besides scripts/ and plugins/. */
  plugins: string[];
  finger: FingerConfig;
  rpc: RpcConfig;
  ftp: FtpConfig;
  social: SocialConfig;
  graph: GraphConfig;
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};
export type NetlabUserConfig = DeepPartial<NetlabConfig>;

export function defineConfig(config: NetlabUserConfig): NetlabUserConfig {
  return config;
}

export const defaultConfig: NetlabConfig = {
  host: '127.0.0.1',
  ports: {
    udp: 9875,
    tcp: 8016,
    finger: 7979,
    calc: 8700,
    annuaire: 8701,
    ftp: 2121,
    qotd: 1717,
  },
  dataDir: 'data',
  pidDir: 'data/run',
  logDir: 'data/log',
  pidFiles: {},
  plugins: [],
  finger: fingerDefaults,
  rpc: rpcDefaults,
  ftp: ftpDefaults,
  social: socialDefaults,
  graph: graphDefaults,
};

/**
 * The port of a service, from the configuration: the one place a default port is written is
 * `defaultConfig.ports` above (netlab.config.ts and NETLAB_PORTS_NAME override it).
 */
export function servicePort(config: Pick<NetlabConfig, 'ports'>, service: string): number {
  const port = config.ports[service];
  if (port === undefined) {
    throw new NetlabError('E_CONFIG', `the configuration has no port for ${service}`, {
      hint: `add ports: { ${service}: N } to netlab.config.ts, or set NETLAB_PORTS_${service.toUpperCase().replace(/-/g, '_')}`,
    });
  }
  return port;
}

/** Keys whose value is a free-form record (any key allowed, values typed like the defaults'). */
export const openRecords = new Set(['ports', 'pidFiles']);

/** Environment names that do not follow the NETLAB_SECTION_KEY rule. */
export const environmentAliases: Record<string, string> = {
  NETLAB_X_API_BASE: 'social.xApiBase',
  NETLAB_BSKY_API_BASE: 'social.blueskyApiBase',
};
