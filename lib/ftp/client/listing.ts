// What the server's listings and replies mean: MLSD facts (RFC 3659 §7), Unix-style LIST lines
// (the de facto format; RFC 959 leaves it free), PWD/MKD paths and MDTM times.

export interface FtpEntry {
  name: string;
  type: 'file' | 'dir' | 'link' | 'other';
  size?: number;
  /** ISO time, UTC: from MLSD's modify fact (RFC 3659 §7.5.3). */
  modified?: string;
  /** The date as a LIST line shows it ("Nov 24 18:45", "Jan  1  2023"): server-local, no year when recent. */
  listedDate?: string;
  /** MLSD "perm" fact (RFC 3659 §7.5.5) or the Unix mode string of LIST. */
  permissions?: string;
  owner?: string;
  group?: string;
  /** A symbolic link's target, from LIST's "name -> target". */
  target?: string;
}

/** One MLSD line: "type=file;size=12;modify=20240101120000; name.txt" (facts; one space; name). */
export function parseMlsdLine(line: string): FtpEntry | undefined {
  const space = line.indexOf(' ');
  if (space === -1) return undefined;
  const facts = new Map<string, string>();
  for (const fact of line.slice(0, space).split(';')) {
    const equals = fact.indexOf('=');
    if (equals > 0) facts.set(fact.slice(0, equals).toLowerCase(), fact.slice(equals + 1));
  }
  const name = line.slice(space + 1);
  const kind = facts.get('type')?.toLowerCase() ?? '';
  // RFC 3659 §7.5.1: "cdir" and "pdir" are the listed directory itself and its parent, not entries.
  if (kind === 'cdir' || kind === 'pdir') return undefined;
  const type = kind === 'file' ? 'file' : kind === 'dir' ? 'dir' : kind.startsWith('os.unix=symlink') || kind.startsWith('os.unix=slink') ? 'link' : 'other';
  const size = facts.get('size') ?? facts.get('sizd');
  const modify = facts.get('modify');
  return {
    name,
    type,
    ...(size !== undefined && /^\d+$/.test(size) ? { size: Number(size) } : {}),
    ...(modify ? { modified: parseFtpTime(modify)?.toISOString() } : {}),
    ...(facts.has('perm') ? { permissions: facts.get('perm') } : {}),
    ...(facts.has('unix.owner') || facts.has('unix.uid') ? { owner: facts.get('unix.owner') ?? facts.get('unix.uid') } : {}),
    ...(facts.has('unix.group') || facts.has('unix.gid') ? { group: facts.get('unix.group') ?? facts.get('unix.gid') } : {}),
  };
}

const unixListLine = /^([-dlbcps])([-rwxsStT]{9})[.+@]?\s+\d+\s+(\S+)\s+(\S+)\s+(\d+)\s+(\w{3}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4}))\s(.*)$/;

/** One `ls -l` style LIST line, as vsftpd, pyftpdlib, ProFTPD and our server write them. */
export function parseListLine(line: string): FtpEntry | undefined {
  const match = unixListLine.exec(line);
  if (!match) return undefined;
  const [, kind, mode, owner, group, size, date, rest] = match;
  const type = kind === '-' ? 'file' : kind === 'd' ? 'dir' : kind === 'l' ? 'link' : 'other';
  const arrow = type === 'link' ? rest.indexOf(' -> ') : -1;
  return {
    name: arrow === -1 ? rest : rest.slice(0, arrow),
    type,
    size: Number(size),
    listedDate: date.replace(/\s+/g, ' '),
    permissions: kind + mode,
    owner,
    group,
    ...(arrow === -1 ? {} : { target: rest.slice(arrow + 4) }),
  };
}

/** Lines of a listing (CRLF in TYPE A, LF from some servers), without the empty last one. */
export function listingLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.length > 0);
}

/**
 * MDTM/MLSD time "YYYYMMDDHHMMSS[.fraction]", always UTC (RFC 3659 §2.3: any number of fraction
 * digits; milliseconds are kept). A field out of range (month 13, 31 April) is no time at all.
 */
export function parseFtpTime(text: string): Date | undefined {
  const match = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const millis = match[7] ? Number(match[7].slice(0, 3).padEnd(3, '0')) : 0;
  // Date.UTC carries an overflow into the next field (13 → January); a real calendar day reads back the same.
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  const valid = calendarDay.getUTCMonth() === month - 1 && calendarDay.getUTCDate() === day && hour < 24 && minute < 60 && second <= 60; // 60: a leap second
  return valid ? new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis)) : undefined;
}

/** RFC 959 Appendix II: 257 "/dir" — the path is quoted, an embedded quote doubled. */
export function parseQuotedPath(text: string): string | undefined {
  const match = /"((?:[^"]|"")*)"/.exec(text);
  return match ? match[1].replace(/""/g, '"') : undefined;
}

/** FEAT (RFC 2389 §3.2): one feature per line, each indented by a space, between the first and last lines. */
export function parseFeatures(lines: string[]): Map<string, string> {
  const features = new Map<string, string>();
  for (const line of lines.slice(1, -1)) {
    const [name, ...params] = line.trim().split(' ');
    if (name) features.set(name.toUpperCase(), params.join(' '));
  }
  return features;
}
