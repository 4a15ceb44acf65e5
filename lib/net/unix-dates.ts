// Dates as the classic Unix servers print them, for the labs whose answers must read like theirs:
// finger (strftime "%a %b %e %R", ctime) and FTP listings (ls -l). The day of the month is padded
// with a space, not a zero ("Dec  2", C's %e and ctime), which is what clients and people expect.

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** UTC, or the local time zone as localtime(3) (and ls) would use it. */
export type Zone = 'utc' | 'local';

/** BSD finger's "six months" (SECSPERDAY * DAYSPERNYEAR / 2, 182.5 days). */
export const fingerHalfYearMs = (86_400 * 365 * 1000) / 2;

/** vsftpd's (60*60*24*182 seconds); GNU ls uses half a Gregorian year, 12 hours more. */
export const lsHalfYearMs = 182 * 86_400 * 1000;

interface Calendar {
  weekday: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  year: number;
}

function calendar(date: Date, zone: Zone): Calendar {
  return zone === 'utc'
    ? { weekday: date.getUTCDay(), month: date.getUTCMonth(), day: date.getUTCDate(), hours: date.getUTCHours(), minutes: date.getUTCMinutes(), year: date.getUTCFullYear() }
    : { weekday: date.getDay(), month: date.getMonth(), day: date.getDate(), hours: date.getHours(), minutes: date.getMinutes(), year: date.getFullYear() };
}

const twoDigits = (n: number) => String(n).padStart(2, '0');

/** strftime "%a %b %e %R", with " %Y" when asked: "Wed Dec  2 09:05", "Wed Dec  2 09:05 2026". */
export function strftimeDate(date: Date, zone: Zone, withYear = false): string {
  const c = calendar(date, zone);
  const base = `${weekdays[c.weekday]} ${months[c.month]} ${String(c.day).padStart(2)} ${twoDigits(c.hours)}:${twoDigits(c.minutes)}`;
  return withYear ? `${base} ${c.year}` : base;
}

/**
 * The 12 columns of `ls -l` (and of BSD finger's short form): "Dec  2 09:05" for a recent time,
 * "Dec  2  2025" for another. What "recent" means differs between programs, so the caller says.
 */
export function lsDate(date: Date, zone: Zone, recent: boolean): string {
  const c = calendar(date, zone);
  const monthDay = `${months[c.month]} ${String(c.day).padStart(2)}`;
  return recent ? `${monthDay} ${twoDigits(c.hours)}:${twoDigits(c.minutes)}` : `${monthDay} ${String(c.year).padStart(5)}`;
}
