// node:http and node:https, loaded through require(). `import http from 'node:http'` builds an
// ES module namespace of every export, and reading node:http's lazy WebSocket, CloseEvent and
// MessageEvent getters loads undici: about 40 ms of start-up on Node 22 and 24 (measured with
// --cpu-prof, bench/cli.ts), more than an XML-RPC call takes. require() reads none of them.
// https (TLS, crypto: another ~20 ms) is loaded only for an https:// URL.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const http = require('node:http') as typeof import('node:http');

export function loadHttps(): typeof import('node:https') {
  return require('node:https') as typeof import('node:https');
}
