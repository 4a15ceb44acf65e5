// Where netlab's own files are, and where a domain's relative paths point: below every domain,
// so that a server can find its template or a data file without loading the configuration.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout netlab runs from: the folder holding package.json, scripts/ and data/fixtures/. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What dataPath needs of the configuration (LoadedConfig has it). */
export interface DataDir {
  dataDir: string;
}

/** A path from a domain section (a database, the ftp root): relative ones live under dataDir. */
export function dataPath(config: DataDir, relativeOrAbsolute: string): string {
  return path.resolve(config.dataDir, relativeOrAbsolute);
}
