// ftpd's settings in netlab.config.ts (the `ftp` section).
// Owned by the FTP lab; lib/config merges it into the whole configuration.

export interface FtpConfig {
  /** The served root, relative to dataDir unless absolute. */
  root: string;
}

export const ftpDefaults: FtpConfig = {
  root: 'ftp',
};
