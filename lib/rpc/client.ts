// A small XML-RPC client over node:http with one keep-alive connection, sharing the server's
// codec: faults come back as RpcFault, transport trouble as NetlabError.

import type { Agent } from 'node:http';
import { http, loadHttps } from '../node-http.ts';
import { NetlabError } from '../errors.ts';
import { socketError, timeoutError } from '../net/errors.ts';
import { serializeCall, type RpcValue } from './codec.ts';
import { decodeBody, parseResponse } from './parse.ts';

export interface RpcClientOptions {
  /** http://host:port/ (the path is sent as is; Python's servers answer on / and /RPC2). */
  url: string;
  timeoutMs?: number;
  /** Sees each body that crosses the wire (--trace). */
  trace?: (direction: 'call' | 'response', xml: string) => void;
  /** Responses larger than this are refused (a listing of a big directory fits easily). */
  maxResponseBytes?: number;
  /** Results sent as <double> come back as RpcDouble (to show 5.0 rather than 5). */
  keepDoubles?: boolean;
}

export class RpcClient {
  readonly url: URL;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly options: RpcClientOptions;

  constructor(options: RpcClientOptions) {
    this.options = options;
    this.url = parseRpcUrl(options.url);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const web = this.url.protocol === 'https:' ? loadHttps() : http;
    this.agent = new web.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** Calls a method: resolves to its result, rejects with RpcFault (a fault) or NetlabError. */
  async call(method: string, params: readonly RpcValue[] = []): Promise<RpcValue> {
    const xml = serializeCall(method, params);
    this.options.trace?.('call', xml);
    const body = await this.post(Buffer.from(xml));
    const text = decodeBody(body);
    this.options.trace?.('response', text);
    let response;
    try {
      response = parseResponse(text, { keepDoubles: this.options.keepDoubles });
    } catch (error) {
      throw new NetlabError('E_PROTOCOL', `${this.url.host} sent something that is not an XML-RPC response: ${(error as Error).message}`, {
        hint: 'is this an XML-RPC server? try --trace to see what came back',
      });
    }
    if ('fault' in response) throw response.fault;
    return response.value;
  }

  /** Closes the kept-alive connection. */
  close(): void {
    this.agent.destroy();
  }

  private post(body: Buffer): Promise<Buffer> {
    const { hostname, port } = this.url;
    const host = hostname.replace(/^\[|\]$/g, '');
    const portNumber = Number(port || (this.url.protocol === 'https:' ? 443 : 80));
    const where = { host, port: portNumber, operation: 'connect' as const };
    const limit = this.options.maxResponseBytes ?? 64 * 1024 * 1024;
    const send = this.url.protocol === 'https:' ? loadHttps().request : http.request;
    return new Promise((resolve, reject) => {
      const request = send(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { 'Content-Type': 'text/xml', 'Content-Length': body.length, 'User-Agent': 'netlab-xmlrpc' },
      });
      request.setTimeout(this.timeoutMs, () => request.destroy(timeoutError(where, this.timeoutMs / 1000)));
      request.on('error', (error) => reject(socketError(error, where)));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) request.destroy(new NetlabError('E_PROTOCOL', `the response from ${this.url.host} is larger than ${limit} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', (error) => reject(socketError(error, where)));
        response.on('end', () => {
          if (response.statusCode === 200) resolve(Buffer.concat(chunks, size));
          else {
            const text = Buffer.concat(chunks).toString('utf8').trim().slice(0, 200);
            reject(
              new NetlabError('E_PROTOCOL', `HTTP ${response.statusCode} ${response.statusMessage ?? ''} from ${this.url.href}${text ? `: ${text}` : ''}`, {
                hint: 'check the URL (host, port, path) and that an XML-RPC server listens there',
              }),
            );
          }
        });
      });
      request.end(body);
    });
  }
}

/** "127.0.0.1:8700" or "http://h:p/RPC2" → a URL; anything else is a usage error. */
export function parseRpcUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new NetlabError('E_USAGE', `${JSON.stringify(text)} is not a URL`, { hint: 'write it like http://127.0.0.1:8700/' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NetlabError('E_USAGE', `${url.protocol} URLs are not XML-RPC`, { hint: 'use http://host:port/' });
  }
  return url;
}
