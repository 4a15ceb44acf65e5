#!/usr/bin/env node
// `npm run build:native`, also run by `install` (npm install, npm ci): builds native/udp_batch.c,
// the UDP batch reader (lib/net/_udp-batch.ts), with npm's own node-gyp against the headers npm
// is set to use. It is N-API, so one build serves every Node version. Without a C compiler the
// install still succeeds: udp-server then reads one datagram at a time with node:dgram.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const native = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native');
// npm sets npm_config_node_gyp in every script it runs; outside npm, the node-gyp npm ships.
const nodeGyp = process.env.npm_config_node_gyp ?? path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const result = spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: native, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
if (result.status === 0) {
  console.log('netlab: built the UDP batch reader (native/build/Release/udp_batch.node)');
} else {
  // node-gyp's first "stack Error" line says which step failed: gyp (no python3 or compiler), make, or a tool not found.
  const failure = result.error?.message ?? /gyp ERR! stack Error: (.*)/.exec(`${result.stderr}`)?.[1] ?? `node-gyp exited with ${result.status}`;
  console.warn(`netlab: the UDP batch reader was not built (${failure.trim()}); udp-server works, reading one datagram at a time. To build it: install make, a C compiler and python3, then run npm run build:native.`);
}
