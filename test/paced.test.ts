// Paced: a flood of events is shown once per turn of the event loop, at most maxPerSecond a
// second, and what is not shown is counted and reported once (issue 13).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Paced } from '../lib/paced.ts';

function paced(clock: { now: number }) {
  const reports: string[] = [];
  const lines = new Paced<number>({
    show: (items) => reports.push(items.map((n) => `line ${n}`).join(', ')),
    skipped: (count) => reports.push(`${count} not shown`),
    maxPerSecond: 3,
    now: () => clock.now,
  });
  return { lines, reports };
}

test('a burst is shown in one go, and what passes maxPerSecond is counted, not shown', async () => {
  const clock = { now: 0 };
  const { lines, reports } = paced(clock);
  for (let n = 1; n <= 10; n++) lines.push(n);
  assert.deepEqual(reports, [], 'nothing is shown while the loop is still receiving');
  await nextTurn();
  assert.deepEqual(reports, ['line 1, line 2, line 3'], 'one report for the turn, the first three only');
  clock.now = 1_000; // the next second: items are shown again
  lines.push(11);
  lines.flush(); // as on close
  assert.deepEqual(reports.slice(1), ['line 11', '7 not shown']);
});

test('with no flood, every item is shown and no count is reported', async () => {
  const clock = { now: 0 };
  const { lines, reports } = paced(clock);
  lines.push(1);
  await nextTurn();
  clock.now = 2_000;
  lines.push(2);
  await nextTurn();
  lines.flush();
  assert.deepEqual(reports, ['line 1', 'line 2']);
});
