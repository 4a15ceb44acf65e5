// What the build compiles, and whether dist/ still matches it. Plain JavaScript, so that
// bin/netlab.js can ask before any TypeScript loader exists. bin/build.js writes the manifest;
// bin/netlab.js reads it on every start (a readdir and a stat per file: about a millisecond).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const inputs = buildInputs(root);
  if (!Array.isArray(manifest.inputs) || manifest.inputs.length !== inputs.length) return undefined;
  for (const [i, file] of inputs.entries()) {
    try {
      if (manifest.inputs[i] !== fingerprint(file, root)) return undefined;
    } catch {
      return undefined;
    }
  }
  return path.join(distDir(root), 'lib/cli/main.js');
}
