// Graph export settings in netlab.config.ts (the `graph` section).
// Owned by the social lab; lib/config merges it into the whole configuration.

export interface GraphConfig {
  /** Where exported graphs go, relative to dataDir unless absolute. */
  exportDir: string;
}

export const graphDefaults: GraphConfig = {
  exportDir: 'graphs',
};
