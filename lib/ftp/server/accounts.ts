// Who may log in to ftpd and what they may do: anonymous users (read-only, or uploads into
// incoming/) and named accounts whose passwords are kept as scrypt hashes, never in clear.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import path from 'node:path';
import { NetlabError } from '../../errors.ts';

/** A named account, as written in netlab.config.ts (ftp.accounts). */
export interface FtpAccount {
  user: string;
  /** From `netlab ftpd --hash-password`: scrypt$N$r$p$salt$key (base64). */
  passwordHash: string;
  /** The account's own root (relative to the served root), else the served root itself. */
  root?: string;
  /** May upload, delete, rename and make folders anywhere under its root. */
  write?: boolean;
}

/** What a logged-in user may touch: a real folder, and where writing is allowed. */
export interface Access {
  user: string;
  anonymous: boolean;
  root: string;
  /** none: read-only; uploads: new files and folders under the upload folder only; all: anything. */
  write: 'none' | 'uploads' | 'all';
}

export interface LoginPolicy {
  root: string;
  /** Anonymous logins (USER anonymous or ftp, any password: RFC 1635). */
  anonymous: boolean;
  /** Anonymous users may store new files under the upload folder (incoming/). */
  anonymousUploads: boolean;
  accounts: FtpAccount[];
}

const anonymousNames = new Set(['anonymous', 'ftp']);
const scryptParameters = { N: 16384, r: 8, p: 1 } as const;
const keyLength = 32;

/** "scrypt$16384$8$1$<salt>$<key>": the parameters travel with the hash, so they can grow later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, scryptParameters, keyLength);
  const { N, r, p } = scryptParameters;
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Compares in constant time; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (![N, r, p].every(Number.isInteger) || expected.length === 0 || N > 2 ** 20) return false;
  const key = await derive(password, salt, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, expected.length);
  return timingSafeEqual(key, expected);
}

/** An account from the config: an object, or "user:hash[:rw]" (handy in NETLAB_FTP_ACCOUNTS). */
export function parseAccount(entry: FtpAccount | string): FtpAccount {
  const account = typeof entry === 'string' ? fromString(entry) : entry;
  if (!account || typeof account.user !== 'string' || !/^[\w.@-]{1,64}$/.test(account.user) || !account.passwordHash?.startsWith('scrypt$')) {
    throw new NetlabError('E_CONFIG', `ftp.accounts: ${JSON.stringify(entry)} is not an account`, {
      hint: 'write { user: "alice", passwordHash: "scrypt$…" }; make the hash with: netlab ftpd --hash-password',
    });
  }
  if (anonymousNames.has(account.user.toLowerCase())) {
    throw new NetlabError('E_CONFIG', `ftp.accounts: "${account.user}" is reserved for anonymous logins`, { hint: 'choose another user name' });
  }
  return account;
}

/** USER/PASS → the user's access, or an error whose message is safe to send as a 530 reply. */
export async function authenticate(policy: LoginPolicy, user: string, password: string): Promise<Access> {
  if (anonymousNames.has(user.toLowerCase())) {
    if (!policy.anonymous) throw new Error('Anonymous logins are disabled');
    return { user: 'anonymous', anonymous: true, root: policy.root, write: policy.anonymousUploads ? 'uploads' : 'none' };
  }
  const account = policy.accounts.find((candidate) => candidate.user === user);
  // An unknown user costs the same scrypt as a known one: timing does not tell which names exist.
  const ok = await verifyPassword(password, account?.passwordHash ?? decoyHash);
  if (!account || !ok) throw new Error('Login incorrect');
  const root = account.root ? path.resolve(policy.root, account.root) : policy.root;
  return { user: account.user, anonymous: false, root, write: account.write ? 'all' : 'none' };
}

function fromString(entry: string): FtpAccount | undefined {
  const [user, passwordHash, mode, ...rest] = entry.split(':');
  if (!user || !passwordHash || rest.length > 0 || (mode !== undefined && mode !== 'rw' && mode !== 'ro')) return undefined;
  return { user, passwordHash, write: mode === 'rw' };
}

function derive(password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
}

const decoyHash = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(keyLength).toString('base64')}`;
