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
// Stamps and fingerprints first: a source added or edited during the build then makes the
// manifest stale, not wrong (folders stamped before they are listed).
const folders = folderStamps(root);
const inputs = buildInputs(root);
const manifest = { folders, inputs: inputs.map((file) => fingerprint(file, root)) };
// Build beside dist/ and swap it in, so that a running netlab never sees half a tree.
const next = `${distDir}.next-${process.pid}`;
rmSync(next, { recursive: true, force: true });

/**
 * `import … from "node:fs"` builds an ES module namespace of every export of node:fs, and reading
 * its lazy getters (promises, ReadStream, Dir, watch, Utf8Stream…) loads 15 more of Node's own
 * modules, readline among them: 3.4 ms against 0.25 ms for require("node:fs") on Node 24, and
 * 2 ms of `netlab calc add 2 3` (68.5 → 66.5 ms, 3 rounds of 25). So the compiled copy takes
 * node:fs from require(); the sources keep their plain imports. Other forms are left as they are.
 */
const nodeFsImport = /^import (\{[^}]*\}|[\w$]+|\* as [\w$]+) from "node:fs";$/gm;
function requireNodeFs(text) {
  let found = false;
  const rewritten = text.replace(nodeFsImport, (_, bindings) => {
    found = true;
    const target = bindings.startsWith('{') ? bindings.replace(/\s+as\s+/g, ': ') : bindings.replace(/^\* as /, '');
    return `const ${target} = __netlabRequire("node:fs");`;
  });
  if (!found) return text;
  const hashbang = /^#!.*\n/.exec(rewritten)?.[0] ?? ''; // stays the first line
  const header = 'import { createRequire as __netlabCreateRequire } from "node:module";\nconst __netlabRequire = __netlabCreateRequire(import.meta.url);\n';
  return hashbang + header + rewritten.slice(hashbang.length);
}

const rewriteImports = {
  name: 'rewrite-imports',
  setup(plugin) {
    plugin.onEnd((result) => {
      for (const file of result.outputFiles ?? []) {
        // esbuild keeps specifiers as written; the compiled tree imports its own .js files.
        const text = requireNodeFs(file.text.replace(/((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g, '$1$2.js$3'));
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
  plugins: [rewriteImports],
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
