// The builtin backend: finger's answers computed in TypeScript from the passwd database, the
// utmp login records and the users' dot-files. It runs no program at all.

import { noSuchUser, type FingerAnswer, type FingerBackend } from './backend.ts';
import { readDotFile } from './dotfiles.ts';
import { PasswdDatabase, type PasswdEntry } from './passwd.ts';
import type { LocalQuery } from './query.ts';
import { idleSeconds, readSessions, type LoginSession } from './utmp.ts';

export interface BuiltinBackendOptions {
  passwdFile: string;
  utmpFile: string;
  /** Bytes read at most from each dot-file. */
  maxFileBytes: number;
}

export function createBuiltinBackend(options: BuiltinBackendOptions): FingerBackend {
  const passwd = new PasswdDatabase(options.passwdFile);

  async function describeUser(user: PasswdEntry, sessions: LoginSession[], verbose: boolean): Promise<string> {
    const lines = [
      `${pad(`Login: ${user.login}`, 40)}Name: ${user.name}`,
      `${pad(`Directory: ${user.home}`, 40)}Shell: ${user.shell}`,
    ];
    if (user.office.length) lines.push(`Office: ${user.office.join(', ')}`);
    const own = sessions.filter((session) => session.user === user.login);
    for (const session of own) {
      const from = session.host ? ` from ${session.host}` : '';
      lines.push(`On since ${formatSince(session.since)} on ${session.line}${from}`);
      const idle = verbose ? await idleSeconds(session) : undefined;
      if (idle !== undefined && idle >= 60) lines.push(`   ${formatIdle(idle)} idle`);
    }
    if (own.length === 0) lines.push('Not logged in.');
    // RFC 1288 §2.5.4: /W asks for more; the short form keeps to who and the plan.
    const files = verbose ? (['.project', '.pgpkey', '.plan'] as const) : (['.plan'] as const);
    const titles = { '.project': 'Project:', '.pgpkey': 'PGP key:', '.plan': 'Plan:' };
    for (const name of files) {
      const text = await readDotFile(user, name, options.maxFileBytes);
      if (text !== undefined && text.trim() !== '') lines.push(titles[name], text.replace(/\n$/, ''));
      else if (name === '.plan') lines.push('No Plan.');
    }
    return `${lines.join('\n')}\n`;
  }

  async function listSessions(verbose: boolean): Promise<FingerAnswer> {
    const sessions = await readSessions(options.utmpFile);
    if (sessions.length === 0) return { text: 'No one logged on.\n', outcome: 'ok' };
    if (verbose) {
      const logins = [...new Set(sessions.map((session) => session.user))];
      const users = (await Promise.all(logins.map((login) => passwd.byLogin(login)))).filter((user) => user !== undefined);
      const blocks = await Promise.all(users.map((user) => describeUser(user, sessions, true)));
      return { text: blocks.join('\n'), outcome: 'ok' };
    }
    const rows = [['Login', 'Name', 'Tty', 'Idle', 'Login Time', 'Where']];
    for (const session of sessions) {
      const user = await passwd.byLogin(session.user);
      const idle = await idleSeconds(session);
      rows.push([session.user, user?.name ?? '', session.line, idle === undefined ? '' : formatIdleShort(idle), formatSince(session.since), session.host]);
    }
    const widths = [10, 20, 8, 6, 17];
    return { text: rows.map((row) => row.map((cell, i) => (i < widths.length ? pad(cell, widths[i]) : cell)).join(' ').trimEnd()).join('\n') + '\n', outcome: 'ok' };
  }

  return {
    name: 'builtin',
    async answer(query: LocalQuery): Promise<FingerAnswer> {
      if (query.user === undefined) return listSessions(query.verbose);
      const users = await passwd.lookup(query.user);
      if (users.length === 0) return noSuchUser(query.user);
      const sessions = await readSessions(options.utmpFile);
      const blocks = await Promise.all(users.map((user) => describeUser(user, sessions, query.verbose)));
      return { text: blocks.join('\n'), outcome: 'ok' };
    },
  };
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

/** "Tue Nov 24 18:00 (UTC)", as finger prints a login time. */
function formatSince(date: Date): string {
  const parts = date.toUTCString().split(' '); // "Tue, 24 Nov 2026 18:00:00 GMT"
  return `${parts[0].replace(',', '')} ${parts[2]} ${parts[1]} ${parts[4].slice(0, 5)} (UTC)`;
}

function formatIdle(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return hours ? `${hours} hour${hours > 1 ? 's' : ''} ${minutes} minute${minutes === 1 ? '' : 's'}` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function formatIdleShort(seconds: number): string {
  if (seconds < 60) return '';
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? String(minutes) : `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}
