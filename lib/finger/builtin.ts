// The builtin backend: finger's answers computed in TypeScript from the passwd database, the
// utmp and lastlog records, the mailbox and the users' dot-files. It runs no program at all.

import { noSuchUser, type FingerAnswer, type FingerBackend } from './backend.ts';
import { CachedFile, FreshReads } from './cached-file.ts';
import { readDotFile } from './dotfiles.ts';
import { LastlogFile, readMailStatus, type MailStatus } from './history.ts';
import { PasswdDatabase, type PasswdEntry } from './passwd.ts';
import type { LocalQuery } from './query.ts';
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
}

/** The dot-files finger shows, in BSD finger's order, with their titles. */
const dotFiles = [['.pgpkey', 'PGP key:'], ['.project', 'Project:'], ['.plan', 'Plan:']] as const;

/** Answers laid out as BSD finger lays them out, so that both backends read alike. */
export function createBuiltinBackend(options: BuiltinBackendOptions): FingerBackend {
  const { freshMs } = options;
  const passwd = new PasswdDatabase(options.passwdFile, freshMs);
  // No utmp (containers often have none) means nobody is logged in.
  const utmp = new CachedFile(options.utmpFile, parseUtmp, [], freshMs);
  const lastlog = new LastlogFile(options.lastlogFile, freshMs);
  const mailboxes = new FreshReads<MailStatus>(freshMs);
  const userFiles = new FreshReads<string | undefined>(freshMs);

  async function describeUser(user: PasswdEntry, sessions: LoginSession[]): Promise<string> {
    const own = sessions.filter((session) => session.user === user.login);
    // Independent reads, in parallel: the answer waits for the slowest, not for their sum.
    const [idle, last, mail, ...files] = await Promise.all([
      Promise.all(own.map((session) => idleSeconds(session))),
      own.length ? undefined : lastlog.lastLogin(user.uid),
      mailboxes.get(user.login, () => readMailStatus(options.mailDir, user.login)),
      // RFC 1288 §3.2.4: these files are the user's to publish; dotfiles.ts decides what is safe to read.
      ...dotFiles.map(([name]) => userFiles.get(`${user.uid}:${user.home}/${name}`, () => readDotFile(user, name, options.maxFileBytes))),
    ]);
    const lines = [columns(`Login: ${user.login}`, `Name: ${user.name}`), columns(`Directory: ${user.home}`, `Shell: ${user.shell}`)];
    const office = [user.office, user.officePhone].filter(Boolean).join(', ');
    if (office || user.homePhone) lines.push(columns(office && `Office: ${office}`, user.homePhone && `Home Phone: ${user.homePhone}`).trimEnd());
    own.forEach((session, i) => {
      lines.push(`On since ${formatDate(session.since)} on ${session.line}${session.host ? ` from ${session.host}` : ''}`);
      const seconds = idle[i];
      if (seconds !== undefined && seconds >= 60) lines.push(`   ${formatIdle(seconds)} idle`);
    });
    if (own.length === 0) lines.push(last ? `Last login ${formatDate(last.time)} on ${last.line}${last.host ? ` from ${last.host}` : ''}` : 'Never logged in.');
    if (mail.kind === 'none') lines.push('No mail.');
    else if (mail.kind === 'unread') lines.push(`New mail received ${formatDate(mail.received, true)}`, `     Unread since ${formatDate(mail.unreadSince, true)}`);
    else lines.push(`Mail last read ${formatDate(mail.lastRead, true)}`);
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
      const idle = await idleSeconds(session);
      rows.push([session.user, user?.name ?? '', session.line, idle === undefined ? '' : formatIdleShort(idle), formatDate(session.since), session.host]);
    }
    const widths = [10, 20, 8, 6, 17];
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

/** "Tue Nov 24 18:00 (UTC)", or with the year ("Tue Nov 24 18:00 2026 (UTC)") as finger prints mail times. */
function formatDate(date: Date, withYear = false): string {
  const [weekday, day, month, year, time] = date.toUTCString().replace(',', '').split(' '); // "Tue 24 Nov 2026 18:00:00 GMT"
  return `${weekday} ${month} ${day} ${time.slice(0, 5)}${withYear ? ` ${year}` : ''} (UTC)`;
}

function formatIdle(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  return hours ? `${plural(hours, 'hour')} ${plural(minutes, 'minute')}` : plural(minutes, 'minute');
}

function formatIdleShort(seconds: number): string {
  if (seconds < 60) return '';
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? String(minutes) : `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}
