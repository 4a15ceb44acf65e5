// Graph export settings in netlab.config.ts (the `graph` section).
// Owned by the graph half of Lab 5; lib/config merges it into the whole configuration.

import type { GexfVersion } from './gexf-writer.ts';

export interface GraphConfig {
  /** Where exported graphs go, relative to dataDir unless absolute. */
  exportDir: string;
  /** ForceAtlas2 iterations when a graph is laid out for Gephi, SVG or HTML. */
  layoutIterations: number;
  /**
   * ForceAtlas2's work cap, in node+edge visits: iterations are cut to budget / (nodes + edges),
   * and under 10 the layout is skipped (communities are placed as discs instead). Keeps big graphs fast.
   */
  layoutBudget: number;
  /** Above this many edges Louvain is skipped too (every node gets community 0). */
  communitiesMaxEdges: number;
  /** How many accounts `graph stats` lists by in-degree. */
  topAccounts: number;
  /** The GEXF written: '1.3', or '1.2draft' for networkx 2.x (Debian 12); --gexf-version wins. */
  gexfVersion: GexfVersion;
}

export const graphDefaults: GraphConfig = {
  exportDir: 'graphs',
  layoutIterations: 300,
  layoutBudget: 5_000_000,
  communitiesMaxEdges: 2_000_000,
  topAccounts: 10,
  gexfVersion: '1.3',
};
