// ftp:// URLs (RFC 1738 §3.2): ftp://user:password@host:port/path, percent-decoded, with
// anonymous login when no user is given and IPv6 literals in brackets.

import { NetlabError } from '../../errors.ts';
import { parseRemotePort } from '../../values.ts';

export interface FtpUrl {
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** The path, decoded; relative to the login directory ("" for it), absolute if it began with %2F. */
  path: string;
}

export const defaultFtpPort = 21;

/** Parses a URL; a bare "host[:port]" is accepted too, for `open` in the shell. */
export function parseFtpUrl(text: string, fallbackPort = defaultFtpPort): FtpUrl {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `ftp://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new NetlabError('E_USAGE', `${JSON.stringify(text)} is not an FTP URL`, { hint: 'write it as ftp://host[:port]/path' });
  }
  if (url.protocol !== 'ftp:') {
    throw new NetlabError('E_USAGE', `${JSON.stringify(text)} is not an ftp:// URL`, {
      hint: 'write ftp://host/path; for FTP over TLS add --tls (explicit FTPS, AUTH TLS)',
    });
  }
  if (!url.hostname) throw new NetlabError('E_USAGE', `${JSON.stringify(text)} names no host`, { hint: 'write it as ftp://host[:port]/path' });
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parseRemotePort(url.port, fallbackPort, 'the URL port'),
    user: url.username ? decode(url.username, text) : undefined,
    password: url.password ? decode(url.password, text) : undefined,
    // RFC 1738 §3.2.2: the path is relative to the login directory; "%2F" makes it absolute.
    path: decode(url.pathname.replace(/^\//, ''), text),
  };
}

/** The base name of a remote path ("pub/a.txt" → "a.txt"), for a download's default file name. */
export function remoteBaseName(remotePath: string): string {
  return remotePath.split('/').filter(Boolean).at(-1) ?? '';
}

function decode(part: string, url: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new NetlabError('E_USAGE', `${JSON.stringify(url)} has a bad percent-escape`, { hint: 'write % as %25' });
  }
}
