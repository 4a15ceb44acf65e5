// Finding the programs netlab runs (tshark, tcpdump, the system's finger): one helper below the
// domains, so that each looks for a program the same way.

import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Where the executable `name` is: itself when it has a slash (a path from the config), else the
 * first on the search path. The sbin folders come last even when PATH lacks them: an ordinary
 * user's PATH often does, and tcpdump lives there on some systems.
 */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  const folders = [...searchPath.split(path.delimiter), '/usr/sbin', '/sbin'].filter(Boolean);
  const candidates = name.includes('/') ? [name] : folders.map((folder) => path.join(folder, name));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false; // not here
    }
  });
}
