// PacedLines: a flood of events is shown in one write per turn of the event loop, at most
// maxPerSecond lines a second, and what is not shown is counted in one line (issue 13).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PacedLines } from '../lib/cli/paced-lines.ts';

function paced(clock: { now: number }) {
  const writes: string[] = [];
  const lines = new PacedLines<number>({
    format: (n) => `line ${n}\n`,
    skipped: (count) => `${count} not shown\n`,
    write: (text) => writes.push(text),
    maxPerSecond: 3,
    now: () => clock.now,
  });
  return { lines, writes };
}

test('a burst goes out in one write, and what passes maxPerSecond is counted, not shown', async () => {
  const clock = { now: 0 };
  const { lines, writes } = paced(clock);
  for (let n = 1; n <= 10; n++) lines.push(n);
  assert.deepEqual(writes, [], 'nothing is written while the loop is still receiving');
  await nextTurn();
  assert.deepEqual(writes, ['line 1\nline 2\nline 3\n'], 'one write for the turn, the first three only');
  clock.now = 1_000; // the next second: lines are shown again
  lines.push(11);
  lines.flush(); // as on close
  assert.deepEqual(writes.slice(1), ['line 11\n7 not shown\n']);
});

test('with no flood, every item is shown and no count is written', async () => {
  const clock = { now: 0 };
  const { lines, writes } = paced(clock);
  lines.push(1);
  await nextTurn();
  clock.now = 2_000;
  lines.push(2);
  await nextTurn();
  lines.flush();
  assert.deepEqual(writes, ['line 1\n', 'line 2\n']);
});
