#!/usr/bin/env node
// The installed `netlab` command. It runs the compiled copy in dist/ (bin/build.js, run by
// npm install) when that was built from exactly the sources there are now; otherwise the
// TypeScript sources themselves, under tsx's loader. Both behave the same: only start-up differs.
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// Node 22.1+ keeps the compiled bytecode of every module loaded from here on, so the next start
// skips compiling them: 2.6 ms of a 65 ms `calc add 2 3` on Node 24 (npm run bench cli). In the
// user's own cache folder, not a /tmp shared with other users; NODE_DISABLE_COMPILE_CACHE=1 turns
// it off. Node 20 has no such cache, and a folder that cannot be written only disables it; so
// does a user with no home (os.homedir() throws then). A relative XDG_CACHE_HOME is ignored (XDG).
try {
  const { XDG_CACHE_HOME: xdg } = process.env;
  const cache = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  module.enableCompileCache?.(path.join(cache, 'netlab', 'compile-cache'));
} catch {
  // no cache: only a slower start
}
const { freshBuild } = await import('./sources.js');

const compiled = freshBuild();
if (!compiled) await import('tsx'); // registers tsx's ESM and CommonJS loaders, as node --import tsx would
const { netlabMain } = await import(compiled ? pathToFileURL(compiled).href : '../lib/cli/main.ts');
await netlabMain(process.argv.slice(2));
