// Graph export settings in netlab.config.ts (the `graph` section).
// Owned by the social lab; lib/config merges it into the whole configuration.

export interface GraphConfig {
  /** Where exported graphs go, relative to dataDir unless absolute. */
  exportDir: string;
  /** ForceAtlas2 iterations when a graph is laid out for Gephi, SVG or HTML. */
  layoutIterations: number;
  /** Above this many edges ForceAtlas2 is skipped (communities are placed as blobs instead): it must stay fast. */
  layoutMaxEdges: number;
  /** Above this many edges Louvain is skipped too (every node gets community 0). */
  communitiesMaxEdges: number;
  /** How many accounts `graph stats` lists by in-degree. */
  topAccounts: number;
}

export const graphDefaults: GraphConfig = {
  exportDir: 'graphs',
  layoutIterations: 300,
  layoutMaxEdges: 200_000,
  communitiesMaxEdges: 2_000_000,
  topAccounts: 10,
};
