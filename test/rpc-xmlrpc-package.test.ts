// The npm `xmlrpc` package (the library first chosen for this lab, now a devDependency) as an
// interop peer: its client calls our calculator and directory servers, and our client calls its
// server. The differences found here are written down in docs/rpc.md ("The xmlrpc package").

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { listenAnnuaire } from '../lib/rpc/annuaire.ts';
import { calculatorMethods } from '../lib/rpc/calculator.ts';
import { RpcClient } from '../lib/rpc/client.ts';
import { RpcDouble } from '../lib/rpc/codec.ts';
import { RpcFault } from '../lib/rpc/faults.ts';
import { listenRpc } from '../lib/rpc/server.ts';
import { NetlabError } from '../lib/errors.ts';
import { tempDir } from './helpers.ts';

/** The part of the xmlrpc package this test uses (it ships no types, and none are installed). */
interface XmlrpcPackage {
  createClient(options: { host: string; port: number; path: string }): {
    methodCall(method: string, params: unknown[], callback: (error: (Error & { faultCode?: number; faultString?: string }) | null, value: unknown) => void): void;
  };
  createServer(options: { host: string; port: number }): XmlrpcServer;
}
interface XmlrpcServer {
  httpServer: http.Server;
  on(method: string, handler: (...args: any[]) => void): void;
  close(callback: () => void): void;
}
const xmlrpc = createRequire(import.meta.url)('xmlrpc') as XmlrpcPackage;

type Answer = { value: unknown } | { fault: [number | undefined, string | undefined] };

/** Calls through the package's client; a fault becomes data so a test can compare it. */
function packageCall(port: number, urlPath: string, method: string, params: unknown[]): Promise<Answer> {
  const client = xmlrpc.createClient({ host: '127.0.0.1', port, path: urlPath });
  return new Promise((resolve, reject) =>
    client.methodCall(method, params, (error, value) => {
      if (!error) resolve({ value });
      else if (error.faultCode !== undefined) resolve({ fault: [error.faultCode, error.faultString] });
      else reject(error);
    }),
  );
}

test("the xmlrpc package's client calls our calculator: results, faults with their codes, introspection, multicall", async (t) => {
  const server = await listenRpc({ host: '127.0.0.1', port: 0, methods: calculatorMethods });
  t.after(() => server.close());
  const call = (method: string, ...params: unknown[]) => packageCall(server.address.port, '/RPC2', method, params);
  assert.deepEqual(await call('add', 2, 3), { value: 5 });
  assert.deepEqual(await call('add', 2, 3.5), { value: 5.5 });
  assert.deepEqual(await call('quotient', 7, 2), { value: 3.5 });
  assert.deepEqual(await call('absolue', -4), { value: 4 });
  assert.deepEqual(await call('quotient', 1, 0), { fault: [2, 'division by zero'] });
  assert.deepEqual(await call('nope'), { fault: [-32601, 'method "nope" is not supported'] });
  const wrongType = await call('add', '2', 3);
  assert.ok('fault' in wrongType && wrongType.fault[0] === -32602, JSON.stringify(wrongType));
  assert.deepEqual(await call('system.listMethods'), {
    value: ['absolue', 'add', 'diff', 'mult', 'quotient', 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall'],
  });
  assert.deepEqual(
    await call('system.multicall', [
      { methodName: 'add', params: [1, 2] },
      { methodName: 'quotient', params: [1, 0] },
    ]),
    { value: [[3], { faultCode: 2, faultString: 'division by zero' }] },
  );
});

test("the xmlrpc package's client uses our directory: French names, English aliases, structs, faults", async (t) => {
  const server = await listenAnnuaire({ host: '127.0.0.1', port: 0, dbFile: path.join(tempDir(t), 'annuaire.db') });
  t.after(() => server.close());
  const call = (method: string, ...params: unknown[]) => packageCall(server.address.port, '/', method, params);
  assert.deepEqual(await call('ajouterEntree', 'Ada Lovelace', '+44 20 7946 0000'), { value: true });
  assert.deepEqual(await call('add', 'Bob', '0711'), { value: true });
  assert.deepEqual(await call('trouverNumero', 'ada lovelace'), { value: ['+44 20 7946 0000'] });
  assert.deepEqual(await call('nbNumeros'), { value: 2 });
  assert.deepEqual(await call('lister', 0, 1), { value: [{ nom: 'Ada Lovelace', numero: '+44 20 7946 0000' }] });
  assert.deepEqual(await call('ajouterEntree', 'Bob', '0711'), { fault: [13, 'Bob already has the number 0711'] });
  assert.deepEqual(await call('supprimerEntree', 'nobody'), { fault: [12, 'no such entry: nobody'] });
});

test("our client calls the xmlrpc package's server: values both ways, its faults, and its 404 for an unknown method", async (t) => {
  const peer = xmlrpc.createServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => peer.httpServer.once('listening', resolve));
  t.after(() => new Promise<void>((resolve) => peer.close(resolve)));
  peer.on('add', (_error: unknown, [a, b]: number[], reply: (fault: unknown, value?: unknown) => void) => reply(null, a + b));
  peer.on('quotient', (_error: unknown, [a, b]: number[], reply: (fault: unknown, value?: unknown) => void) =>
    b === 0 ? reply({ faultCode: 2, faultString: 'division by zero' }) : reply(null, a / b),
  );
  peer.on('echo', (_error: unknown, params: unknown[], reply: (fault: unknown, value?: unknown) => void) => reply(null, params));
  const client = new RpcClient({ url: `http://127.0.0.1:${(peer.httpServer.address() as AddressInfo).port}/`, timeoutMs: 5_000, keepDoubles: true });
  t.after(() => client.close());

  assert.equal(await client.call('add', [2, 3]), 5);
  assert.deepEqual(await client.call('quotient', [7, 2]), new RpcDouble(3.5));
  // A JavaScript number that happens to be whole goes out as <int>: 6/3 is 2, not Python's 2.0.
  assert.equal(await client.call('quotient', [6, 3]), 2);
  await assert.rejects(client.call('quotient', [1, 0]), (error: unknown) => error instanceof RpcFault && error.faultCode === 2 && error.faultString === 'division by zero');
  const sent = ['héllo <&> ]]>', true, [1, 'two'], { nom: 'Ada', n: -7 }, new Date('2024-03-01T12:00:00Z'), new RpcDouble(2.5)];
  const [text, yes, list, struct, when, double] = (await client.call('echo', sent)) as unknown[];
  assert.deepEqual([text, yes, list, struct], sent.slice(0, 4));
  assert.ok(when instanceof Date, 'a <dateTime.iso8601> comes back as a Date');
  assert.equal(when.toISOString(), '2024-03-01T12:00:00.000Z');
  assert.deepEqual(double, new RpcDouble(2.5), 'a non-whole double stays a <double>');
  // The package answers an unknown method with a bare HTTP 404, not a fault: we say so.
  await assert.rejects(client.call('nope'), (error: unknown) => error instanceof NetlabError && error.code === 'E_PROTOCOL' && /HTTP 404/.test(error.message));
});
