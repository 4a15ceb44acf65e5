import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetlabError } from '../lib/errors.ts';
import { ReplyParser, formatReply, type FtpReply } from '../lib/ftp/client/reply.ts';

const feed = (parser: ReplyParser, ...chunks: string[]): FtpReply[] => chunks.flatMap((chunk) => parser.push(Buffer.from(chunk)));

test('a single-line reply gives its code and text', () => {
  assert.deepEqual(feed(new ReplyParser(), '220 (vsFTPd 3.0.3)\r\n'), [{ code: 220, lines: ['220 (vsFTPd 3.0.3)'], text: '(vsFTPd 3.0.3)' }]);
});

test('a multi-line reply ends only on "ddd " with the same code (RFC 959 §4.2)', () => {
  const feat = '211-Features:\r\n EPRT\r\n211-not the end: a dash\r\n123 another code is text too\r\n211x nor this\r\n211 End\r\n';
  const [reply, ...rest] = feed(new ReplyParser(), feat);
  assert.equal(rest.length, 0);
  assert.equal(reply.code, 211);
  assert.equal(reply.lines.length, 6);
  assert.equal(reply.text, 'Features:\nEPRT\n211-not the end: a dash\n123 another code is text too\n211x nor this\nEnd');
});

test('a reply cut at every byte position across TCP segments parses the same', () => {
  const wire = '230-Welcome\r\n  to the lab\r\n230 Login successful.\r\n150 Here it comes\r\n';
  const whole = feed(new ReplyParser(), wire);
  for (let cut = 1; cut < wire.length; cut++) {
    assert.deepEqual(feed(new ReplyParser(), wire.slice(0, cut), wire.slice(cut)), whole, `cut at ${cut}`);
  }
  assert.deepEqual(feed(new ReplyParser(), ...wire.split('')), whole, 'one byte per segment');
});

test('several replies in one segment come out in order', () => {
  const replies = feed(new ReplyParser(), '150 Opening\r\n226 Transfer complete.\r\n221 Goodbye.\r\n');
  assert.deepEqual(
    replies.map((reply) => reply.code),
    [150, 226, 221],
  );
});

test('a UTF-8 character split between segments is not mangled', () => {
  const bytes = Buffer.from('257 "/été" is the current directory\r\n');
  const parser = new ReplyParser();
  const replies = [...parser.push(bytes.subarray(0, 7)), ...parser.push(bytes.subarray(7))];
  assert.equal(replies[0].text, '"/été" is the current directory');
});

test('bare LF line ends are accepted; midReply tells a partial reply', () => {
  const parser = new ReplyParser();
  assert.deepEqual(feed(parser, '200-a\n200 b\n').map((reply) => reply.text), ['a\nb']);
  feed(parser, '220-hello\r\n');
  assert.equal(parser.midReply, true);
});

test('a line that is not a reply, or an endless line, is a protocol error', () => {
  assert.throws(() => feed(new ReplyParser(), 'SSH-2.0-OpenSSH_9.2\r\n'), (error: NetlabError) => error.code === 'E_PROTOCOL' && /not a reply/.test(error.message));
  assert.throws(() => feed(new ReplyParser(), `220 ${'x'.repeat(70_000)}`), (error: NetlabError) => error.code === 'E_PROTOCOL');
});

test('formatReply keeps a one-line reply as is and joins a multi-line one', () => {
  assert.equal(formatReply(feed(new ReplyParser(), '550 Failed to open file.\r\n')[0]), '550 Failed to open file.');
  assert.equal(formatReply(feed(new ReplyParser(), '530-Login incorrect.\r\n530 Bye\r\n')[0]), '530 Login incorrect. / Bye');
});
