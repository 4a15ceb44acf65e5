import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { promisify } from 'node:util';
import pino from 'pino';
import { calculatorMethods } from '../lib/rpc/calculator.ts';
import type { RpcLimits } from '../lib/rpc/config.ts';
import type { MethodTable } from '../lib/rpc/methods.ts';
import { parseResponse } from '../lib/rpc/parse.ts';
import { listenRpc } from '../lib/rpc/server.ts';
import { tempDir } from './helpers.ts';
import { skipWithout } from './peers/available.ts';
import { python } from '../peers/rpc-python.ts';

type T = { after(fn: () => unknown): void };

async function start(t: T, methods: MethodTable = calculatorMethods, limits: Partial<RpcLimits> = {}) {
  const lines: Record<string, unknown>[] = [];
  const log = pino({}, new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
  const server = await listenRpc({ host: '127.0.0.1', port: 0, methods, log, limits });
  t.after(() => server.close());
  return { port: server.address.port, lines };
}

function post(port: number, body: string | Buffer, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: options.method ?? 'POST', headers: options.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function faultOf(port: number, body: string): Promise<number> {
  const { status, text } = await post(port, body);
  assert.equal(status, 200, text);
  const response = parseResponse(text);
  assert.ok('fault' in response, `expected a fault, got ${text}`);
  return response.fault.faultCode;
}

const call = (inner: string) => `<?xml version="1.0"?><methodCall><methodName>add</methodName><params>${inner}</params></methodCall>`;
const addTwoAndThree = call('<param><value><int>2</int></value></param><param><value><int>3</int></value></param>');

async function stillUp(port: number): Promise<void> {
  const { status, text } = await post(port, addTwoAndThree);
  assert.equal(status, 200);
  assert.deepEqual(parseResponse(text), { value: 5 });
}

test('malformed XML is fault -32700; XML that is not XML-RPC is fault -32600', async (t) => {
  const { port } = await start(t);
  for (const body of ['', 'garbage', '<methodCall><methodName>add</methodName>', '<methodCall><methodName>a</methodCall>', call('<param><value>&foo;</value></param>'), call('<param><value>&#0;</value></param>'), `${addTwoAndThree}<extra/>`]) {
    assert.equal(await faultOf(port, body), -32700, JSON.stringify(body));
  }
  for (const body of ['<methodResponse/>', call('<param><value><int>abc</int></value></param>'), call('<param><value><float>1</float></value></param>'), call('<param><value><boolean>yes</boolean></value></param>'), '<methodCall><methodName> </methodName></methodCall>']) {
    assert.equal(await faultOf(port, body), -32600, body);
  }
  await stillUp(port);
});

test('billion laughs and external entities are refused before any expansion', async (t) => {
  const { port } = await start(t);
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]>${call('<param><value><string>&lol9;</string></value></param>')}`;
  assert.equal(await faultOf(port, laughs), -32700);
  const external = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${call('<param><value><string>&xxe;</string></value></param>')}`;
  const { text } = await post(port, external);
  assert.equal(parseResponse(text).hasOwnProperty('fault'), true);
  assert.doesNotMatch(text, /root:/);
  await stillUp(port);
});

test('100 000-deep nesting is HTTP 413 by size, fault -32600 by depth when the size is allowed', async (t) => {
  const depth = 100_000;
  const deep = call(`<param>${'<value><array><data>'.repeat(depth)}${'</data></array></value>'.repeat(depth)}</param>`);
  assert.equal((await post((await start(t)).port, deep)).status, 413);
  const { port } = await start(t, calculatorMethods, { maxBodyBytes: 16 * 1024 * 1024 });
  assert.equal(await faultOf(port, deep), -32600);
  const tags = call(`<param>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</param>`);
  assert.equal(await faultOf(port, tags), -32600);
  await stillUp(port);
});

test('a 50 MB body is refused with HTTP 413, declared or chunked, and the server stays up', async (t) => {
  const { port, lines } = await start(t);
  // Chunked, no length: the server counts and stops at the cap.
  const chunked = await new Promise<number>((resolve) => {
    const request = http.request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (response) => resolve(response.statusCode ?? 0));
    request.on('error', () => resolve(-1));
    const block = Buffer.alloc(1024 * 1024, 'x');
    let sent = 0;
    const pump = () => {
      while (sent < 50 && request.write(block)) sent++;
      if (sent < 50) request.once('drain', () => (sent++, pump()));
      else request.end();
    };
    pump();
  });
  assert.equal(chunked, 413, 'the rest of the body is read and dropped, then 413');
  if (skipWithout(t, 'curl', 'python3')) return;
  const file = path.join(tempDir(t), 'big.xml');
  writeFileSync(file, call(`<param><value><string>${'x'.repeat(50 * 1024 * 1024)}</string></value></param>`));
  // curl announces the size and waits for "100 Continue": the 413 comes before the body is sent.
  const { stdout } = await promisify(execFile)('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--data-binary', `@${file}`, `http://127.0.0.1:${port}/`]);
  assert.equal(stdout, '413');
  // Python's client sends the whole body before reading: it must see the 413, not a broken pipe.
  const fromPython = await promisify(execFile)(python, ['-c', `import xmlrpc.client as x\ntry: x.ServerProxy('http://127.0.0.1:${port}/').add('x' * 50_000_000, 1)\nexcept x.ProtocolError as e: print(e.errcode)`]);
  assert.equal(fromPython.stdout.trim(), '413');
  assert.ok(lines.some((line) => line.status === 413));
  await stillUp(port);
});

test('wrong types and count are -32602; method names from Object and EventEmitter are just unknown', async (t) => {
  const { port } = await start(t);
  assert.equal(await faultOf(port, call('<param><value><struct/></value></param><param><value><int>1</int></value></param>')), -32602);
  assert.equal(await faultOf(port, call('<param><value>two</value></param><param><value><int>1</int></value></param>')), -32602);
  assert.equal(await faultOf(port, call('<param><value><int>2</int></value></param>')), -32602);
  for (const name of ['NotFound', 'error', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'request', 'close']) {
    assert.equal(await faultOf(port, `<methodCall><methodName>${name}</methodName></methodCall>`), -32601, name);
  }
  await stillUp(port);
});

test('handlers that throw, reject or return nothing become faults; the server never dies', async (t) => {
  const boom = { params: [], returns: 'int', help: '' };
  const { port, lines } = await start(t, {
    ...calculatorMethods,
    throws: { ...boom, handler: () => { throw new TypeError('bug'); } },
    throwsString: { ...boom, handler: () => { throw 'not even an Error'; } },
    rejects: { ...boom, handler: () => Promise.reject(new Error('async bug')) },
    nothing: { ...boom, handler: () => undefined as never },
  });
  for (const name of ['throws', 'throwsString', 'rejects', 'nothing']) {
    assert.equal(await faultOf(port, `<methodCall><methodName>${name}</methodName></methodCall>`), -32603, name);
  }
  await stillUp(port);
  const logged = lines.find((line) => line.method === 'throws' && line.msg === 'fault');
  assert.equal(logged?.fault, -32603);
  assert.ok(lines.some((line) => line.method === 'add' && line.msg === 'call' && typeof line.ms === 'number' && line.bytes === addTwoAndThree.length));
});

test('not a POST is HTTP 405; not HTTP at all is 400; a slow request is cut off', async (t) => {
  const { port } = await start(t, calculatorMethods, { requestTimeoutMs: 1_000 });
  const get = await post(port, '', { method: 'GET' });
  assert.equal(get.status, 405);
  const garbage = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('HELLO\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('close', () => resolve(text));
  });
  assert.match(garbage, /^HTTP\/1\.1 400/);
  // Headers promise 100 bytes; 10 come, then nothing: the connection ends well before 10 s.
  const started = Date.now();
  const slow = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<methodCal'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('close', () => resolve(text));
  });
  assert.ok(Date.now() - started < 5_000, `cut after ${Date.now() - started} ms`);
  assert.match(slow, /^(HTTP\/1\.1 408|)/);
  await stillUp(port);
});

test('HTTP/1.1 keep-alive: many calls travel over one connection', async (t) => {
  const { port } = await start(t);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const sockets = new Set<unknown>();
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, method: 'POST', agent }, (response) => {
        sockets.add(response.socket);
        response.resume().on('end', resolve);
      });
      request.on('error', reject);
      request.end(addTwoAndThree);
    });
  }
  assert.equal(sockets.size, 1);
});
