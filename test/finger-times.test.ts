import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastLoginTime, longIdle, mailTime, sessionStart, shortIdle, shortLoginTime } from '../lib/finger/times.ts';

// Every expectation is what BSD finger 0.17 prints for the same time with TZ=UTC (lprint.c, sprint.c).
const now = Date.parse('2026-12-02T09:05:00Z'); // a Wednesday, a single-digit day
const at = (iso: string) => new Date(iso);
const day = 86_400_000;

test('"On since": the day of the month padded with a space (%e), never a zero', () => {
  assert.equal(sessionStart(at('2026-12-02T09:05:00Z')), 'Wed Dec  2 09:05 (UTC)');
  assert.equal(sessionStart(at('2026-11-24T18:00:59Z')), 'Tue Nov 24 18:00 (UTC)', 'two digits, seconds dropped (%R)');
  assert.equal(sessionStart(at('2026-12-01T00:00:00Z')), 'Tue Dec  1 00:00 (UTC)', 'midnight is 00:00');
  assert.equal(sessionStart(at('2027-01-01T00:00:00Z')), 'Fri Jan  1 00:00 (UTC)', 'New Year');
});

test('"Last login": the year once the login is half a year (182.5 days) old', () => {
  assert.equal(lastLoginTime(at('2026-12-02T08:00:00Z'), now), 'Wed Dec  2 08:00 (UTC)');
  assert.equal(lastLoginTime(at('2026-01-01T00:00:00Z'), now), 'Thu Jan  1 00:00 2026 (UTC)', 'eleven months ago');
  assert.equal(lastLoginTime(new Date(now - 182.5 * day + 60_000), now), 'Tue Jun  2 21:06 (UTC)', 'a minute under half a year');
  assert.equal(lastLoginTime(new Date(now - 182.5 * day), now), 'Tue Jun  2 21:05 2026 (UTC)', 'exactly half a year');
  assert.equal(lastLoginTime(at('2027-01-05T10:00:00Z'), now), 'Tue Jan  5 10:00 (UTC)', 'a login in the future (a wrong clock) has no year');
});

test('mail times always carry the year', () => {
  assert.equal(mailTime(at('2026-11-04T09:00:00Z')), 'Wed Nov  4 09:00 2026 (UTC)');
  assert.equal(mailTime(at('2025-01-01T00:00:00Z')), 'Wed Jan  1 00:00 2025 (UTC)');
});

test('the short form\'s Login Time: "Mon dd HH:MM", or the year in place of the time half a year on', () => {
  assert.equal(shortLoginTime(at('2026-12-02T00:00:00Z'), now), 'Dec  2 00:00');
  assert.equal(shortLoginTime(at('2026-03-09T12:00:00Z'), now), 'Mar  9  2026');
  assert.equal(shortLoginTime(at('2025-12-25T12:00:00Z'), now), 'Dec 25  2025');
});

test('idle times: days and hours, minutes under a day, seconds under an hour', () => {
  assert.equal(longIdle(0), '', 'a terminal used this second is not idle');
  assert.equal(longIdle(1), '1 second idle');
  assert.equal(longIdle(59), '59 seconds idle');
  assert.equal(longIdle(63), '1 minute 3 seconds idle');
  assert.equal(longIdle(3600), '1 hour idle');
  assert.equal(longIdle(2 * 3600 + 60 + 7), '2 hours 1 minute idle');
  assert.equal(longIdle(86_400 + 3 * 3600 + 5 * 60), '1 day 3 hours idle');
  assert.equal(longIdle(3 * 86_400 + 59), '3 days idle');
  assert.deepEqual([59, 60, 3599, 3600 + 5 * 60, 2 * 86_400 + 3600].map(shortIdle), ['', '1', '59', '1:05', '2d']);
});
