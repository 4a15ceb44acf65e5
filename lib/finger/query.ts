// The finger query line (RFC 1288 §2.3), parsed once at the server's edge into a typed value,
// and built by the client from a typed value: the two sides share one grammar.

/** RFC 1288 §2.3: `{Q1} ::= [{W}|{W}{S}{U}]{C}` — who is logged in, or one user. */
export interface LocalQuery {
  kind: 'local';
  /** `/W`: the verbose (long) form. */
  verbose: boolean;
  /** The user asked about; undefined for the list of who is logged in. */
  user?: string;
}

/** RFC 1288 §2.3: `{Q2} ::= [{W}{S}][{U}]{H}{C}` — a query to be forwarded to other hosts. */
export interface ForwardQuery {
  kind: 'forward';
  verbose: boolean;
  user?: string;
  /** The hosts after the user, left to right: `u@a@b` → ['a', 'b']; b is asked first. */
  hosts: string[];
}

export type FingerQuery = LocalQuery | ForwardQuery;

/** A line the server cannot make sense of: answered with `reason` on one line, then closed. */
export class FingerQueryError extends Error {
  readonly name = 'FingerQueryError';
}

/** RFC 1288 §2.3: a query line is "terminated by <CRLF>"; we take at most this many bytes before it. */
export const maxQueryBytes = 512;

// {U} and {H} are "tokens": anything printable but space and '@' (which separate them).
const token = /^[^\s@]+$/;

/**
 * Parses a query line (without its CRLF). Liberal in what it accepts (extra spaces, a lone LF,
 * a lower-case /w), strict about what could hurt: control characters and NUL are refused.
 */
export function parseFingerQuery(line: string): FingerQuery {
  if (/[\x00-\x1f\x7f]/.test(line)) throw new FingerQueryError('control characters are not allowed in a query');
  const words = line.trim().split(/ +/).filter(Boolean);
  let verbose = false;
  if (words[0]?.toUpperCase() === '/W') {
    verbose = true;
    words.shift();
  }
  if (words.length === 0) return { kind: 'local', verbose };
  if (words.length > 1) throw new FingerQueryError('one user per query (RFC 1288 §2.3: [/W] [user][@host…])');
  const [user, ...hosts] = words[0].split('@');
  if (user !== '' && !token.test(user)) throw new FingerQueryError(`malformed user name ${JSON.stringify(user)}`);
  if (hosts.length === 0) return { kind: 'local', verbose, user };
  if (hosts.some((host) => !isHostName(host))) throw new FingerQueryError('malformed host name in a forwarding query');
  return { kind: 'forward', verbose, user: user || undefined, hosts };
}

/** The line a client sends for a query (without the CRLF). */
export function formatFingerQuery(query: FingerQuery): string {
  const target = [query.user ?? '', ...(query.kind === 'forward' ? query.hosts : [])].join('@');
  return [query.verbose ? '/W' : '', target].filter(Boolean).join(' ');
}

/**
 * The next hop of a forwarding query (RFC 1288 §2.4): the rightmost host is asked the rest —
 * `u@a@b` goes to b, which is asked `u@a`.
 */
export function nextHop(query: ForwardQuery): { host: string; query: FingerQuery } {
  const hosts = query.hosts.slice(0, -1);
  const host = query.hosts[query.hosts.length - 1];
  const rest: FingerQuery = hosts.length ? { ...query, hosts } : { kind: 'local', verbose: query.verbose, user: query.user };
  return { host, query: rest };
}

/** A DNS name or an IP address literal: letters, digits, dots, dashes, colons (IPv6), brackets. */
export function isHostName(host: string): boolean {
  return host.length > 0 && host.length <= 253 && /^[A-Za-z0-9.:\-[\]_]+$/.test(host);
}
