// fingerd's settings in netlab.config.ts (the `finger` section).
// Owned by the finger lab; lib/config merges it into the whole configuration.

export interface FingerConfig {
  /** Where answers come from: pure TypeScript, the machine's finger binary, or system when it exists. */
  backend: 'auto' | 'builtin' | 'system';
  /** RFC 1288 §3.2.1: forwarding (user@host@host) is refused unless this is on. */
  allowForwarding: boolean;
  /** The port a forwarded query goes to (RFC 1288 §2.1: finger is TCP 79). */
  forwardPort: number;
  /** Seconds a client gets to send its query line before it is told so and disconnected. */
  queryTimeout: number;
  /** Seconds an answer may take (the system finger binary, a forwarded query) before it is cut. */
  answerTimeout: number;
  /** Connections served at once; the next one gets a one-line "busy" answer. */
  maxConnections: number;
  /** Bytes of answer kept at most (a huge ~/.plan or a runaway finger binary is truncated). */
  maxAnswerBytes: number;
  /** The account database the builtin backend reads (users not in it are asked of `getent passwd`). */
  passwdFile: string;
  /** The login records (binary struct utmp) the builtin backend reads to list who is logged in. */
  utmpFile: string;
  /** Last logins (binary struct lastlog, one record per uid), for "Last login … / Never logged in.". */
  lastlogFile: string;
  /** Mailboxes, one file per login, for "New mail received … / No mail.". */
  mailDir: string;
  /** Seconds a file read is reused (passwd, utmp, lastlog, mailboxes, dot-files): an edit shows within this time. */
  freshness: number;
  /** The machine's finger program for the system backend: a name looked up in PATH, or a path. */
  fingerBinary: string;
}

export const fingerDefaults: FingerConfig = {
  backend: 'auto',
  allowForwarding: false,
  forwardPort: 79,
  queryTimeout: 5,
  answerTimeout: 5,
  maxConnections: 64,
  maxAnswerBytes: 64 * 1024,
  passwdFile: '/etc/passwd',
  utmpFile: '/var/run/utmp',
  lastlogFile: '/var/log/lastlog',
  mailDir: '/var/mail',
  freshness: 1,
  fingerBinary: 'finger',
};
