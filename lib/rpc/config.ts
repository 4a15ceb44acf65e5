// The XML-RPC servers' settings in netlab.config.ts (the `rpc` section).
// Owned by the RPC lab; lib/config merges it into the whole configuration.

export interface RpcConfig {
  /** The directory's database file, relative to dataDir unless absolute. */
  annuaireDb: string;
}

export const rpcDefaults: RpcConfig = {
  annuaireDb: 'annuaire.db',
};
