// What the build compiles, and whether dist/ still matches it. Plain JavaScript, so that
// bin/netlab.js can ask before any TypeScript loader exists. bin/build.js writes the manifest;
// bin/netlab.js reads it on every start: a stat per folder and per file, and the folders are
// read again only when one of them changed.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// node:fs through require(), not import: see requireNodeFs in bin/build.js (~2 ms on Node 24).
const { existsSync, readdirSync, readFileSync, statSync } = createRequire(import.meta.url)('node:fs');

/** The checkout: the folder holding package.json. Every function takes another root for tests. */
export const checkout = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the compiled tree goes: dist/lib, dist/scripts, dist/plugins, as in the checkout. */
export const distDir = (root = checkout) => path.join(root, 'dist');
export const manifestFile = (root = checkout) => path.join(distDir(root), 'manifest.json');

const folders = ['lib', 'scripts', 'plugins'];
/** Files copied as they are: read at run time next to the module that reads them. */
export const assetPattern = /\.html$/;

/** Every file the build turns into dist/: code (compiled) and assets (copied), relative to the root, sorted. */
export function buildInputs(root = checkout) {
  const files = [];
  for (const folder of folders) {
    const dir = path.join(root, folder);
    if (!existsSync(dir)) continue;
    // lib is TypeScript; an exercise folder may hold JavaScript too (a student's plugin).
    const code = folder === 'lib' ? /\.ts$/ : /\.(ts|mts|js|mjs)$/;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if ((code.test(file) && !file.endsWith('.d.ts')) || assetPattern.test(file)) files.push(path.join(folder, file));
    }
  }
  if (existsSync(path.join(root, 'netlab.config.ts'))) files.push('netlab.config.ts');
  return files.sort();
}

/**
 * The folders whose listing decides buildInputs, each with its mtime, which changes whenever an
 * entry is added, removed or renamed in it (an editor saving by rename too), and whether
 * netlab.config.ts is there. While they all match, the inputs are the manifest's: no folder need
 * be read again (the recursive readdir was 3 ms of a 60 ms command on Node 24, npm run bench cli).
 */
export function folderStamps(root = checkout) {
  const stamps = [];
  const visit = (folder) => {
    const folderStamp = stamp(folder, root);
    stamps.push(folderStamp);
    if (folderStamp.endsWith(':absent')) return;
    for (const entry of readdirSync(path.join(root, folder), { withFileTypes: true })) {
      if (entry.isDirectory()) visit(path.join(folder, entry.name));
    }
  };
  folders.forEach(visit);
  stamps.push(stamp('netlab.config.ts', root));
  return stamps;
}

/** `NAME:MTIME` for a folder, `NAME:present` for netlab.config.ts (its content is fingerprinted), `NAME:absent` for either when missing. */
function stamp(name, root) {
  try {
    const stat = statSync(path.join(root, name));
    return `${name}:${stat.isDirectory() ? Math.round(stat.mtimeMs) : 'present'}`;
  } catch {
    return `${name}:absent`;
  }
}

/** A file's fingerprint: changing, adding or removing a source changes the set of them. */
export function fingerprint(file, root = checkout) {
  const stat = statSync(path.join(root, file));
  return `${file}:${stat.size}:${Math.round(stat.mtimeMs)}`;
}

/** The built tree's entry when dist/ was built from exactly the sources there are now; else undefined. */
export function freshBuild(root = checkout) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile(root), 'utf8'));
  } catch {
    return undefined; // never built (or being rebuilt)
  }
  if (!Array.isArray(manifest.inputs) || !Array.isArray(manifest.folders)) return undefined;
  // The same folders: the same files, unless one was added or removed within a folder's mtime
  // tick; otherwise list them again, as the build did.
  const foldersUnchanged = manifest.folders.every((recorded) => recorded === stamp(recorded.slice(0, recorded.lastIndexOf(':')), root));
  const inputs = foldersUnchanged ? manifest.inputs.map((entry) => entry.replace(/:\d+:\d+$/, '')) : buildInputs(root);
  if (manifest.inputs.length !== inputs.length) return undefined;
  for (const [i, file] of inputs.entries()) {
    try {
      if (manifest.inputs[i] !== fingerprint(file, root)) return undefined;
    } catch {
      return undefined;
    }
  }
  return path.join(distDir(root), 'lib/cli/main.js');
}
