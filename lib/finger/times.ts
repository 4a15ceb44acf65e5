// Times and idle times as BSD finger prints them (Debian's bsd-finger 0.17: lprint.c for the long
// form, sprint.c for the short one), so that the builtin and system backends read alike. The
// builtin backend states every time in UTC (BSD finger uses the local zone, "%Z" naming it).

import { fingerHalfYearMs, lsDate, strftimeDate } from '../net/unix-dates.ts';

/** "Wed Dec  2 09:05 (UTC)": the "On since" line (strftime "%a %b %e %R (%Z)"). */
export function sessionStart(since: Date): string {
  return `${strftimeDate(since, 'utc')} (UTC)`;
}

/** The "Last login" line: the year appears once the login is half a year old. */
export function lastLoginTime(time: Date, now: number): string {
  return `${strftimeDate(time, 'utc', now - time.getTime() >= fingerHalfYearMs)} (UTC)`;
}

/** Mail times always carry the year: "Tue Nov 24 09:00 2026 (UTC)" ("%a %b %e %R %Y (%Z)"). */
export function mailTime(time: Date): string {
  return `${strftimeDate(time, 'utc', true)} (UTC)`;
}

/** The short form's Login Time column: "Dec  2 09:05", or "Dec  2  2025" half a year on (ctime's fields). */
export function shortLoginTime(since: Date, now: number): string {
  return lsDate(since, 'utc', now - since.getTime() < fingerHalfYearMs);
}

/**
 * The long form's idle time, "" when the terminal was used this very second: days and hours, then
 * minutes only under a day, seconds only under an hour ("1 day 2 hours idle", "5 minutes 3 seconds idle").
 */
export function longIdle(seconds: number): string {
  const [days, hours, minutes, secs] = idleParts(seconds);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} `;
  if (!days && !hours && !minutes && !secs) return '';
  return `${days ? plural(days, 'day') : ''}${hours ? plural(hours, 'hour') : ''}${minutes && !days ? plural(minutes, 'minute') : ''}${secs && !days && !hours ? plural(secs, 'second') : ''}idle`;
}

/** The short form's Idle column: minutes, "h:mm", or "Nd"; blank under a minute. */
export function shortIdle(seconds: number): string {
  const [days, hours, minutes] = idleParts(seconds);
  if (days) return `${days}d`;
  if (hours) return `${hours}:${String(minutes).padStart(2, '0')}`;
  return minutes ? String(minutes) : '';
}

/** Days, hours, minutes and seconds of an idle time. */
function idleParts(seconds: number): [number, number, number, number] {
  const whole = Math.max(0, Math.floor(seconds));
  return [Math.floor(whole / 86_400), Math.floor((whole % 86_400) / 3600), Math.floor((whole % 3600) / 60), whole % 60];
}
