#!/usr/bin/env node
// `npm run build:native`, also run by `install` (npm install, npm ci): builds native/udp_batch.c,
// the UDP batch reader (lib/net/_udp-batch.ts), with npm's own node-gyp against the headers npm
// is set to use. It is N-API, so one build serves every Node version, and Linux only (recvmmsg).
// Without a C compiler the install still succeeds: udp-server then reads one datagram at a time
// with node:dgram. node-gyp's whole output goes to native/build.log.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const native = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native');
const fallback = 'udp-server works, reading one datagram at a time';
if (process.platform !== 'linux') {
  console.warn(`netlab: the UDP batch reader needs Linux (recvmmsg), not built on ${process.platform}; ${fallback}.`);
  process.exit(0);
}
// npm sets npm_config_node_gyp (and the headers' nodedir) in every script it runs; outside npm,
// the node-gyp npm ships, which then downloads the headers from nodejs.org.
const nodeGyp = process.env.npm_config_node_gyp ?? path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
// configure + build, not rebuild: a failed build then leaves a working udp_batch.node in place.
const result = spawnSync(process.execPath, [nodeGyp, 'configure', 'build'], { cwd: native, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const log = path.join(native, 'build.log');
writeFileSync(log, `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `${result.error.message}\n` : ''}`);
if (result.status === 0) {
  console.log('netlab: built the UDP batch reader (native/build/Release/udp_batch.node)');
} else {
  // The first error line names the step that failed; the log has the compiler's or gyp's own words.
  const failure = result.error?.message ?? /gyp ERR! stack Error: (.*)/.exec(`${result.stderr}`)?.[1] ?? `node-gyp ${result.signal ? `killed by ${result.signal}` : `exited with ${result.status}`}`;
  console.warn(`netlab: the UDP batch reader was not built (${failure.trim()}; details in native/build.log); ${fallback}. It needs make, a C compiler, python3 and Node's headers: then run npm run build:native.`);
}
