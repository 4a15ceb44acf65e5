// The builtin backend: finger's answers computed in TypeScript from the passwd database, the
// utmp and lastlog records, the mailbox and the users' dot-files. It runs no program at all.

import { noSuchUser, type FingerAnswer, type FingerBackend } from './backend.ts';
import { CachedFile, FreshReads, freshFor } from './cached-file.ts';
import { readDotFile } from './dotfiles.ts';
import { LastlogFile, readMailStatus, type MailStatus } from './history.ts';
import { PasswdDatabase, type PasswdEntry } from './passwd.ts';
import type { LocalQuery } from './query.ts';
import { lastLoginTime, longIdle, mailTime, sessionStart, shortIdle, shortLoginTime } from './times.ts';
import { idleSeconds, parseUtmp, type LoginSession } from './utmp.ts';

export interface BuiltinBackendOptions {
  passwdFile: string;
  utmpFile: string;
  lastlogFile: string;
  mailDir: string;
  /** Bytes read at most from each dot-file. */
  maxFileBytes: number;
  /** How long a file read is reused (0: read at every query). */
  freshMs: number;
  /** The time of day, in ms since the epoch, for idle times and "half a year ago" (Date.now; tests set their own). */
  now?: () => number;
  /** The clock freshness is measured on (performance.now, which never jumps; tests turn their own). */
  elapsed?: () => number;
}

/** The dot-files finger shows, in BSD finger's order, with their titles. */
const dotFiles = [['.pgpkey', 'PGP key:'], ['.project', 'Project:'], ['.plan', 'Plan:']] as const;

/** Answers laid out as BSD finger lays them out, so that both backends read alike. */
export function createBuiltinBackend(options: BuiltinBackendOptions): FingerBackend {
  const now = options.now ?? Date.now;
  const freshness = freshFor(options.freshMs, options.elapsed);
  const passwd = new PasswdDatabase(options.passwdFile, freshness);
  // No utmp (containers often have none) means nobody is logged in.
  const utmp = new CachedFile(options.utmpFile, parseUtmp, [], freshness);
  const lastlog = new LastlogFile(options.lastlogFile, freshness);
  const mailboxes = new FreshReads<MailStatus>(freshness);
  const userFiles = new FreshReads<string | undefined>(freshness);

  async function describeUser(user: PasswdEntry, sessions: LoginSession[]): Promise<string> {
    const own = sessions.filter((session) => session.user === user.login);
    // Independent reads, in parallel: the answer waits for the slowest, not for their sum.
    const [idle, last, mail, ...files] = await Promise.all([
      Promise.all(own.map((session) => idleSeconds(session, now()))),
      own.length ? undefined : lastlog.lastLogin(user.uid),
      mailboxes.get(user.login, () => readMailStatus(options.mailDir, user.login)),
      // RFC 1288 §3.2.4: these files are the user's to publish; dotfiles.ts decides what is safe to read.
      ...dotFiles.map(([name]) => userFiles.get(`${user.uid}:${user.home}/${name}`, () => readDotFile(user, name, options.maxFileBytes))),
    ]);
    const lines = [columns(`Login: ${user.login}`, `Name: ${user.name}`), columns(`Directory: ${user.home}`, `Shell: ${user.shell}`)];
    const office = [user.office, user.officePhone].filter(Boolean).join(', ');
    if (office || user.homePhone) lines.push(columns(office && `Office: ${office}`, user.homePhone && `Home Phone: ${user.homePhone}`).trimEnd());
    const longestLine = Math.max(0, ...own.map((session) => session.line.length));
    own.forEach((session, i) => {
      const since = `On since ${sessionStart(session.since)} on ${session.line}${session.host ? ` from ${session.host}` : ''}`;
      const idleText = longIdle(idle[i] ?? 0);
      // lprint.c: the idle time follows the terminal, aligned on the longest one, or goes below a remote host.
      const aligned = `${' '.repeat(longestLine - session.line.length + 3)}${idleText}`;
      lines.push(...(!idleText ? [since] : session.host ? [since, aligned] : [`${since}${aligned}`]));
    });
    if (own.length === 0) lines.push(last ? `Last login ${lastLoginTime(last.time, now())} on ${last.line}${last.host ? ` from ${last.host}` : ''}` : 'Never logged in.');
    if (mail.kind === 'none') lines.push('No mail.');
    else if (mail.kind === 'unread') lines.push(`New mail received ${mailTime(mail.received)}`, `     Unread since ${mailTime(mail.unreadSince)}`);
    else lines.push(`Mail last read ${mailTime(mail.lastRead)}`);
    dotFiles.forEach(([name, title], i) => {
      const text = files[i];
      if (text !== undefined && text.trim() !== '') lines.push(title, text.replace(/\n$/, ''));
      else if (name === '.plan') lines.push('No Plan.');
    });
    return `${lines.join('\n')}\n`;
  }

  async function listSessions(verbose: boolean): Promise<FingerAnswer> {
    const sessions = await utmp.get();
    if (sessions.length === 0) return { text: 'No one logged on.\n', outcome: 'ok' };
    if (verbose) {
      // RFC 1288 §2.5.4: /W asks for more — every logged-in user in the long form.
      const logins = [...new Set(sessions.map((session) => session.user))];
      const users = (await Promise.all(logins.map((login) => passwd.byLogin(login)))).filter((user) => user !== undefined);
      const blocks = await Promise.all(users.map((user) => describeUser(user, sessions)));
      return { text: blocks.join('\n'), outcome: 'ok' };
    }
    const rows = [['Login', 'Name', 'Tty', 'Idle', 'Login Time', 'Where']];
    for (const session of sessions) {
      const user = await passwd.byLogin(session.user);
      const idle = await idleSeconds(session, now());
      rows.push([session.user, user?.name ?? '', session.line, idle === undefined ? '' : shortIdle(idle), shortLoginTime(session.since, now()), session.host]);
    }
    const widths = [10, 20, 8, 6, 12];
    const table = rows.map((row) => row.map((cell, i) => (i < widths.length ? pad(cell, widths[i]) : cell)).join(' ').trimEnd());
    return { text: `${table.join('\n')}\n`, outcome: 'ok' };
  }

  return {
    name: 'builtin',
    async answer(query: LocalQuery): Promise<FingerAnswer> {
      if (query.user === undefined) return listSessions(query.verbose);
      const users = await passwd.lookup(query.user);
      if (users.length === 0) return noSuchUser(query.user);
      const sessions = await utmp.get();
      const blocks = await Promise.all(users.map((user) => describeUser(user, sessions)));
      return { text: blocks.join('\n'), outcome: 'ok' };
    },
  };
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

/** Two fields in the 40-column layout of finger's long form. */
function columns(left: string, right: string): string {
  return `${pad(left, 40)}${right}`;
}
