// The account database for the builtin backend: /etc/passwd parsed once per change, and
// `getent passwd` (NSS: LDAP, sssd…) for names the file does not hold. No shell anywhere.

import { execFile } from 'node:child_process';
import { CachedFile, FreshReads, type Freshness } from './cached-file.ts';

export interface PasswdEntry {
  login: string;
  uid: number;
  gid: number;
  /** GECOS (chfn's order): full name, room, office phone, home phone. */
  name: string;
  office: string;
  officePhone: string;
  homePhone: string;
  home: string;
  shell: string;
}

/** POSIX portable user names, plus what real systems allow ($ for machine accounts). */
const plausibleLogin = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}\$?$/;

export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const fields = line.split(':');
  if (fields.length < 7 || !fields[0] || line.startsWith('#')) return undefined;
  const [login, , uid, gid, gecos, home, shell] = fields;
  const [name = '', office = '', officePhone = '', homePhone = ''] = gecos.split(',');
  return { login, uid: Number(uid), gid: Number(gid), name, office, officePhone, homePhone, home, shell };
}

export function parsePasswd(bytes: Buffer): PasswdEntry[] {
  return bytes.toString('utf8').split('\n').flatMap((line) => parsePasswdLine(line) ?? []);
}

export class PasswdDatabase {
  private readonly file: CachedFile<PasswdEntry[]>;
  /** getent's answers, "no such user" included: a flood of unknown names must not be a flood of processes. */
  private readonly asked: FreshReads<PasswdEntry | undefined>;

  private readonly getentTimeoutMs: number;

  constructor(
    file: string,
    freshness: Freshness,
    getentTimeoutMs = 2_000,
  ) {
    this.getentTimeoutMs = getentTimeoutMs;
    this.file = new CachedFile(file, parsePasswd, [], freshness);
    this.asked = new FreshReads(freshness);
  }

  /** The file's entries, re-read only when it changed. */
  entries(): Promise<PasswdEntry[]> {
    return this.file.get();
  }

  /**
   * The accounts a finger name means (RFC 1288 §2.5.3 allows ambiguity): the login itself, else every account
   * whose full name contains it as a word, case-insensitively.
   */
  async lookup(nameOrLogin: string): Promise<PasswdEntry[]> {
    const entries = await this.entries();
    const exact = entries.find((entry) => entry.login === nameOrLogin) ?? (await this.getent(nameOrLogin));
    if (exact) return [exact];
    const word = nameOrLogin.toLowerCase();
    return entries.filter((entry) => entry.name.toLowerCase().split(/\s+/).includes(word));
  }

  async byLogin(login: string): Promise<PasswdEntry | undefined> {
    return (await this.entries()).find((entry) => entry.login === login) ?? (await this.getent(login));
  }

  /** Asks NSS through `getent passwd -- NAME` (arguments as an array: never a shell). */
  private getent(login: string): Promise<PasswdEntry | undefined> {
    if (!plausibleLogin.test(login)) return Promise.resolve(undefined);
    const ask = () =>
      new Promise<PasswdEntry | undefined>((resolve) => {
        execFile('getent', ['passwd', '--', login], { timeout: this.getentTimeoutMs, maxBuffer: 64 * 1024 }, (error, stdout) => {
          resolve(error ? undefined : parsePasswdLine(stdout.split('\n')[0]));
        });
      });
    return this.asked.get(login, ask);
  }
}
