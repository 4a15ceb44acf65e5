// ftpd's settings in netlab.config.ts (the `ftp` section).
// Owned by the FTP lab; lib/config merges it into the whole configuration.

import type { FtpAccount } from './server/accounts.ts';

export interface FtpConfig {
  /** The served root, relative to dataDir unless absolute (created on first start with welcome.txt and pub/). */
  root: string;
  /** Anonymous logins (USER anonymous or ftp, any password). */
  anonymous: boolean;
  /** Anonymous users may upload new files into uploadDir (`--writable`). */
  writable: boolean;
  /** The anonymous upload folder, relative to the root. */
  uploadDir: string;
  /**
   * Named accounts: { user, passwordHash, root?, write? } (hash from `netlab ftpd --hash-password`),
   * or "user:hash[:rw]" strings, comma-separated in NETLAB_FTP_ACCOUNTS.
   */
  accounts: (FtpAccount | string)[];
  /** Passive data ports: both 0 lets the system choose; else a range to open in a firewall. */
  passivePortMin: number;
  passivePortMax: number;
  /** The address PASV announces, when clients reach us through NAT ('' = the address they used). */
  passiveAddress: string;
  /** Control connections at once, and from one address. */
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Seconds: an idle control connection is closed; a data connection must open and keep moving. */
  idleTimeout: number;
  dataTimeout: number;
  /** PEM files for explicit FTPS (AUTH TLS); both empty = plain FTP only. */
  tlsCert: string;
  tlsKey: string;
}

export const ftpDefaults: FtpConfig = {
  root: 'ftp',
  anonymous: true,
  writable: false,
  uploadDir: 'incoming',
  accounts: [],
  passivePortMin: 0,
  passivePortMax: 0,
  passiveAddress: '',
  maxConnections: 100,
  maxConnectionsPerIp: 10,
  idleTimeout: 300,
  dataTimeout: 60,
  tlsCert: '',
  tlsKey: '',
};
