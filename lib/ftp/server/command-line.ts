// One command line (RFC 959 §4.1, §5.3): a verb, then (after one space) its argument, as the
// client wrote it. Replaces ftp-srv's parser, which drops every '"' from the line (a file named
// a"b cannot be fetched) and builds a lodash chain per command.

import type { FtpCommand } from './ftp-srv-adapter.ts';

/** Verbs whose leading "-la", "-1" or "--all" words are ls options, not names (as vsftpd; ftp-srv took only single letters). */
const verbsWithFlags = new Set(['LIST', 'NLST', 'STAT']);

export function parseCommandLine(line: string): FtpCommand {
  const space = line.indexOf(' ');
  const directive = (space < 0 ? line : line.slice(0, space)).trim().toUpperCase();
  const rest = space < 0 ? '' : line.slice(space + 1);
  const flags: string[] = [];
  let arg = rest;
  if (verbsWithFlags.has(directive)) {
    const words = rest.split(' ');
    while (words.length > 0 && /^-\S+$/.test(words[0])) flags.push(words.shift()!);
    arg = words.join(' ');
  }
  return { directive, arg: arg === '' ? null : arg, flags, raw: line };
}
