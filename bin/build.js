#!/usr/bin/env node
// `npm run build`, also run by `prepare` (npm install, npm ci): compiles lib/, scripts/, plugins/
// and netlab.config.ts to JavaScript in dist/, file by file, so that `netlab` starts without a
// TypeScript loader (tsx registers its loader on a worker thread: ~120 ms on Node 20). esbuild
// only erases types, as tsx does; tsc checks them. Relative imports of .ts become .js.
// dist/manifest.json records each input's size and mtime, and each source folder's mtime:
// bin/netlab.js uses dist/ only while every input still matches (bin/sources.js), and otherwise
// runs the sources under tsx.

import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { build } from 'esbuild';
import { assetPattern, buildInputs, checkout, distDir as distOf, fingerprint, folderStamps } from './sources.js';

/** `node bin/build.js [ROOT]`: another root is for tests. */
const root = path.resolve(process.argv[2] ?? checkout);
const distDir = distOf(root);
const inputs = buildInputs(root);
// Fingerprints first: a source edited during the build then makes the manifest stale, not wrong.
const manifest = { folders: folderStamps(root), inputs: inputs.map((file) => fingerprint(file, root)) };
// Build beside dist/ and swap it in, so that a running netlab never sees half a tree.
const next = `${distDir}.next-${process.pid}`;
rmSync(next, { recursive: true, force: true });

const rewriteTsImports = {
  name: 'rewrite-ts-imports',
  setup(plugin) {
    plugin.onEnd((result) => {
      for (const file of result.outputFiles ?? []) {
        // esbuild keeps specifiers as written; the compiled tree imports its own .js files.
        const text = file.text.replace(/((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g, '$1$2.js$3');
        mkdirSync(path.dirname(file.path), { recursive: true });
        writeFileSync(file.path, text);
      }
    });
  },
};

await build({
  // JavaScript too: its imports of .ts files must point at the compiled .js ones.
  entryPoints: inputs.filter((file) => !assetPattern.test(file)).map((file) => path.join(root, file)),
  outdir: next,
  outbase: root,
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20.12',
  charset: 'utf8',
  write: false,
  logLevel: 'warning',
  plugins: [rewriteTsImports],
});
for (const file of inputs.filter((input) => assetPattern.test(input))) {
  mkdirSync(path.dirname(path.join(next, file)), { recursive: true });
  copyFileSync(path.join(root, file), path.join(next, file));
}
await writeCatalogue(next);
// The manifest last: until it is there, bin/netlab.js does not use the tree.
writeFileSync(path.join(next, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
const old = `${distDir}.old-${process.pid}`;
try {
  renameSync(distDir, old);
} catch {
  // no previous build
}
renameSync(next, distDir);
rmSync(old, { recursive: true, force: true });
console.log(`netlab: compiled ${inputs.length} files to ${path.relative(process.cwd(), distDir) || distDir}`);

/**
 * exercises.json: each exercise's name, description and kind, read by importing the compiled
 * scripts and plugins once here, so that `netlab list` need not (lib/cli/registry.ts). A file
 * that does not load leaves no catalogue: `netlab list` then imports them and names the culprit.
 */
async function writeCatalogue(tree) {
  try {
    const { Registry, catalogueFile } = await import(pathToFileURL(path.join(tree, 'lib/cli/registry.js')).href);
    const registered = await new Registry({ root: tree }).list();
    const entries = [...registered.values()].map(({ exercise, source }) => ({
      name: exercise.name,
      description: exercise.description,
      service: exercise.service === true,
      // Both relative, so that the checkout may move: the source to it, the compiled file to dist/.
      source: path.relative(root, source),
      file: path.relative(root, source).replace(/\.(m?ts|mjs)$/, '.js'),
    }));
    writeFileSync(path.join(tree, catalogueFile), `${JSON.stringify(entries, null, 1)}\n`);
  } catch (error) {
    console.warn(`netlab: no exercise catalogue (netlab list will import every exercise): ${error.message}`);
  }
}
