import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { Exercise } from '../lib/cli/exercise.ts';
import annuaire from '../scripts/annuaire.ts';
import annuaireServer from '../scripts/annuaire-server.ts';
import calc from '../scripts/calc.ts';
import calcServer from '../scripts/calc-server.ts';
import { capture, isolatedEnv, startServerExercise, tempDir } from './helpers.ts';

type T = { after(fn: () => unknown): void };

/** Starts a server exercise in-process on a free port, with its own data, pid and log folders. */
async function startService(t: T, exercise: Exercise) {
  const dir = tempDir(t);
  const env = isolatedEnv(dir);
  const running = await startServerExercise(exercise, ['--port', '0'], { env });
  t.after(() => running.stop());
  assert.equal(running.server.address.host, '127.0.0.1', 'servers bind loopback unless told otherwise');
  return { port: String(running.server.address.port), env, dir };
}
const startCalc = (t: T) => startService(t, calcServer);
const startAnnuaire = (t: T) => startService(t, annuaireServer);

/** Runs a client as its own process with `answers` piped on stdin, as a student's script would. */
async function piped(script: string, args: string[], answers: string[], env: NodeJS.ProcessEnv) {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', path.resolve('scripts', script), ...args], { env, timeout: 20_000 });
  run.child.stdin!.end(answers.map((line) => `${line}\n`).join(''));
  return run;
}

test('calc one-shot: ints, doubles, negatives, --json, and a fault as "Fault 2: division by zero"', async (t) => {
  const { port, env } = await startCalc(t);
  const io = { env };
  assert.equal((await capture(calc, ['add', '2', '3', '--port', port], io)).stdout, '2 + 3 = 5\n');
  assert.equal((await capture(calc, ['diff', '-2', '-3.5', '--port', port], io)).stdout, '-2 − -3.5 = 1.5\n');
  assert.equal((await capture(calc, ['absolue', '-4', '--port', port], io)).stdout, '|-4| = 4\n');
  assert.equal((await capture(calc, ['quotient', '6', '3', '--port', port], io)).stdout, '6 ÷ 3 = 2.0\n');
  assert.deepEqual(JSON.parse((await capture(calc, ['mult', '2,5', '4', '--json', '--port', port], io)).stdout), { operation: 'mult', operands: [2.5, 4], result: 10 });
  const zero = await capture(calc, ['quotient', '1', '0', '--port', port], io);
  assert.equal(zero.code, 1);
  assert.equal(zero.stderr, 'error: Fault 2: division by zero\n');
  const zeroJson = await capture(calc, ['quotient', '1', '0', '--json', '--port', port], io);
  assert.deepEqual(JSON.parse(zeroJson.stderr).error, { code: 'E_REMOTE', message: 'Fault 2: division by zero', faultCode: 2, faultString: 'division by zero' });
  const traced = await capture(calc, ['add', '1', '2', '--trace', '--port', port], io);
  assert.match(traced.stdout, />> <\?xml[\s\S]*<methodName>add<\/methodName>[\s\S]*<< <\?xml[\s\S]*<int>3<\/int>/);
  assert.equal((await capture(calc, ['pow', '1', '2', '--port', port], io)).code, 2);
  assert.equal((await capture(calc, ['add', 'x', '2', '--port', port], io)).code, 2);
});

test('calc never rounds an integer in silence: beyond 2^53 an operand is a usage error and a result a fault', async (t) => {
  const { port, env } = await startCalc(t);
  const io = { env };
  // 2^31 and beyond travel as <double>, exact up to 2^53.
  assert.equal((await capture(calc, ['mult', '2147483647', '2', '--port', port], io)).stdout, '2147483647 × 2 = 4294967294.0\n');
  assert.equal((await capture(calc, ['add', '9007199254740991', '0', '--port', port], io)).stdout, '9007199254740991.0 + 0 = 9007199254740991.0\n');
  const operand = await capture(calc, ['add', '9007199254740993', '1', '--trace', '--port', port], io);
  assert.equal(operand.code, 2);
  assert.match(operand.stderr, /^error: 9007199254740993 cannot be sent exactly: an XML-RPC number is a 32-bit <int> or a <double>, exact up to 2\^53/);
  assert.doesNotMatch(operand.stdout, /methodCall/, 'refused before any call');
  const product = await capture(calc, ['mult', '2147483647', '2147483647', '--port', port], io);
  assert.equal(product.code, 1);
  assert.match(product.stderr, /^error: Fault 3: result out of range: beyond 2\^53, a <double> cannot carry this integer exactly/);
  // Doubles in, rounding is what was asked for.
  assert.equal((await capture(calc, ['mult', '2147483647.0', '2147483647', '--port', port], io)).code, 0);
});

test('calc and annuaire: too many or too few operands is a usage error that names the arity, before any call', async (t) => {
  const calcServer = await startCalc(t);
  const directory = await startAnnuaire(t);
  const calcRun = (...args: string[]) => capture(calc, [...args, '--port', calcServer.port], { env: calcServer.env });
  const cases: [Awaited<ReturnType<typeof calcRun>>, string][] = [
    [await calcRun('add', '1', '2', '3'), 'error: calc add takes 2 operands (<a> <b>), got 3 — see: netlab calc --help\n'],
    [await calcRun('mult', '4'), 'error: calc mult takes 2 operands (<a> <b>), got 1 — see: netlab calc --help\n'],
    [await calcRun('absolue', '-4', '5'), 'error: calc absolue takes 1 operand (<a>), got 2 — see: netlab calc --help\n'],
    [await calcRun('absolue'), 'error: calc absolue takes 1 operand (<a>), got 0 — see: netlab calc --help\n'],
  ];
  const annuaireRun = (...args: string[]) => capture(annuaire, [...args, '--port', directory.port], { env: directory.env });
  assert.equal((await annuaireRun('add', 'Ada', '+44', '20')).code, 0, 'a number takes the rest of the line');
  cases.push(
    [await annuaireRun('find', 'ada', 'lovelace'), 'error: annuaire find takes 1 argument (<nom>), got 2 — quote a name that has spaces: netlab annuaire find "Ada Lovelace"\n'],
    [await annuaireRun('count', 'everything'), 'error: annuaire count takes no arguments, got 1 — see: netlab annuaire --help\n'],
    [await annuaireRun('list', '10'), 'error: annuaire list takes no arguments, got 1 — see: netlab annuaire --help\n'],
    [await annuaireRun('clear', 'all', '--yes'), 'error: annuaire clear takes no arguments, got 1 — see: netlab annuaire --help\n'],
    [await annuaireRun('add', 'Ada'), 'error: annuaire add takes 2 arguments (<nom> <numero>), got 1 — quote a name that has spaces: netlab annuaire add "Ada Lovelace" +44 20 7946 0000\n'],
    [await annuaireRun('delete'), 'error: annuaire delete takes 1 to 2 arguments (<nom> [numero]), got 0 — quote a name that has spaces: netlab annuaire delete "Ada Lovelace"\n'],
  );
  for (const [result, stderr] of cases) {
    assert.equal(result.stderr, stderr);
    assert.equal(result.code, 2);
  }
  assert.deepEqual(JSON.parse((await annuaireRun('count', '--json')).stdout), { count: 1 }, 'the refused clear deleted nothing');
  // A name with a CR and an ESC reaches the terminal with both made visible, never raw.
  const hostile = await annuaireRun('add', 'Bad\r\x1b[2JName', '123');
  assert.equal(hostile.code, 0, hostile.stderr);
  assert.equal(hostile.stdout, 'added Bad^M^[[2JName: 123\n');
});

test('a client with no server says "connection refused" and exits 4', async (t) => {
  // A port that was free a moment ago: listen on 0, note the port, close.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const down = await capture(annuaire, ['count', '--url', `http://127.0.0.1:${port}/`], { env: isolatedEnv(tempDir(t)) });
  assert.equal(down.code, 4);
  assert.match(down.stderr, /connection refused: nothing listens on tcp 127.0.0.1:\d+/);
});

test('calc menu over a pipe: re-asks on bad input, prints the fault, goes on, quits on 0', async (t) => {
  const { port, env, dir } = await startCalc(t);
  const { stdout } = await piped('calc.ts', ['--port', port], ['1', '2', '3', '9', 'abc', '4', '1', 'zero', '0', '5', '-2.5', '0', 'never read'], env);
  assert.match(stdout, /1  add {7}a \+ b[\s\S]*5  absolue {3}\|a\|[\s\S]*0  quit/);
  assert.match(stdout, /2 \+ 3 = 5\n/);
  assert.match(stdout, /invalid choice "9": type a number from 0 to 5/);
  assert.match(stdout, /invalid choice "abc"/);
  assert.match(stdout, /"zero" is not a number — give numbers such as 12/);
  assert.match(stdout, /Fault 2: division by zero\n/);
  assert.match(stdout, /\|-2\.5\| = 2\.5\n/);
  // The request log has one line per call, with the method, size, duration and fault code.
  const log = readFileSync(path.join(dir, 'log', 'calc-server.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const fault = log.find((line) => line.method === 'quotient');
  assert.equal(fault.fault, 2);
  assert.equal(typeof fault.ms, 'number');
  assert.ok(fault.bytes > 100);
});

test('the calc menu ends cleanly when its input ends', async (t) => {
  const { port, env } = await startCalc(t);
  const { stdout } = await piped('calc.ts', ['--port', port], ['1', '40'], env);
  assert.match(stdout, /a = b = \n$/);
});

test('annuaire one-shot commands: add, find, count, list, delete, clear --yes; faults exit 1', async (t) => {
  const { port, env } = await startAnnuaire(t);
  const run = (...args: string[]) => capture(annuaire, [...args, '--port', port], { env });
  assert.equal((await run('add', 'Ada Lovelace', '+44', '20', '7946', '0000')).stdout, 'added Ada Lovelace: +44 20 7946 0000\n');
  assert.equal((await run('ajouterEntree', 'Bob', '0711')).code, 0);
  assert.equal((await run('find', 'ada lovelace')).stdout, 'ada lovelace: +44 20 7946 0000\n');
  assert.deepEqual(JSON.parse((await run('count', '--json')).stdout), { count: 2 });
  assert.deepEqual(JSON.parse((await run('list', '--json', '--limit', '1', '--offset', '1')).stdout), [{ nom: 'Bob', numero: '0711' }]);
  const duplicate = await run('add', 'bob', '07-11');
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.stderr, /^error: Fault 13: bob already has the number 07-11/);
  assert.equal((await run('delete', 'Bob')).stdout, 'deleted 1 number of Bob\n');
  assert.match((await run('delete', 'Bob')).stderr, /Fault 12: no such entry: Bob/);
  assert.equal((await run('clear')).code, 2, 'clear without --yes is refused');
  assert.equal((await run('clear', '--yes')).stdout, 'deleted 1 number; the directory is empty\n');
  assert.equal((await run('add', 'Eve', 'call me')).code, 1);
});

test('annuaire menu over a pipe: supprimerTout asks first, and only "yes" deletes', async (t) => {
  const { port, env } = await startAnnuaire(t);
  const answers = ['1', 'Carol', '+1 (555) 010-9999', '1', 'Dan', 'not a number', '2', 'carol', '3', '6', '5', 'no', '3', '5', 'yes', '3', '2', 'carol', '0'];
  const { stdout } = await piped('annuaire.ts', ['--port', port], answers, env);
  assert.match(stdout, /added Carol: \+1 \(555\) 010-9999/);
  assert.match(stdout, /Fault 11: "not a number" is not a phone number/);
  assert.match(stdout, /carol: \+1 \(555\) 010-9999/);
  assert.match(stdout, /NOM {4}NUMERO\nCarol  \+1 \(555\) 010-9999/);
  assert.match(stdout, /delete all 1 number\(s\)\? type yes to confirm: nothing deleted/);
  assert.match(stdout, /delete all 1 number\(s\)\? type yes to confirm: deleted 1 number\(s\)/);
  assert.deepEqual(stdout.match(/\d+ number\(s\) in the directory/g), ['1 number(s) in the directory', '1 number(s) in the directory', '0 number(s) in the directory']);
  assert.match(stdout, /Fault 12: no such entry: carol/);
});
