#!/usr/bin/env node
// The installed `netlab` command. It runs the compiled copy in dist/ (bin/build.js, run by
// npm install) when that was built from exactly the sources there are now; otherwise the
// TypeScript sources themselves, under tsx's loader. Both behave the same: only start-up differs.
import { pathToFileURL } from 'node:url';
import { freshBuild } from './sources.js';

const compiled = freshBuild();
if (!compiled) await import('tsx'); // registers tsx's ESM and CommonJS loaders, as node --import tsx would
const { netlabMain } = await import(compiled ? pathToFileURL(compiled).href : '../lib/cli/main.ts');
await netlabMain(process.argv.slice(2));
