import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import calc from '../scripts/calc.ts';
import { listenAnnuaire } from '../lib/rpc/annuaire.ts';
import { calculatorMethods } from '../lib/rpc/calculator.ts';
import { listenRpc } from '../lib/rpc/server.ts';
import { capture, tempDir } from './helpers.ts';
import { missingPeers } from './peers/available.ts';
import { pythonCalls, startPythonCalcul } from '../peers/rpc-python.ts';

/** Every test here talks to Debian's python3. */
const needsPython = { skip: missingPeers('python3') };

async function calcServer(t: { after(fn: () => unknown): void }): Promise<string> {
  const server = await listenRpc({ host: '127.0.0.1', port: 0, methods: calculatorMethods });
  t.after(() => server.close());
  return `http://127.0.0.1:${server.address.port}/`;
}

test('Python’s xmlrpc.client calls every calculator method: ints stay ints, a double makes a double', needsPython, async (t) => {
  const url = await calcServer(t);
  const answers = await pythonCalls(url, '[["add",[2,3]],["add",[2,3.0]],["mult",[6,7]],["mult",[2.5,4]],["diff",[2,5]],["quotient",[7,2]],["quotient",[6,3]],["absolue",[-4]],["absolue",[-2.5]]]');
  assert.deepEqual(answers, [
    { result: 5, type: 'int' },
    { result: 5, type: 'float' },
    { result: 42, type: 'int' },
    { result: 10, type: 'float' },
    { result: -3, type: 'int' },
    { result: 3.5, type: 'float' },
    { result: 2, type: 'float' },
    { result: 4, type: 'int' },
    { result: 2.5, type: 'float' },
  ]);
});

test('Python gets Fault objects with the documented codes for every calculator error', needsPython, async (t) => {
  const url = await calcServer(t);
  const answers = await pythonCalls(url, '[["quotient",[1,0]],["quotient",[1.5,0.0]],["add",["2",3]],["add",[1]],["absolue",[1,2]],["mult",[1e308,10.0]],["pow",[2,3]],["NotFound",[]],["error",[]],["__proto__",[]],["constructor",[]]]');
  const faults = answers.map((answer) => ('fault' in answer ? answer.fault[0] : answer));
  assert.deepEqual(faults, [2, 2, -32602, -32602, -32602, 3, -32601, -32601, -32601, -32601, -32601]);
  assert.deepEqual(answers[0], { fault: [2, 'division by zero'] });
  assert.match((answers[2] as { fault: [number, string] }).fault[1], /parameter a must be a finite number/);
});

test('introspection and system.multicall answer as Python’s own server does', needsPython, async (t) => {
  const url = await calcServer(t);
  const [list, help, signature, unknownHelp, multi] = await pythonCalls(
    url,
    '[["system.listMethods",[]],["system.methodHelp",["quotient"]],["system.methodSignature",["add"]],["system.methodHelp",["nope"]],["multicall",[["add",[1,2]],["quotient",[1,0]],["absolue",[-2.0]],["nope",[]]]]]',
  );
  assert.deepEqual((list as { result: string[] }).result, ['absolue', 'add', 'diff', 'mult', 'quotient', 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall']);
  assert.match((help as { result: string }).result, /division|zero/);
  assert.deepEqual((signature as { result: unknown }).result, [['int', 'int', 'int'], ['double', 'double', 'double']]);
  assert.equal((unknownHelp as { fault: [number, string] }).fault[0], -32601);
  assert.deepEqual((multi as { multicall: unknown }).multicall, [[3], { faultCode: 2, faultString: 'division by zero' }, [2], { faultCode: -32601, faultString: 'method "nope" is not supported' }]);
});

test('Python’s xmlrpc.client uses every directory method, the French names and the English aliases', needsPython, async (t) => {
  const dir = tempDir(t);
  const server = await listenAnnuaire({ host: '127.0.0.1', port: 0, dbFile: path.join(dir, 'annuaire.db') });
  t.after(() => server.close());
  const answers = await pythonCalls(
    `http://127.0.0.1:${server.address.port}/RPC2`,
    JSON.stringify([
      ['ajouterEntree', ['Ada Lovelace', '+44 20 7946 0000']],
      ['add', ['ada lovelace', '06 12 34 56 78']],
      ['ajouterEntree', ['Ada Lovelace', '+44.20.7946.0000']],
      ['add', ['Bob', '0711']],
      ['trouverNumero', ['ADA LOVELACE']],
      ['find', ['Bob']],
      ['nbNumeros', []],
      ['lister', [0, 2]],
      ['list', [2]],
      ['supprimerEntree', ['Bob']],
      ['delete', ['Bob']],
      ['trouverNumero', ['Bob']],
      ['ajouterEntree', ['', '0612']],
      ['ajouterEntree', ['Eve', 'call me']],
      ['ajouterEntree', ['Eve']],
      ['lister', [0, 100000]],
      ['multicall', [['count', []], ['add', ['Eve', '123']], ['find', ['nobody']]]],
      ['supprimerTout', []],
      ['count', []],
    ]),
  );
  const short = answers.map((a) => ('fault' in a ? `fault ${a.fault[0]}` : 'result' in a ? a.result : a));
  assert.deepEqual(short, [
    true,
    true,
    'fault 13', // same name (any case), same digits: a duplicate
    true,
    ['+44 20 7946 0000', '06 12 34 56 78'],
    ['0711'],
    3,
    [{ nom: 'Ada Lovelace', numero: '+44 20 7946 0000' }, { nom: 'ada lovelace', numero: '06 12 34 56 78' }],
    [{ nom: 'Bob', numero: '0711' }],
    1,
    'fault 12',
    'fault 12',
    'fault 10',
    'fault 11',
    'fault -32602',
    'fault -32602',
    { multicall: [[2], [true], { faultCode: 12, faultString: 'no such entry: nobody' }] },
    3,
    0,
  ]);
});

test('our calc client talks to Python’s SimpleXMLRPCServer serving a Calcul class', needsPython, async (t) => {
  const peer = await startPythonCalcul();
  t.after(() => peer.close());
  const sum = await capture(calc, ['add', '2', '3', '--url', peer.url]);
  assert.equal(sum.code, 0, sum.stderr);
  assert.equal(sum.stdout, '2 + 3 = 5\n');
  const quotient = await capture(calc, ['quotient', '7', '2', '--json', '--port', String(peer.port)]);
  assert.deepEqual(JSON.parse(quotient.stdout), { operation: 'quotient', operands: [7, 2], result: 3.5 });
  const mixed = await capture(calc, ['mult', '1.5', '-2', '--url', peer.url]);
  assert.equal(mixed.stdout, '1.5 × -2 = -3.0\n');
  // Python's server turns the ZeroDivisionError into its generic fault 1.
  const zero = await capture(calc, ['quotient', '1', '0', '--url', peer.url]);
  assert.equal(zero.code, 1);
  assert.match(zero.stderr, /^error: Fault 1: <class 'ZeroDivisionError'>:division by zero/);
});
