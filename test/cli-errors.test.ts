import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isolatedEnv, tempDir } from './helpers.ts';
import { runCommand } from './peers/net-peers.ts';
import { netlabBin, nobodyCommand, nobodyScratch, skipUnlessNobody } from './peers/nobody.ts';

// Mistakes a user can make, through the real CLI: each ends with one line — what happened, a
// hint after " — " — and its documented exit code (README "Exit codes"); none is called a bug.

interface Mistake {
  what: string;
  args: string[];
  code: number;
  says: RegExp;
}

const mistakes: Mistake[] = [
  { what: 'udp-client --port 0', args: ['udp-client', '--port', '0', 'hello'], code: 2, says: /--port 0 names no server/ },
  { what: 'tcp-client --port 0', args: ['tcp-client', '--port', '0', 'hello'], code: 2, says: /--port 0 names no server/ },
  { what: 'tcp-client --port 70000', args: ['tcp-client', '--port', '70000', 'hello'], code: 2, says: /--port "70000" is not a port number/ },
  { what: 'an unknown flag', args: ['tcp-client', '--colour', 'hello'], code: 2, says: /unknown option --colour/ },
  { what: '--timeout abc', args: ['udp-client', '--timeout', 'abc', '--wait', 'hello'], code: 2, says: /--timeout "abc" is not a number of seconds/ },
  // Port 1: nobody listens there, but the missing file is the first mistake, and the one reported.
  { what: 'ftp put of a missing file', args: ['ftp', 'put', 'no-such-notes.txt', 'ftp://127.0.0.1:1/incoming/'], code: 6, says: /no-such-notes\.txt: no such file/ },
  { what: 'ftpd --root in a folder that does not exist', args: ['ftpd', '--port', '0', '--root', '/nonexistent-netlab/typo'], code: 6, says: /cannot serve \/nonexistent-netlab\/typo: neither it nor \/nonexistent-netlab exists/ },
];

function assertOneLineWithHint(what: string, result: { code: number | null; stderr: string }, code: number, says: RegExp): void {
  assert.doesNotMatch(result.stderr, /bug in netlab/, `${what}: ${result.stderr}`);
  assert.equal(result.code, code, `${what}: exit code (${result.stderr.trim()})`);
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `${what}: one line, not ${JSON.stringify(result.stderr)}`);
  assert.match(lines[0], /^error: .+ — .+/, `${what}: a sentence and a hint`);
  assert.match(lines[0], says, what);
}

for (const mistake of mistakes) {
  test(`${mistake.what}: one line with a hint, exit ${mistake.code}`, async (t) => {
    const dir = tempDir(t);
    const result = await runCommand(process.execPath, [netlabBin, ...mistake.args], { env: isolatedEnv(dir) });
    assertOneLineWithHint(mistake.what, result, mistake.code, mistake.says);
  });
}

// A folder the user chose is never replaced by another: writing it fails, naming it and its variable.
const unwritableChoices = [
  { variable: 'NETLAB_LOG_DIR', contents: 'logs', args: ['udp-server', '--port', '0'] },
  { variable: 'NETLAB_DATA_DIR', contents: 'data', args: ['annuaire-server', '--port', '0'] },
  { variable: 'NETLAB_PID_DIR', contents: 'pidfiles', args: ['tcp-server', '--port', '0'] },
];

for (const choice of unwritableChoices) {
  test(`an unwritable ${choice.variable}: a permission error naming it, exit 5`, async (t) => {
    if (skipUnlessNobody(t)) return;
    const scratch = nobodyScratch(t);
    const home = scratch.writable('home');
    const chosen = scratch.readOnly('chosen');
    const env = {
      ...isolatedEnv(home, { HOME: home }),
      [choice.variable]: chosen,
    };
    const [command, args] = nobodyCommand(process.execPath, [netlabBin, ...choice.args]);
    const result = await runCommand(command, args, { env, timeoutMs: 15_000 });
    assertOneLineWithHint(choice.variable, result, 5, new RegExp(`cannot write netlab's ${choice.contents} in ${chosen} \\(permission denied\\) — set ${choice.variable} to a folder you can write`));
    assert.ok(!result.stdout.includes('listening'), 'it stops before serving');
  });
}
