// The command-line parser ftpd uses instead of ftp-srv's (RFC 959 §4.1, §5.3).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from '../lib/ftp/server/command-line.ts';

test('a verb in any case, then the argument as the client sent it (spaces and quotes kept)', () => {
  assert.deepEqual(parseCommandLine('retr say "hi".txt'), { directive: 'RETR', arg: 'say "hi".txt', flags: [], raw: 'retr say "hi".txt' });
  assert.equal(parseCommandLine('STOR two  spaces.txt').arg, 'two  spaces.txt');
  assert.equal(parseCommandLine('STOR -x.txt').arg, '-x.txt'); // a name, not an option, outside LIST/NLST/STAT
  assert.deepEqual(parseCommandLine('PWD'), { directive: 'PWD', arg: null, flags: [], raw: 'PWD' });
  assert.equal(parseCommandLine('NOOP ').arg, null);
});

test('LIST, NLST and STAT take leading ls options, and the rest is the name', () => {
  assert.deepEqual(parseCommandLine('LIST -la'), { directive: 'LIST', arg: null, flags: ['-la'], raw: 'LIST -la' });
  assert.deepEqual(parseCommandLine('nlst -a -l pub dir'), { directive: 'NLST', arg: 'pub dir', flags: ['-a', '-l'], raw: 'nlst -a -l pub dir' });
  assert.equal(parseCommandLine('LIST pub -l').arg, 'pub -l');
  assert.deepEqual(parseCommandLine('NLST -1 --all pub'), { directive: 'NLST', arg: 'pub', flags: ['-1', '--all'], raw: 'NLST -1 --all pub' });
});
