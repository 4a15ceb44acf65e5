// Importing a file named at run time: an exercise from scripts/ or plugins/, a plugin package,
// netlab.config.ts. The checkout's sources run under tsx; the compiled copy (dist/, see
// bin/build.js) has no TypeScript loader, so a .ts file gets its compiled copy when there is one
// (bin/netlab.js checked that dist/ matches the sources), else tsx's loader, registered once.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeRoot, packageRoot, runningCompiled } from './paths.ts';

let typeScriptLoader: Promise<void> | undefined;

export async function importFile(file: string): Promise<Record<string, unknown>> {
  let target = file;
  if (runningCompiled && /\.[mc]?ts$/.test(file)) {
    const copy = compiledCopy(file);
    if (copy) target = copy;
    // tsx's main module registers its ESM and CommonJS loaders, as bin/netlab.js's fallback does.
    else typeScriptLoader ??= import(import.meta.resolve('tsx')).then(() => undefined);
    await typeScriptLoader;
  }
  const module = await import(pathToFileURL(target).href);
  // A .ts file outside a "type": "module" package is compiled to CommonJS: its `export default`
  // is then module.exports.default, which tsx unwraps only for the TypeScript files it compiles.
  return module.default?.__esModule === true ? module.default : module;
}

/** dist/X.js for the checkout's X.ts, when the build made one. */
function compiledCopy(file: string): string | undefined {
  const relative = path.relative(packageRoot, file);
  if (relative.startsWith('..') || path.isAbsolute(relative) || relative.split(path.sep)[0] === 'node_modules') return undefined;
  const copy = path.join(codeRoot, relative.replace(/\.[mc]?ts$/, '.js'));
  return existsSync(copy) ? copy : undefined;
}

/** The file a user knows for `file`: scripts/x.ts for the compiled dist/scripts/x.js (for messages). */
export function sourceOf(file: string): string {
  if (!runningCompiled) return file;
  const relative = path.relative(codeRoot, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file;
  const stem = path.join(packageRoot, relative.replace(/\.js$/, ''));
  return ['.ts', '.mts', '.js', '.mjs'].map((extension) => stem + extension).find((source) => existsSync(source)) ?? file;
}
