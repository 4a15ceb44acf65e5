// Small text helpers that every layer may use: the domains, the CLI and the tests.

/** Makes control characters visible (^A, \x7f, …) so that no peer can drive the terminal. */
export function visibleControls(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => (c === '\x7f' ? '^?' : `^${String.fromCharCode(c.charCodeAt(0) + 64)}`));
}

/**
 * `text` cut into lines of at most `width` characters, at spaces where it can (a longer word is
 * cut where it must), for a column that must not run past the terminal's edge.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    for (let rest = word; ; ) {
      const joined = line ? `${line} ${rest}` : rest;
      if (joined.length <= width) {
        line = joined;
        break;
      }
      if (line) lines.push(line);
      line = '';
      if (rest.length <= width) {
        line = rest;
        break;
      }
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
  }
  return [...lines, line];
}
