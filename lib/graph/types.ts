// The shape of a netlab social graph: accounts (nodes) and follows (directed edges), and the
// name an account goes by. Every attribute is optional, so a graph from any GEXF or JSON fits.

import type { DirectedGraph } from 'graphology';

/** What a provider knows about an account, plus the drawing attributes (sigma's names). */
export interface AccountAttributes {
  handle?: string;
  name?: string;
  followers?: number;
  following?: number;
  posts?: number;
  /** ISO 8601 date the account was created. */
  created?: string;
  providerId?: string;
  provider?: string;
  /** Set by decorateGraph(): Louvain community, position, size and colour. */
  community?: number;
  x?: number;
  y?: number;
  size?: number;
  color?: string;
  /** Read from GEXF files (a node's label); other keys may appear too. */
  label?: string;
  [key: string]: unknown;
}

export interface FollowAttributes {
  /**
   * Both accounts follow each other: what the lab calls "friends". Not the X (Twitter) API's
   * `friends`, which are simply the accounts a user follows (GET friends/ids), mutual or not.
   */
  mutual?: boolean;
  [key: string]: unknown;
}

export type SocialGraph = DirectedGraph<AccountAttributes, FollowAttributes>;

/** What a person calls an account: its label, else its handle, else its name, else the node key. */
export function labelOf(node: string, a: { label?: unknown; handle?: unknown; name?: unknown }): string {
  for (const value of [a.label, a.handle, a.name]) if (typeof value === 'string' && value !== '') return value;
  return node;
}
