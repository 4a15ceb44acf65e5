// The XML-RPC servers' settings in netlab.config.ts (the `rpc` section).
// Owned by the RPC lab; lib/config merges it into the whole configuration.

export interface RpcLimits {
  /** A larger request body is refused with HTTP 413 (1 MiB: a directory add is ~300 bytes). */
  maxBodyBytes: number;
  /** How deep arrays and structs may nest in a request before it is refused (fault -32600). */
  maxDepth: number;
  /** A request (headers and body) must arrive within this time, else HTTP 408: no slow-loris. */
  requestTimeoutMs: number;
  /** Open connections at once; more are refused by the kernel backlog, not queued forever. */
  maxConnections: number;
}

export interface RpcConfig {
  /** The directory's database file, relative to dataDir unless absolute. */
  annuaireDb: string;
  limits: RpcLimits;
  /** Seconds a client waits for an answer before giving up. */
  clientTimeout: number;
  /**
   * Microseconds a server keeps polling its sockets after each answer, rather than sleeping until
   * the kernel wakes it (lib/net/busy-poll.ts): 0 (off) to maxBusyPollMicros. 50, as Linux's
   * net.core.busy_read for a few sockets: the rate on one connection went from 11,196 to 20,161
   * calls/s (bench/rpc).
   */
  busyPollMicros: number;
}

/** What a server takes from the config's rpc section (every RPC server gets the same). */
export function rpcServerSettings(rpc: RpcConfig): { limits: RpcLimits; busyPollMicros: number } {
  return { limits: rpc.limits, busyPollMicros: rpc.busyPollMicros };
}

/** Longer windows buy nothing (100 to 500 µs did no better than 50) and burn a core for each call. */
export const maxBusyPollMicros = 1_000;

export const rpcDefaults: RpcConfig = {
  annuaireDb: 'annuaire.db',
  limits: {
    maxBodyBytes: 1024 * 1024,
    maxDepth: 64,
    requestTimeoutMs: 10_000,
    maxConnections: 256,
  },
  clientTimeout: 10,
  busyPollMicros: 50,
};
