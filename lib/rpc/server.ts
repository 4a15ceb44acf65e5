// The XML-RPC server: HTTP/1.1 keep-alive on node:http, one POST body per call, every failure
// answered as a fault (or a 4xx for what is not a call at all), never a crash.

import http from 'node:http';
import v8 from 'node:v8';
import type { Logger } from 'pino';
import { NetlabError } from '../errors.ts';
import { BusyPoll } from '../net/busy-poll.ts';
import { listenTcp } from '../net/listen.ts';
import type { ServerHandle } from '../services/handle.ts';
import { silentLog } from '../services/log.ts';
import { serializeFault, serializeResponse } from './codec.ts';
import { maxBusyPollMicros, rpcDefaults, type RpcLimits } from './config.ts';
import { FaultCode, RpcFault, isRpcFault } from './faults.ts';
import { Dispatcher, type MethodTable } from './methods.ts';
import { decodeBody, parseCall } from './parse.ts';

export interface RpcServerOptions {
  methods: MethodTable;
  /** The request log: one line per call (method, body size, duration, fault code). */
  log?: Logger;
  limits?: Partial<RpcLimits>;
  /** See RpcConfig.busyPollMicros (default rpcDefaults.busyPollMicros). */
  busyPollMicros?: number;
  /** The clock busy polling reads (performance.now unless a test gives its own). */
  clock?: () => number;
}

export interface RpcListenOptions extends RpcServerOptions {
  host: string;
  port: number;
}

/** Starts an XML-RPC server and resolves to its handle once it listens. */
export function listenRpc(options: RpcListenOptions): Promise<ServerHandle> {
  tuneTheYoungGeneration();
  return listenTcp(createRpcServer(options), { host: options.host, port: options.port, protocol: 'http' });
}

/**
 * The p99 of a single connection (issue 13): every call allocates ~12 KB that dies with it
 * (node:http's request and response objects are 6.8 KB of it, the parsed call, the answer and the
 * log line the rest). V8 grows its young generation only when objects survive, which a server's
 * do not, so it stayed near 3 MB: a scavenge every ~280 calls, and the call it fell on waited
 * 1 to 8 ms. In a 20,000-call run the slow calls came 270 to 300 calls apart, one per scavenge.
 * - A growth factor of 8 (V8's default is 2) takes it to its maximum at the first growth: a
 *   scavenge every ~1,100 calls instead (measured 1,101 to 1,160), for 2 MB more resident memory
 *   (116 MB against 114 MB after 20,000 calls).
 * - One thread per scavenge: V8 splits one among helper threads, and on two cores, with the
 *   client on the other one, the main thread then waits for helpers that wait for a core. Mean
 *   pause 0.46–0.48 ms instead of 0.72–4.81 ms, longest 0.95–2.13 ms instead of 3.65–68 ms (three
 *   rounds each, side by side, on the loaded machine), the total GC time no higher.
 * Both flags are read at each scavenge or growth, so setting them once started works.
 */
function tuneTheYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=8');
  v8.setFlagsFromString('--no-parallel-scavenge');
}

export function createRpcServer(options: RpcServerOptions): http.Server {
  const log = options.log ?? silentLog;
  const limits: RpcLimits = { ...rpcDefaults.limits, ...options.limits };
  const dispatcher = new Dispatcher(options.methods, log);
  // A client on one connection calls again within tens of microseconds: caught awake, its call
  // is answered without a wake-up, which costs more than the call on this machine (docs/rpc.md).
  const busyPoll = new BusyPoll(checkedBusyPoll(options.busyPollMicros ?? rpcDefaults.busyPollMicros), options.clock);
  const server = http.createServer({
    keepAlive: true,
    // A whole request (headers and body) must arrive within this time: no slow-loris.
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: Math.min(limits.requestTimeoutMs, 60_000),
    connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs),
  });
  server.maxConnections = limits.maxConnections;
  server.on('close', () => busyPoll.stop());

  // "Expect: 100-continue" (curl, large bodies): refuse an oversized body before it is sent.
  server.on('checkContinue', (request, response) => {
    if (declaredLength(request) > limits.maxBodyBytes) refuseTooLarge(request, response, limits, log);
    else {
      response.writeContinue();
      server.emit('request', request, response);
    }
  });

  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    const started = performance.now();
    const client = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
    response.on('error', () => undefined);
    request.on('error', () => undefined);
    if (request.method !== 'POST') {
      log.info({ client, http: request.method, status: 405 }, 'not a POST');
      sendText(response, 405, 'an XML-RPC server: POST a <methodCall> document\n', { Allow: 'POST' });
      return;
    }
    if (declaredLength(request) > limits.maxBodyBytes) {
      refuseTooLarge(request, response, limits, log);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limits.maxBodyBytes) {
        refused = true; // a chunked body that grows past the cap
        refuseTooLarge(request, response, limits, log);
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      if (refused) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      void answer(body, dispatcher, limits).then(({ xml, method, faultCode }) => {
        response.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) });
        response.end(xml);
        const ms = Math.round((performance.now() - started) * 1000) / 1000;
        log.info({ client, method, bytes: size, ms, fault: faultCode }, faultCode === undefined ? 'call' : 'fault');
        busyPoll.keepAwake();
      });
    });
  });
  // A client that sends garbage instead of HTTP gets 400 and the connection closes; nothing else happens.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && error.code !== 'ECONNRESET') {
      const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else socket.destroy();
  });
  return server;
}

/** Parse, dispatch, serialise: resolves to the XML to send, and never rejects. */
async function answer(body: Buffer, dispatcher: Dispatcher, limits: RpcLimits): Promise<{ xml: string; method?: string; faultCode?: number }> {
  let method: string | undefined;
  try {
    const call = parseCall(decodeBody(body), { maxDepth: limits.maxDepth, keepDoubles: true });
    method = call.methodName.slice(0, 100);
    return { xml: serializeResponse(await dispatcher.call(call.methodName, call.params)), method };
  } catch (error) {
    const failure = isRpcFault(error) ? error : new RpcFault(FaultCode.internalError, 'internal error');
    return { xml: serializeFault(failure.faultCode, failure.faultString), method, faultCode: failure.faultCode };
  }
}

/** The busy-polling window, or a clear E_CONFIG: a window of hours would keep a core busy that long after one call. */
function checkedBusyPoll(micros: number): number {
  if (Number.isFinite(micros) && micros >= 0 && micros <= maxBusyPollMicros) return micros;
  throw new NetlabError('E_CONFIG', `rpc.busyPollMicros ${micros} is out of range`, {
    hint: `give 0 (off) to ${maxBusyPollMicros} microseconds; ${rpcDefaults.busyPollMicros} is the default`,
  });
}

function declaredLength(request: http.IncomingMessage): number {
  const length = request.headers['content-length'];
  return length === undefined ? 0 : Number(length);
}

/** Past this much, an oversized body is no longer read and dropped: the connection is cut. */
const maxDrainBytes = 64 * 1024 * 1024;

/**
 * HTTP 413 (RFC 9110 §15.5.14), then close. The rest of the body is read and dropped first (up
 * to 64 MiB, within the request timeout): a client that sends its whole body before reading,
 * as Python's xmlrpc.client does, then sees the 413 instead of a broken pipe.
 */
function refuseTooLarge(request: http.IncomingMessage, response: http.ServerResponse, limits: RpcLimits, log: Logger): void {
  log.info({ client: `${request.socket.remoteAddress}:${request.socket.remotePort}`, status: 413, declared: request.headers['content-length'] }, 'body too large');
  const reply = () => sendText(response, 413, `the request body is larger than ${limits.maxBodyBytes} bytes\n`, { Connection: 'close' });
  if (request.complete || declaredLength(request) > maxDrainBytes || request.headers.expect === '100-continue') return reply();
  let dropped = 0;
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > maxDrainBytes) reply();
  });
  request.on('end', reply);
}

function sendText(response: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
