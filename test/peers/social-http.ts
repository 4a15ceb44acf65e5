// The plumbing shared by the local X and Bluesky servers: an HTTP server on a free loopback port
// that records every request and can be told to answer the next matching one with a fault.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Fault {
  /** Requests whose path matches; the fault answers the next one, once. */
  match: RegExp;
  /** A further condition on the request (its query, its body). */
  when?: (request: RecordedRequest) => boolean;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface WireServer {
  url: string;
  requests: RecordedRequest[];
  inject(fault: Fault): void;
  close(): Promise<void>;
}

export async function startWireServer(handle: (request: RecordedRequest) => Reply): Promise<WireServer> {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const faultIndex = faults.findIndex((fault) => fault.match.test(url.pathname) && (fault.when?.(request) ?? true));
      let reply: Reply;
      if (faultIndex >= 0) reply = faults.splice(faultIndex, 1)[0];
      else {
        try {
          reply = handle(request);
        } catch (error) {
          reply = { status: 500, body: { error: 'InternalServerError', message: (error as Error).message } };
        }
      }
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (fault) => faults.push(fault),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Epoch seconds `seconds` from now, as rate-limit reset headers carry it. */
export function resetIn(seconds: number): number {
  return Math.floor(Date.now() / 1000) + seconds;
}
