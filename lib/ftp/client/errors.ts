// FTP error replies (4yz transient, 5yz permanent — RFC 959 §4.2.1) as NetlabErrors that quote
// the server's code and text, with a hint chosen by the code; and local file errors in plain words.

import { NetlabError, systemErrorCode } from '../../errors.ts';
import { visibleControls } from '../../text.ts';
import { formatReply, type FtpReply } from './reply.ts';

/** What a person can do about each reply code (RFC 959 §4.2.2 lists them). */
const hints: Record<number, string> = {
  421: 'the server is closing the session (too many connections, or idle too long); try again later',
  425: 'the data connection could not be opened; try the other mode (--active, or without it) or check the firewall',
  426: 'the data connection was closed during the transfer; try again',
  450: 'the file is busy or unavailable for now; try again',
  451: 'the server failed while processing; look at its log',
  452: 'the server has no room left',
  500: 'the server did not understand the command',
  501: 'the server did not accept the arguments (a name with odd characters?)',
  502: 'the server does not implement this command',
  503: 'commands came in an order the server did not expect (log in first?)',
  504: 'the server does not implement this parameter',
  530: 'check the user name and password (ftp://user:password@host/); anonymous access may be disabled',
  532: 'the server wants an account (ACCT) to store files',
  550: 'check the path (netlab ftp ls shows what is there) and your rights on it',
  552: 'the file is over the server’s quota',
  553: 'the server refuses that file name; anonymous uploads usually go to an upload directory such as incoming/',
};

/** A NetlabError for a reply the command did not want: "RETR x: 550 Failed to open file." */
export function replyError(reply: FtpReply, command: string, endpoint: string): NetlabError {
  const shown = command.startsWith('PASS') ? 'PASS ****' : command;
  const code = reply.code === 530 || reply.code === 532 ? 'E_AUTH' : reply.code < 400 ? 'E_PROTOCOL' : 'E_FTP_REPLY';
  return new NetlabError(code, `FTP server ${endpoint} refused ${visibleControls(shown)}: ${visibleControls(formatReply(reply))}`, {
    hint: hints[reply.code] ?? (reply.code < 400 ? 'the server answered with an unexpected reply; --trace shows the dialogue' : undefined),
    details: { ftpCode: reply.code, ftpText: reply.text, command: shown },
  });
}

const fileReasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
};

/** A local file that cannot be opened, read or written (a NetlabError passes through unchanged). */
export function localFileError(error: unknown, file: string, action: 'read' | 'write'): unknown {
  const code = systemErrorCode(error);
  if (error instanceof NetlabError || !code || code === 'EPIPE' || code === 'ECONNRESET') return error;
  const reason = code === 'ENOENT' ? (action === 'read' ? 'no such file' : 'its folder does not exist') : (fileReasons[code] ?? (error as Error).message);
  const kind = code === 'ENOENT' ? 'E_NOT_FOUND' : code === 'EACCES' || code === 'EPERM' ? 'E_PERMISSION' : 'E_INPUT';
  return new NetlabError(kind, `cannot ${action} ${file}: ${reason}`, { cause: error, hint: 'check the local path and its permissions' });
}
