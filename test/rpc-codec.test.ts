import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { RpcDouble, serializeCall, serializeFault, serializeResponse } from '../lib/rpc/codec.ts';
import { RpcFault } from '../lib/rpc/faults.ts';
import { decodeBody, parseCall, parseResponse } from '../lib/rpc/parse.ts';
import { missingPeers } from './peers/available.ts';
import { python } from '../peers/rpc-python.ts';

const runPython = async (code: string, input = '') => {
  const run = promisify(execFile)(python, ['-c', code]);
  run.child.stdin!.end(input);
  return (await run).stdout;
};

test('what Python’s xmlrpc.client.dumps writes, every type, reads back as the same values', { skip: missingPeers('python3') }, async () => {
  const xml = await runPython(
    "import xmlrpc.client as x, datetime; print(x.dumps((1, -2.5, 3.0, 'a<&>b', True, [1, {'k': 'v', '__proto__': 7}], {}, [], x.Binary(b'hi'), datetime.datetime(2020, 1, 2, 3, 4, 5), None, 'é€😀'), 'm', allow_none=True))",
  );
  const call = parseCall(xml, { keepDoubles: true });
  assert.equal(call.methodName, 'm');
  const [one, minus, three, text, yes, nested, empty, none, binary, date, nil, unicode] = call.params;
  assert.equal(one, 1);
  assert.deepEqual([minus, three], [new RpcDouble(-2.5), new RpcDouble(3)]);
  assert.equal(text, 'a<&>b');
  assert.equal(yes, true);
  const struct = (nested as unknown[])[1] as Record<string, unknown>;
  assert.equal(struct.k, 'v');
  assert.equal(Object.getPrototypeOf(struct), Object.prototype, 'a member named __proto__ is data, not a prototype');
  assert.equal(Object.getOwnPropertyDescriptor(struct, '__proto__')?.value, 7);
  assert.deepEqual([empty, none], [{}, []]);
  assert.deepEqual(binary, Buffer.from('hi'));
  assert.deepEqual(date, new Date(Date.UTC(2020, 0, 2, 3, 4, 5)));
  assert.equal(nil, null);
  assert.equal(unicode, 'é€😀');
});

test('what we serialise, Python’s xmlrpc.client.loads reads as the same values', { skip: missingPeers('python3') }, async () => {
  const xml = serializeCall('m', [7, new RpcDouble(5), 0.1, 2 ** 40, 'x<y&z', [true, { a: null }], new Date(0), Buffer.from('hi'), 'bell\u0007']);
  const printed = await runPython('import sys, xmlrpc.client as x; print(repr(x.loads(sys.stdin.read(), use_builtin_types=True)))', xml);
  assert.equal(printed.trim(), "((7, 5.0, 0.1, 1099511627776.0, 'x<y&z', [True, {'a': None}], datetime.datetime(1970, 1, 1, 0, 0), b'hi', 'bell\ufffd'), 'm')", 'a character XML cannot carry becomes U+FFFD');
});

test('responses and faults round-trip; a fault needs an int faultCode', () => {
  assert.deepEqual(parseResponse(serializeResponse([1, 'two'])), { value: [1, 'two'] });
  const fault = parseResponse(serializeFault(2, 'division by zero'));
  assert.ok('fault' in fault && fault.fault instanceof RpcFault);
  assert.deepEqual(fault.fault.toJSON(), { faultCode: 2, faultString: 'division by zero' });
  assert.throws(() => parseResponse('<methodResponse><fault><value><string>x</string></value></fault></methodResponse>'), { faultCode: -32600 });
  assert.throws(() => serializeResponse(NaN), { faultCode: 3 });
});

test('XML features beyond XML-RPC: comments and CDATA are read, DOCTYPE and unknown entities are refused', () => {
  const call = parseCall('\ufeff<?xml version="1.0" encoding="UTF-8"?><!-- hi --><methodCall><methodName>m</methodName><params><param><value><![CDATA[<raw>&]]></value></param><param><value><string>&#233;&#x20AC;&amp;</string></value></param><param><value>bare</value></param><param><value/></param></params></methodCall>');
  assert.deepEqual(call.params, ['<raw>&', 'é€&', 'bare', '']);
  assert.throws(() => parseCall('<!DOCTYPE m><methodCall><methodName>m</methodName></methodCall>'), { faultCode: -32700 });
  assert.throws(() => parseCall('<methodCall><methodName>&nbsp;</methodName></methodCall>'), { faultCode: -32700 });
  assert.throws(() => parseCall('<methodCall><methodName>&#1;</methodName></methodCall>'), { faultCode: -32700 });
  assert.throws(() => decodeBody(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><methodCall/>')), { faultCode: -32701 });
  assert.equal(decodeBody(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\xe9', 'latin1')).endsWith('é'), true);
});
