#!/usr/bin/env node
// The installed `netlab` command: load tsx so the TypeScript sources run as they are, then the CLI.
import 'tsx'; // registers tsx's ESM and CommonJS loaders, as node --import tsx would

const { netlabMain } = await import('../lib/cli/main.ts');
await netlabMain(process.argv.slice(2));
