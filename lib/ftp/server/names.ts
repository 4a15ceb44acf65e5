// How file names cross the control and data connections. A name made outside FTP may hold a CR or
// an LF: sent as it is, it would end a reply or a listing line early, and what follows would read
// as the server's words (`crlf\n226 injected.txt`). So every control character of a name is shown
// in caret notation, as our client and `ls -q`-style tools show them (CR as ^M, LF as ^J, ESC as
// ^[), and a name sent back in that form finds the file. RFC 959 §3.1's Telnet convention (CR as
// CR NUL) covers CR only, and no client can type it: Python's ftplib refuses to send a CR, curl a
// NUL. Names FTP itself creates never hold CR or LF (STOR, MKD, RNTO refuse them with 553).

/** Control characters as ^X (DEL as ^?); TAB stays, as in visibleControls. */
const controlCharacter = /[\x00-\x08\x0a-\x1f\x7f]/;
const controlCharacters = new RegExp(controlCharacter.source, 'g');
const caretEscape = /\^([@-_?])/g;

/**
 * A name as listings and replies show it: one line, its control characters in caret notation.
 * Every reply line passes here (reply.ts): the test first keeps the common case to one scan.
 */
export function shownName(name: string): string {
  if (!controlCharacter.test(name)) return name;
  return name.replace(controlCharacters, (c) => (c === '\x7f' ? '^?' : `^${String.fromCharCode(c.charCodeAt(0) + 64)}`));
}

/** The name a caret-escaped one stands for ("a^Jb" → "a\nb"), or undefined when it has no escape. */
export function unescapedName(name: string): string | undefined {
  if (!name.includes('^')) return undefined;
  const plain = name.replace(caretEscape, (_, letter: string) => (letter === '?' ? '\x7f' : String.fromCharCode(letter.charCodeAt(0) - 64)));
  return plain === name || plain.includes('\0') ? undefined : plain;
}

/** True for a name FTP must not create: a CR or LF would be a line break in every reply naming it. */
export function hasLineBreak(name: string): boolean {
  return /[\r\n]/.test(name);
}
