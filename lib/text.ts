// Small text helpers that every layer may use: the domains, the CLI and the tests.

/** Makes control characters visible (^A, \x7f, …) so that no peer can drive the terminal. */
export function visibleControls(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => (c === '\x7f' ? '^?' : `^${String.fromCharCode(c.charCodeAt(0) + 64)}`));
}
