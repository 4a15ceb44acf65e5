import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetlabError } from '../lib/errors.ts';
import { parseFingerTarget } from '../lib/finger/client.ts';
import { FingerQueryError, formatFingerQuery, nextHop, parseFingerQuery } from '../lib/finger/query.ts';
import { encodeAnswer } from '../lib/finger/wire.ts';

test('RFC 1288 §2.3 {Q1}: empty line, /W, user, /W user', () => {
  assert.deepEqual(parseFingerQuery(''), { kind: 'local', verbose: false });
  assert.deepEqual(parseFingerQuery('/W'), { kind: 'local', verbose: true });
  assert.deepEqual(parseFingerQuery('alice'), { kind: 'local', verbose: false, user: 'alice' });
  assert.deepEqual(parseFingerQuery('/W alice'), { kind: 'local', verbose: true, user: 'alice' });
  assert.deepEqual(parseFingerQuery('  /w   alice '), { kind: 'local', verbose: true, user: 'alice' }, 'liberal: spaces and a lower-case /w');
});

test('RFC 1288 §2.3 {Q2}: user@host and @host@host are forwarding queries', () => {
  assert.deepEqual(parseFingerQuery('alice@example.org'), { kind: 'forward', verbose: false, user: 'alice', hosts: ['example.org'] });
  assert.deepEqual(parseFingerQuery('/W @a@b'), { kind: 'forward', verbose: true, user: undefined, hosts: ['a', 'b'] });
});

test('malformed queries are refused with a reason, never half-understood', () => {
  for (const line of ['alice bob', 'a\x00b', 'a\x1b[2Jb', 'alice@', 'alice@ho st', 'alice@host;id', 'a\rb']) {
    assert.throws(() => parseFingerQuery(line), FingerQueryError, JSON.stringify(line));
  }
});

test('shell metacharacters are just characters of a (non-existent) user name', () => {
  for (const name of ['a;touch', '$(id)', '`id`', '|id', '../../etc/passwd', '-l']) {
    assert.deepEqual(parseFingerQuery(name), { kind: 'local', verbose: false, user: name });
  }
});

test('a query survives format → parse, and forwarding asks the rightmost host the rest (§2.4)', () => {
  for (const line of ['', '/W', 'alice', '/W alice', 'alice@a@b', '/W @a']) {
    assert.equal(formatFingerQuery(parseFingerQuery(line)), line);
  }
  const hop = nextHop(parseFingerQuery('alice@a@b') as never);
  assert.deepEqual(hop, { host: 'b', query: { kind: 'forward', verbose: false, user: 'alice', hosts: ['a'] } });
  assert.deepEqual(nextHop(parseFingerQuery('/W @a') as never), { host: 'a', query: { kind: 'local', verbose: true, user: undefined } });
});

test('client targets: user@host connects to host; a bare user goes to the default host; -l adds /W', () => {
  assert.deepEqual(parseFingerTarget('alice@h', '127.0.0.1', false), { host: 'h', query: { kind: 'local', verbose: false, user: 'alice' } });
  assert.deepEqual(parseFingerTarget('alice', '127.0.0.1', true), { host: '127.0.0.1', query: { kind: 'local', verbose: true, user: 'alice' } });
  assert.equal(formatFingerQuery(parseFingerTarget('@h', '127.0.0.1', true).query), '/W');
  assert.equal(parseFingerTarget('root@[::1]', '127.0.0.1', false).host, '::1');
  assert.equal(parseFingerTarget('root@::1', '127.0.0.1', false).host, '::1');
  assert.throws(() => parseFingerTarget('a b', '127.0.0.1', false), (error: NetlabError) => error.code === 'E_USAGE');
});

test('answers go out with CRLF line ends, control characters removed (§2.2, §3.3), and a size cap', () => {
  assert.equal(encodeAnswer('a\nb\r\nc', 100).toString(), 'a\r\nb\r\nc\r\n');
  assert.equal(encodeAnswer('x\x1b[31mred\x07\tend\u009b\n', 100).toString(), 'x[31mred\tend\r\n');
  assert.equal(encodeAnswer('Zoë\n', 100).toString(), 'Zoë\r\n');
  const long = encodeAnswer('0123456789\n'.repeat(100), 60).toString();
  assert.match(long, /^(0123456789\r\n){5}\[answer cut at 60 bytes\]\r\n$/);
});
