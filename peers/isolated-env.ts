// netlab run as a peer (a server in its own process, for a test or a benchmark) keeps its state
// in a folder of its own, never in the checkout's data/.

import path from 'node:path';

/**
 * Environment that points data, pids and logs into `dir`, so tests never touch data/.
 * NODE_OPTIONS is dropped: npm's `--import=tsx` would be resolved from a child's own cwd.
 */
export function isolatedEnv(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS, ...inherited } = process.env;
  void NODE_OPTIONS;
  return {
    ...inherited,
    NETLAB_DATA_DIR: path.join(dir, 'data'),
    NETLAB_PID_DIR: path.join(dir, 'run'),
    NETLAB_LOG_DIR: path.join(dir, 'log'),
    ...extra,
  };
}
