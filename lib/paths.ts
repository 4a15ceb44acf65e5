// Where netlab's own files are, and where a domain's relative paths point: below every domain,
// so that a server can find its template or a data file without loading the configuration.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The code netlab runs: the checkout itself (lib/, scripts/, plugins/ as TypeScript), or its
 * compiled copy dist/ (bin/build.js), which has the same folders. The registry looks here.
 */
export const codeRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The checkout netlab runs from: the folder holding package.json and data/fixtures/. */
export const packageRoot = existsSync(path.join(codeRoot, 'package.json')) ? codeRoot : path.dirname(codeRoot);

/** True when running the compiled copy: a TypeScript file (a plugin, a config) needs a loader first. */
export const runningCompiled = codeRoot !== packageRoot;

/** What dataPath needs of the configuration (LoadedConfig has it). */
export interface DataDir {
  dataDir: string;
}

/** A path from a domain section (a database, the ftp root): relative ones live under dataDir. */
export function dataPath(config: DataDir, relativeOrAbsolute: string): string {
  return path.resolve(config.dataDir, relativeOrAbsolute);
}
