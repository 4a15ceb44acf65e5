import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BusyPoll } from '../lib/net/busy-poll.ts';
import { immediates } from './helpers.ts';

/** Two turns of the event loop: the spinner has looked at the clock at least once since. */
async function turns(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A clock the test moves by hand, in milliseconds as performance.now counts. */
function manualClock() {
  let now = 1_000;
  return { now: () => now, advanceMicros: (micros: number) => (now += micros / 1000) };
}

test('the loop is kept awake for the window after an answer, then let sleep', async () => {
  const clock = manualClock();
  const poll = new BusyPoll(50, clock.now);
  assert.equal(poll.spinning, false);
  poll.keepAwake();
  assert.equal(poll.spinning, true);
  const before = immediates();
  clock.advanceMicros(49);
  await turns();
  assert.equal(poll.spinning, true, 'still inside the 50 µs window');
  // Referenced, each turn: an unreferenced immediate would let libuv block in its poll phase again.
  assert.equal(immediates(), before, 'one referenced immediate queued, turn after turn');
  clock.advanceMicros(2);
  await turns();
  assert.equal(poll.spinning, false, 'past the window the loop may block in its poll phase again');
});

test('an answer inside the window starts the window again, without a second spinner', async () => {
  const clock = manualClock();
  const poll = new BusyPoll(50, clock.now);
  const before = immediates();
  poll.keepAwake();
  clock.advanceMicros(40);
  poll.keepAwake(); // the next call, answered at 40 µs: awake until 90 µs
  assert.equal(immediates(), before + 1, 'one spinner for both answers');
  clock.advanceMicros(40);
  await turns();
  assert.equal(poll.spinning, true, 'at 80 µs, inside the window the second answer opened');
  clock.advanceMicros(11);
  await turns();
  assert.equal(poll.spinning, false);
});

test('0 µs turns busy polling off: nothing is queued', () => {
  const poll = new BusyPoll(0);
  const before = immediates();
  poll.keepAwake();
  assert.equal(poll.spinning, false);
  assert.equal(immediates(), before);
});

test('stop() lets the loop sleep at once, inside the window', async () => {
  const clock = manualClock();
  const poll = new BusyPoll(1_000, clock.now);
  const before = immediates();
  poll.keepAwake();
  poll.stop(); // the server closes: nothing may keep the process alive for the rest of the window
  await turns();
  assert.equal(poll.spinning, false);
  assert.equal(immediates(), before);
});
